import { useEffect, useState } from "react";
import type { BulkRetry } from "../../bindings/BulkRetry";
import type { ConnectionRow } from "../../bindings/ConnectionRow";
import { StateBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatRelative, humanize } from "../../components/format";
import { call, type IpcError } from "../../ipc";
import { href } from "../../router";
import { useScope } from "../../scope";
import { toIpcError, useAsync } from "../../useAsync";

const UNHEALTHY = ["error", "auth_expired", "auth_revoked"] as const;
const CONNECTION_STEP: Record<(typeof UNHEALTHY)[number], string> = {
  error: "Fix it at the vendor, then Test it: a good test re-enables it.",
  auth_expired: "Refresh it, or reconnect it if the vendor refuses the refresh.",
  auth_revoked: "Reconnect it: the vendor no longer accepts its credential.",
};
/** How often the queue is read again while a bulk retry is being delivered. */
const POLL_MS = 1500;

/** What needs an operator: unhealthy connections and deliveries that stopped, each with the
 *  step that unblocks it; stopped deliveries can be retried one by one or all at once. */
export function TriageView() {
  const scope = useScope();
  const [version, setVersion] = useState(0);
  const queue = useAsync(() => call("triage_queue", { scope }), [scope.site_id, scope.environment, version]);
  const counts = useAsync(() => call("outbox_counts", { scope }), [scope.site_id, scope.environment, version]);
  const connections = useAsync(
    () =>
      Promise.all(
        UNHEALTHY.map((state) =>
          call("connections_list", { scope, query: { state, page: 0, page_size: 100, sort: "display_name", descending: false } }).then((p) => p.rows),
        ),
      ).then((lists) => lists.flat()),
    [scope.site_id, scope.environment, version],
  );
  const [bulk, setBulk] = useState<{ result: BulkRetry; dueBefore: number }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError>();

  // While re-queued deliveries are being attempted, read the queue again so progress shows.
  const due = counts.value?.due ?? 0;
  const delivering = bulk !== undefined && due > bulk.dueBefore;
  useEffect(() => {
    if (!delivering) return;
    const timer = setTimeout(() => setVersion((v) => v + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [delivering, version]);

  async function retry(run: () => Promise<unknown>) {
    setError(undefined);
    setBusy(true);
    try {
      await run();
    } catch (e) {
      setError(toIpcError(e));
    } finally {
      setBusy(false);
      setVersion((v) => v + 1);
    }
  }

  const items = queue.value ?? [];
  const unhealthy: ConnectionRow[] = connections.value ?? [];
  const attempted = bulk ? Math.max(0, bulk.result.requeued - Math.max(0, due - bulk.dueBefore)) : 0;
  return (
    <section aria-labelledby="triage-title" data-testid="triage">
      <div className="view-header">
        <h1 id="triage-title">Triage</h1>
        <p className="muted">What needs you: connections that stopped working and deliveries that stopped trying.</p>
        {counts.value && (
          <p className="muted small" data-testid="outbox-counts">
            Outbox: {counts.value.due} due now · {counts.value.scheduled} waiting for a retry · {counts.value.stopped} stopped · {counts.value.held} held by paused connections
          </p>
        )}
      </div>
      {error && <ErrorNotice error={error} />}
      <div className="panel">
        <div className="panel-head">
          <h2>Stopped deliveries</h2>
          <button
            type="button"
            disabled={busy || items.length === 0}
            data-testid="triage-retry-all"
            onClick={() =>
              void retry(async () => {
                const dueBefore = counts.value?.due ?? 0;
                const result = await call("deliveries_retry_bulk", { scope, filter: { outcome: "failed" } });
                setBulk({ result, dueBefore });
              })
            }
          >
            Retry all {items.length > 0 ? items.length : ""}
          </button>
        </div>
        {bulk && (
          <div role="status" className="small" data-testid="triage-progress">
            <progress max={Math.max(1, bulk.result.requeued)} value={attempted} /> Re-queued {bulk.result.requeued} of {bulk.result.matched}; {attempted} attempted
            {delivering ? "…" : ". Those that failed again are back in the list."}
          </div>
        )}
        {queue.status === "error" && <ErrorNotice error={queue.error} />}
        {items.length === 0 && queue.status === "ready" && <p className="muted">No delivery is waiting for an operator.</p>}
        <ul className="triage-list" data-testid="triage-deliveries">
          {items.map(({ delivery: d, next_step }) => (
            <li key={d.delivery_id} data-testid="triage-delivery">
              <div>
                <span className={`badge tone-${d.status === "dead_letter" ? "bad" : "warn"}`}>{humanize(d.status)}</span>{" "}
                <span className="mono">{d.event_identifier}</span> <span className="muted">→ {d.connection_display_name ?? d.connection_id}</span>
              </div>
              <div className="small muted">
                {d.attempts_made} attempt{d.attempts_made === 1 ? "" : "s"} · last {d.last_response_code ? `HTTP ${d.last_response_code}` : humanize(d.last_error_class ?? "no answer")} {formatRelative(d.last_attempted_at)} · <code>{d.delivery_id}</code>
              </div>
              <div className="small">{next_step}</div>
              <button type="button" className="ghost" disabled={busy} onClick={() => void retry(() => call("delivery_retry", { delivery_id: d.delivery_id }))}>
                Retry
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="panel">
        <h2>Connections</h2>
        {connections.status === "error" && <ErrorNotice error={connections.error} />}
        {unhealthy.length === 0 && connections.status === "ready" && <p className="muted">Every connection is active or paused.</p>}
        <ul className="triage-list" data-testid="triage-connections">
          {unhealthy.map((row) => (
            <li key={row.record.id}>
              <div>
                <StateBadge state={row.record.state} /> <a href={href({ view: "connection", id: row.record.id })}>{row.record.display_name}</a>{" "}
                <span className="muted">· {row.connector_name}</span>
              </div>
              <div className="small">{CONNECTION_STEP[row.record.state as (typeof UNHEALTHY)[number]]}</div>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
