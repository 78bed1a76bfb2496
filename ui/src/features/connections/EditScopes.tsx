// Edit scopes (OAuth): the vendor's scopes with the ones this connection holds ticked; saving
// asks the vendor again in the system browser. The connection keeps its old grant until the
// new one is redeemed and tested, so cancelling or refusing changes nothing.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { call, IpcError } from "../../ipc";
import { toIpcError } from "../../useAsync";
import { useConnector } from "./useConnector";

export function EditScopes({
  connectionId,
  connectorType,
  held,
  onChanged,
}: {
  connectionId: string;
  connectorType: string;
  held: string[];
  onChanged: () => void;
}) {
  const vendorScopes = useConnector(connectorType)?.summary.scopes ?? [];
  const [picked, setPicked] = useState<string[]>(held);
  const [waitingFlow, setWaitingFlow] = useState<string>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<IpcError>();
  const unchanged = picked.length === held.length && picked.every((s) => held.includes(s));

  async function reauthorize() {
    setError(undefined);
    setDone(undefined);
    try {
      const started = await call("oauth_reauthorize_begin", { id: connectionId, scopes: picked });
      setWaitingFlow(started.flow_id);
      const detail = await call("oauth_finish", { flow_id: started.flow_id });
      setPicked(detail.row.record.scopes_granted);
      setDone(`Re-authorized: ${detail.row.record.scopes_granted.join(", ")}`);
      onChanged();
    } catch (e) {
      setError(toIpcError(e));
    } finally {
      setWaitingFlow(undefined);
    }
  }

  return (
    <div className="panel" data-testid="edit-scopes">
      <h2>Scopes</h2>
      <p className="muted small">Ticked scopes are held now. Change them and the vendor asks you again in your browser.</p>
      {vendorScopes.map((s) => (
        <label key={s.id} className="inline">
          <input
            type="checkbox"
            value={s.id}
            checked={picked.includes(s.id)}
            disabled={!!waitingFlow}
            onChange={(e) => setPicked(e.target.checked ? [...picked, s.id] : picked.filter((x) => x !== s.id))}
          />
          <code>{s.id}</code> <span className="muted small">{s.description}</span>
          {held.includes(s.id) && <span className="held">held</span>}
        </label>
      ))}
      <div className="form-actions">
        <button
          type="button"
          disabled={unchanged || picked.length === 0 || !!waitingFlow}
          onClick={() => void reauthorize()}
          data-testid="scopes-reauthorize"
        >
          {waitingFlow ? "Waiting for the browser…" : "Re-authorize with these scopes"}
        </button>
        {waitingFlow && (
          <button type="button" onClick={() => void call("oauth_cancel", { flow_id: waitingFlow })}>
            Cancel
          </button>
        )}
      </div>
      {done && (
        <p className="muted small" role="status" data-testid="scopes-result">
          {done}
        </p>
      )}
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
