// Test, pause or resume, and disconnect one connection. Each action reports what happened in
// words and hands the new state to the detail view.
import { useState } from "react";
import type { ConnectionRecord } from "../../bindings/ConnectionRecord";
import { ErrorNotice } from "../../components/ErrorNotice";
import { describeOutcome } from "../../components/testOutcome";
import { humanize } from "../../components/format";
import { call, IpcError } from "../../ipc";
import { navigate } from "../../router";
import { toIpcError } from "../../useAsync";

export function ConnectionActions({ record, onChanged }: { record: ConnectionRecord; onChanged: () => void }) {
  const [busy, setBusy] = useState<string>();
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<IpcError>();
  const [confirming, setConfirming] = useState(false);

  async function run(label: string, action: () => Promise<string>) {
    setBusy(label);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await action());
      onChanged();
    } catch (e) {
      setError(toIpcError(e));
    } finally {
      setBusy(undefined);
    }
  }

  const id = record.id;
  const paused = record.state === "paused";
  return (
    <div className="actions-bar" data-testid="connection-actions">
      <button
        type="button"
        disabled={!!busy}
        data-testid="action-test"
        onClick={() => void run("test", async () => describeOutcome(await call("connection_test", { id })))}
      >
        {busy === "test" ? "Testing…" : "Test connection"}
      </button>
      {(record.auth_flow === "oauth2" || record.auth_flow === "client_credentials") && (
        <button
          type="button"
          disabled={!!busy}
          data-testid="action-refresh"
          onClick={() =>
            void run("refresh", async () => `Refreshed: ${describeOutcome(await call("connection_refresh", { id }))}`)
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
            void run("resume", async () => {
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
            void run("pause", async () => {
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
              void (async () => {
                setBusy("disconnect");
                try {
                  await call("connection_disconnect", { id });
                  navigate({ view: "connections" });
                } catch (e) {
                  setError(toIpcError(e));
                  setBusy(undefined);
                }
              })()
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
      {result && (
        <p className="notice" role="status" data-testid="action-result">
          {result}
        </p>
      )}
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
