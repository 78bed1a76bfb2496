// Requests the listener refused, with the step that failed, so an operator can tell a wrong
// secret from a slow clock; one can be checked again once the secret is fixed.
import { useState } from "react";
import type { RefusedRequest } from "../../bindings/RefusedRequest";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { formatTime, humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { useScope } from "../../scope";
import { useCan } from "../access/useCan";
import { HeadersTable } from "./HeadersTable";

export function RefusedRequests({ connectionId }: { connectionId?: string }) {
  const scope = useScope();
  const page = useCall("rejections_query", { scope, connection_id: connectionId });
  const rows = page.data?.rows ?? [];
  return (
    <div className="panel" data-testid="refused-requests">
      {page.error && <ErrorNotice error={page.error} />}
      {rows.length === 0 && page.isSuccess && <p className="muted">The listener has refused nothing.</p>}
      <ul className="triage-list">
        {rows.map((refused) => (
          <Refused key={refused.request.seq} refused={refused} />
        ))}
      </ul>
    </div>
  );
}

function Refused({ refused }: { refused: RefusedRequest }) {
  const denied = useCan()("handle_inbound_events");
  const [open, setOpen] = useState(false);
  const r = refused.request;
  const recheck = useAction((seq: number) => call("rejection_recheck", { seq }), ["rejections_query", "events_query", "rejection_get"]);
  return (
    <li data-testid="refused-request">
      <div>
        <span className="badge tone-bad">{humanize(refused.rejection.step)}</span> <span>{refused.message}</span>
      </div>
      <div className="small muted">
        {formatTime(r.received_at)} · {r.connection_name ?? r.connection_id} · <span className="mono">{r.method} {r.target}</span> ·{" "}
        {r.body_length.toLocaleString()} bytes
      </div>
      {refused.recheck && (
        <div className="small" role="status" data-testid="recheck-result">
          Re-checked {formatTime(r.rechecked_at)}: {refused.recheck}
        </div>
      )}
      <div className="actions-bar">
        <button type="button" className="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide request" : "Show request"}
        </button>
        <FocusableButton className="ghost" disabled={recheck.isPending || !!denied} title={denied} onClick={() => recheck.mutate(r.seq)} data-testid="recheck">
          {recheck.isPending ? "Checking…" : "Re-check with the current secret"}
        </FocusableButton>
      </div>
      {recheck.error && <ErrorNotice error={recheck.error} />}
      {open && <RefusedDetail seq={r.seq} />}
    </li>
  );
}

function RefusedDetail({ seq }: { seq: number }) {
  const detail = useCall("rejection_get", { seq });
  if (detail.error) return <ErrorNotice error={detail.error} />;
  if (!detail.data) return <p className="muted small">Loading…</p>;
  return (
    <div className="event-detail">
      <HeadersTable headers={detail.data.headers} />
      <pre className="payload">{detail.data.body || "(no body)"}</pre>
      {!detail.data.complete && <p className="muted small">Only the first 64 KiB of the body was kept.</p>}
    </div>
  );
}
