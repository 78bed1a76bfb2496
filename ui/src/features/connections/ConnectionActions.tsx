// Test, pause or resume, and disconnect one connection. Each action reports what happened in
// words, and the views it changed are refetched.
import { useState } from "react";
import type { ConnectionRecord } from "../../bindings/ConnectionRecord";
import { ErrorNotice } from "../../components/ErrorNotice";
import { describeOutcome } from "../../components/testOutcome";
import { humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { navigate } from "../../router";
import { CONNECTION_ANSWERS } from "./connectionAnswers";

/** One of the bar's actions: its label while it runs, and what it says when done. */
type BarAction = { label: string; run: () => Promise<string> };

export function ConnectionActions({ record }: { record: ConnectionRecord }) {
  const [confirming, setConfirming] = useState(false);
  const action = useAction(({ run }: BarAction) => run(), [...CONNECTION_ANSWERS, "triage_queue", "outbox_counts"]);
  const busy = action.isPending ? action.variables.label : undefined;
  const run = (label: string, steps: () => Promise<string>) => action.mutate({ label, run: steps });

  const id = record.id;
  const paused = record.state === "paused";
  return (
    <div className="actions-bar" data-testid="connection-actions">
      <button
        type="button"
        disabled={!!busy}
        data-testid="action-test"
        onClick={() => run("test", async () => describeOutcome(await call("connection_test", { id })))}
      >
        {busy === "test" ? "Testing…" : "Test connection"}
      </button>
      {(record.auth_flow === "oauth2" || record.auth_flow === "client_credentials") && (
        <button
          type="button"
          disabled={!!busy}
          data-testid="action-refresh"
          onClick={() =>
            run("refresh", async () => `Refreshed: ${describeOutcome(await call("connection_refresh", { id }))}`)
          }
        >
          {busy === "refresh" ? "Refreshing…" : "Refresh token"}
        </button>
      )}
      {paused ? (
        <button
          type="button"
          disabled={!!busy}
          data-testid="action-resume"
          onClick={() =>
            run("resume", async () => {
              const resumed = await call("connection_resume", { id });
              return `Resumed: ${describeOutcome(resumed.outcome)}; now ${humanize(resumed.detail.row.record.state)}`;
            })
          }
        >
          {busy === "resume" ? "Testing, then resuming…" : "Resume"}
        </button>
      ) : (
        <button
          type="button"
          disabled={!!busy}
          data-testid="action-pause"
          onClick={() =>
            run("pause", async () => {
              await call("connection_pause", { id });
              return "Paused: deliveries are held until you resume.";
            })
          }
        >
          Pause
        </button>
      )}
      {confirming ? (
        <span className="confirm" role="group" aria-label="Confirm disconnect">
          Remove this connection and its credential?{" "}
          <button
            type="button"
            className="danger"
            data-testid="action-disconnect-confirm"
            disabled={!!busy}
            onClick={() =>
              run("disconnect", async () => {
                await call("connection_disconnect", { id });
                navigate({ view: "connections" });
                return "Disconnected.";
              })
            }
          >
            Disconnect
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className="danger" disabled={!!busy} data-testid="action-disconnect" onClick={() => setConfirming(true)}>
          Disconnect…
        </button>
      )}
      {action.isSuccess && (
        <p className="notice" role="status" data-testid="action-result">
          {action.data}
        </p>
      )}
      {action.error && <ErrorNotice error={action.error} />}
    </div>
  );
}
