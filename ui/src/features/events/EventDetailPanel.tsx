// One event: how and when it arrived, how it was verified, which automations it started (and how
// each run went), its headers (secret-looking values redacted when it was stored) and its payload
// as the vendor sent it.
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime } from "../../components/format";
import { verificationLabel } from "../../components/verification";
import { useCall } from "../../data/useCall";
import { href } from "../../router";
import { RunStatusBadge } from "../automations/StatusBadges";
import { headerCount, HeadersTable } from "./HeadersTable";

export function EventDetailPanel({ id }: { id: string }) {
  const detail = useCall("event_get", { id });
  if (detail.error) return <ErrorNotice error={detail.error} />;
  if (!detail.data) return <p className="muted small">Loading…</p>;
  const { event: e, headers, payload, processed_by: processedBy } = detail.data;
  const skew = e.signed_at != null ? Math.round((e.received_at - e.signed_at) / 1000) : null;
  const headerRows = headerCount(headers);
  return (
    <div className="event-detail" data-testid="event-detail">
      <dl className="facts">
        <dt>Event</dt>
        <dd>
          <code>{e.id}</code>
          {e.vendor_event_id && (
            <>
              {" "}· vendor&apos;s id <code>{e.vendor_event_id}</code>
            </>
          )}
        </dd>
        <dt>Verified</dt>
        <dd data-testid="event-verified">
          <span className="badge tone-good">Verified</span> {verificationLabel(e.verified_by)}
          {skew != null && <span className="muted small"> · signed {skew} s before it arrived</span>}
        </dd>
        <dt>Received</dt>
        <dd>{formatTime(e.received_at)}</dd>
        <dt>Processed by</dt>
        <dd data-testid="event-processed-by">
          {processedBy.length === 0
            ? "No automation"
            : processedBy.map((p) => (
                <div key={p.run_id}>
                  <a href={href({ view: "automation", id: p.automation_id })}>{p.automation_name}</a>{" "}
                  <RunStatusBadge status={p.status} dryRun={p.dry_run} />
                </div>
              ))}
        </dd>
        <dt>Copies</dt>
        <dd>
          {e.duplicates === 0
            ? "Received once"
            : `Received ${e.duplicates + 1} times; stored once (last copy ${formatTime(e.last_duplicate_at)})`}
        </dd>
      </dl>
      {headerRows > 0 && (
        <details>
          <summary>Headers ({headerRows})</summary>
          <HeadersTable headers={headers} />
        </details>
      )}
      <pre className="payload" data-testid="event-payload">
        {JSON.stringify(payload, null, 2)}
      </pre>
    </div>
  );
}
