// The sandbox's emitter on a connection's page: one of the vendor's event types, from the
// vendor's example (editable), signed with the connection's secret as the vendor signs it and
// sent to the listener. A signing time away from now shows a clock-skew refusal; "twice" shows
// deduplication; a wrong secret shows a refusal. Where the vendor has an events API, "missed"
// keeps the event there without sending it, as while the app was closed: "Catch up now" finds it.
import { useState } from "react";
import type { EmitAnswer } from "../../bindings/EmitAnswer";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call, IpcError } from "../../ipc";
import { useCan } from "../access/useCan";
import { useConnector } from "../connections/useConnector";

const SIGNED: { label: string; offsetMs: number }[] = [
  { label: "now", offsetMs: 0 },
  { label: "10 minutes ago (too old)", offsetMs: -600_000 },
  { label: "10 minutes ahead (clock behind)", offsetMs: 600_000 },
];

export function EmitEvent({ connectionId, ready, catchesUp }: { connectionId: string; ready: boolean; catchesUp: boolean }) {
  const denied = useCan()("use_sandbox");
  const connection = useCall("connection_get", { id: connectionId });
  const connector = useConnector(connection.data?.row.record.connector_type ?? "");
  const example = useCall("sandbox_event_example", { id: connectionId });
  const types = connector?.inbound_event_types ?? [];
  const [picked, setType] = useState<string>();
  const eventType = picked ?? types[0] ?? "";
  const [edited, setPayload] = useState<string>();
  const payload = edited ?? (example.data ? JSON.stringify(example.data, null, 2) : "");
  const [offset, setOffset] = useState(0);
  const [twice, setTwice] = useState(false);
  const [wrongSecret, setWrongSecret] = useState(false);
  const [missed, setMissed] = useState(false);
  const emit = useAction(async () => {
    let parsed;
    try {
      parsed = JSON.parse(payload) as unknown;
    } catch (e) {
      throw new IpcError("invalid_argument", `The payload is not JSON: ${(e as Error).message}`);
    }
    return call("sandbox_emit", {
      request: {
        connection_id: connectionId,
        event_type: eventType,
        payload: parsed as never,
        signed_at: offset === 0 ? undefined : Date.now() + offset,
        twice: twice && !missed,
        wrong_secret: wrongSecret && !missed,
        missed,
      },
    });
  }, ["events_query", "rejections_query"]);
  if (types.length === 0) return null;
  return (
    <div className="emit" data-testid="emit-event">
      <h3>Emit a sandbox event</h3>
      <p className="muted small">Signed as the vendor signs it and sent to this app&apos;s listener, like `stripe trigger`, offline.</p>
      <div className="oauth-server">
        <label>
          Event type
          <select value={eventType} onChange={(e) => setType(e.target.value)} data-testid="emit-type">
            {types.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Signed
          <select value={offset} onChange={(e) => setOffset(Number(e.target.value))} data-testid="emit-signed">
            {SIGNED.map((s) => (
              <option key={s.offsetMs} value={s.offsetMs}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        Payload ($id, $time, $iso and $type are filled in when it is sent)
        <textarea rows={8} spellCheck={false} value={payload} onChange={(e) => setPayload(e.target.value)} data-testid="emit-payload" />
      </label>
      <div className="form-actions">
        <label className="inline">
          <input type="checkbox" checked={twice} onChange={(e) => setTwice(e.target.checked)} disabled={missed} data-testid="emit-twice" /> Send it twice
        </label>
        <label className="inline">
          <input type="checkbox" checked={wrongSecret} onChange={(e) => setWrongSecret(e.target.checked)} disabled={missed} data-testid="emit-wrong-secret" /> Sign
          with a wrong secret
        </label>
        {catchesUp && (
          <label className="inline" title="The vendor keeps it in its events list but does not send it, as while the app was closed">
            <input type="checkbox" checked={missed} onChange={(e) => setMissed(e.target.checked)} data-testid="emit-missed" /> Missed (kept at
            the vendor only)
          </label>
        )}
        <button type="button" disabled={!ready || emit.isPending || !eventType || !!denied} title={denied} onClick={() => emit.mutate(undefined)} data-testid="emit-submit">
          {emit.isPending ? "Sending…" : "Emit"}
        </button>
        {!ready && <span className="muted small">Enter the signing secret first.</span>}
      </div>
      {emit.error && <ErrorNotice error={emit.error} />}
      {emit.data && (
        <ul className="small" role="status" data-testid="emit-answers">
          {emit.data.length === 0 && <li>Kept in the vendor&apos;s events list, not sent: &ldquo;Catch up now&rdquo; fetches it.</li>}
          {emit.data.map((answer, i) => (
            <li key={i}>{describe(answer)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function describe({ status, answer }: EmitAnswer): string {
  const body = (answer ?? {}) as { events?: { id: string; duplicate: boolean }[]; message?: string };
  if (status === 200 && body.events) {
    return body.events.map((e) => (e.duplicate ? `${status}: a duplicate of ${e.id}, counted` : `${status}: stored as ${e.id}`)).join("; ");
  }
  return `${status}: refused — ${body.message ?? "no reason given"}`;
}
