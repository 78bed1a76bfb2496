// "Send test event": one of the connector's actions with a payload the operator can edit, queued
// like any event and attempted at once, so a person can watch a delivery happen (and, against a
// sandbox vendor with faults, watch it retry).
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call, IpcError } from "../../ipc";
import { CONNECTION_ANSWERS } from "./connectionAnswers";
import { useCan } from "../access/useCan";
import { useConnector } from "./useConnector";

export function SendTestEvent({ connectionId, connectorType }: { connectionId: string; connectorType: string }) {
  const denied = useCan()("send_events");
  const actions = useConnector(connectorType)?.actions ?? [];
  const [picked, setAction] = useState<string>();
  const action = picked ?? actions[0]?.id ?? "";
  const [payload, setPayload] = useState('{\n  "type": "sgen.test"\n}');
  const sending = useAction(async (text: string) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new IpcError("invalid_argument", `The payload is not JSON: ${(e as Error).message}`);
    }
    const sent = await call("delivery_send", {
      id: connectionId,
      action,
      event: { originating_module: "operator-test", event_identifier: `test.event ${new Date().toISOString()}`, payload: parsed },
    });
    const r = sent.round;
    return sent.queued.held
      ? `Queued ${sent.queued.delivery_id}; held while the connection is paused.`
      : `Queued ${sent.queued.delivery_id}: ${r.delivered} delivered, ${r.retrying} to retry, ${r.dead_lettered + r.gone} failed.`;
  }, CONNECTION_ANSWERS);

  if (actions.length === 0) return null;
  return (
    <div className="panel" data-testid="send-test-event">
      <h2>Send a test event</h2>
      <label>
        Action
        <select value={action} onChange={(e) => setAction(e.target.value)} name="action">
          {actions.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Payload (JSON; its top-level fields also fill the action's address)
        <textarea rows={5} spellCheck={false} value={payload} onChange={(e) => setPayload(e.target.value)} name="payload" />
      </label>
      <div className="form-actions">
        <button type="button" disabled={sending.isPending || !!denied} title={denied} onClick={() => sending.mutate(payload)} data-testid="send-test-event-submit">
          {sending.isPending ? "Sending…" : "Send"}
        </button>
      </div>
      {sending.isSuccess && (
        <p className="muted small" role="status" data-testid="send-test-event-result">
          {sending.data}
        </p>
      )}
      {sending.error && <ErrorNotice error={sending.error} />}
    </div>
  );
}
