// Edit scopes (OAuth): the vendor's scopes with the ones this connection holds ticked; saving
// asks the vendor again in the system browser. The connection keeps its old grant until the
// new one is redeemed and tested, so cancelling or refusing changes nothing.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { CancelOAuthFlow } from "../library/CancelOAuthFlow";
import { CONNECTION_ANSWERS } from "./connectionAnswers";
import { useConnector } from "./useConnector";
import { useCan } from "../access/useCan";
import { FocusableButton } from "../../components/FocusableButton";

export function EditScopes({
  connectionId,
  connectorType,
  held,
}: {
  connectionId: string;
  connectorType: string;
  held: string[];
}) {
  const denied = useCan()("edit_scopes", connectorType);
  const vendorScopes = useConnector(connectorType)?.summary.scopes ?? [];
  const [picked, setPicked] = useState<string[]>(held);
  const [waitingFlow, setWaitingFlow] = useState<string>();
  const unchanged = picked.length === held.length && picked.every((s) => held.includes(s));
  const reauthorize = useAction(async (scopes: string[]) => {
    const started = await call("oauth_reauthorize_begin", { id: connectionId, scopes });
    setWaitingFlow(started.flow_id);
    try {
      const detail = await call("oauth_finish", { flow_id: started.flow_id });
      setPicked(detail.row.record.scopes_granted);
      return `Re-authorized: ${detail.row.record.scopes_granted.join(", ")}`;
    } finally {
      setWaitingFlow(undefined);
    }
  }, CONNECTION_ANSWERS);

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
        <FocusableButton
          disabled={unchanged || picked.length === 0 || reauthorize.isPending || !!denied}
          title={denied}
          onClick={() => reauthorize.mutate(picked)}
          data-testid="scopes-reauthorize"
        >
          {waitingFlow ? "Waiting for the browser…" : "Re-authorize with these scopes"}
        </FocusableButton>
        {waitingFlow && (
          <CancelOAuthFlow flowId={waitingFlow} />
        )}
      </div>
      {reauthorize.isSuccess && (
        <p className="muted small" role="status" data-testid="scopes-result">
          {reauthorize.data}
        </p>
      )}
      {reauthorize.error && <ErrorNotice error={reauthorize.error} />}
    </div>
  );
}
