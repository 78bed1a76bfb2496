// Test, pause or resume, and disconnect one connection. Each action reports what happened in
// words, and the views it changed are refetched.
import { useRef, useState } from "react";
import type { ConnectionRecord } from "../../bindings/ConnectionRecord";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { describeOutcome } from "../../components/testOutcome";
import { humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { navigate } from "../../router";
import { CONNECTION_ANSWERS } from "./connectionAnswers";
import { useCan } from "../access/useCan";

/** One of the bar's actions: its label while it runs, and what it says when done. */
type BarAction = { label: string; run: () => Promise<string> };

export function ConnectionActions({ record }: { record: ConnectionRecord }) {
  const [confirming, setConfirming] = useState(false);
  const disconnect = useRef<HTMLButtonElement>(null);
  // Back to the button that asked, once it is there again.
  const cancelConfirm = () => {
    setConfirming(false);
    requestAnimationFrame(() => disconnect.current?.focus());
  };
  const action = useAction(({ run }: BarAction) => run(), [...CONNECTION_ANSWERS, "triage_queue", "outbox_counts"]);
  const busy = action.isPending ? action.variables.label : undefined;
  const run = (label: string, steps: () => Promise<string>) => action.mutate({ label, run: steps });

  const id = record.id;
  const paused = record.state === "paused";
  // What the acting operator's role refuses, each with its reason as the button's title.
  const why = useCan();
  const denied = {
    test: why("test_connections"),
    refresh: why("refresh_credentials", record.connector_type),
    pause: why("pause_connections"),
    disconnect: why("disconnect_connections", record.connector_type),
  };
  return (
    <div className="actions-bar" data-testid="connection-actions">
      <FocusableButton
        disabled={!!busy || !!denied.test}
        title={denied.test}
        data-testid="action-test"
        onClick={() => run("test", async () => describeOutcome(await call("connection_test", { id })))}
      >
        {busy === "test" ? "Testing…" : "Test connection"}
      </FocusableButton>
      {(record.auth_flow === "oauth2" || record.auth_flow === "client_credentials") && (
        <FocusableButton
          disabled={!!busy || !!denied.refresh}
          title={denied.refresh}
          data-testid="action-refresh"
          onClick={() =>
            run("refresh", async () => `Refreshed: ${describeOutcome(await call("connection_refresh", { id }))}`)
          }
        >
          {busy === "refresh" ? "Refreshing…" : "Refresh token"}
        </FocusableButton>
      )}
      {paused ? (
        <FocusableButton
          disabled={!!busy || !!denied.pause}
          title={denied.pause}
          data-testid="action-resume"
          onClick={() =>
            run("resume", async () => {
              const resumed = await call("connection_resume", { id });
              return `Resumed: ${describeOutcome(resumed.outcome)}; now ${humanize(resumed.detail.row.record.state)}`;
            })
          }
        >
          {busy === "resume" ? "Testing, then resuming…" : "Resume"}
        </FocusableButton>
      ) : (
        <FocusableButton
          disabled={!!busy || !!denied.pause}
          title={denied.pause}
          data-testid="action-pause"
          onClick={() =>
            run("pause", async () => {
              await call("connection_pause", { id });
              return "Paused: deliveries are held until you resume.";
            })
          }
        >
          Pause
        </FocusableButton>
      )}
      {confirming ? (
        <span
          className="confirm"
          role="group"
          aria-label="Confirm disconnect"
          onKeyDown={(e) => {
            if (e.key === "Escape") cancelConfirm();
          }}
        >
          Remove this connection and its credential?{" "}
          <FocusableButton
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
          </FocusableButton>{" "}
          {/* The safe choice takes the focus; Escape is the same as choosing it. */}
          <button type="button" ref={(el) => el?.focus()} onClick={cancelConfirm}>
            Cancel
          </button>
        </span>
      ) : (
        <FocusableButton
          ref={disconnect}
          className="danger"
          disabled={!!busy || !!denied.disconnect}
          title={denied.disconnect}
          data-testid="action-disconnect"
          onClick={() => setConfirming(true)}
        >
          Disconnect…
        </FocusableButton>
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
