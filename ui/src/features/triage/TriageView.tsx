import { useQueries } from "@tanstack/react-query";
import { useState } from "react";
import type { BulkRetry } from "../../bindings/BulkRetry";
import type { ConnectionRow } from "../../bindings/ConnectionRow";
import { StateBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { formatRelative, humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { callQuery, useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { href } from "../../router";
import { useScope } from "../../scope";
import { useCan } from "../access/useCan";

const UNHEALTHY = ["error", "auth_expired", "auth_revoked"] as const;
const CONNECTION_STEP: Record<(typeof UNHEALTHY)[number], string> = {
  error: "Fix it at the vendor, then Test it: a good test re-enables it.",
  auth_expired: "Refresh it, or reconnect it if the vendor refuses the refresh.",
  auth_revoked: "Reconnect it: the vendor no longer accepts its credential.",
};
/** What a retry changes on this screen. */
const RETRY_REFRESHES = ["triage_queue", "outbox_counts", "connections_list", "deliveries_query"] as const;

/** What needs an operator: unhealthy connections and deliveries that stopped, each with the
 *  step that unblocks it; stopped deliveries can be retried one by one or all at once. The
 *  core's events keep it current, so a bulk retry's progress shows as its deliveries are made. */
export function TriageView() {
  const scope = useScope();
  const queue = useCall("triage_queue", { scope });
  const counts = useCall("outbox_counts", { scope });
  const connections = useQueries({
    queries: UNHEALTHY.map((state) =>
      callQuery("connections_list", { scope, query: { state, page: 0, page_size: 100, sort: "display_name", descending: false } }),
    ),
    combine: (lists) => ({
      rows: lists.flatMap((list) => list.data?.rows ?? []),
      error: lists.find((list) => list.error)?.error,
      ready: lists.every((list) => list.isSuccess),
    }),
  });
  const [bulk, setBulk] = useState<{ result: BulkRetry; dueBefore: number }>();
  const retryAll = useAction(async (dueBefore: number) => {
    const result = await call("deliveries_retry_bulk", { scope, filter: { outcome: "failed" } });
    setBulk({ result, dueBefore });
  }, [...RETRY_REFRESHES]);
  const retryOne = useAction((delivery_id: string) => call("delivery_retry", { delivery_id }), [...RETRY_REFRESHES]);
  const denied = useCan()("retry_deliveries");
  const busy = retryAll.isPending || retryOne.isPending || !!denied;
  const error = retryAll.error ?? retryOne.error;

  const due = counts.data?.due ?? 0;
  const delivering = bulk !== undefined && due > bulk.dueBefore;
  const items = queue.data ?? [];
  const unhealthy: ConnectionRow[] = connections.rows;
  const attempted = bulk ? Math.max(0, bulk.result.requeued - Math.max(0, due - bulk.dueBefore)) : 0;
  return (
    <section aria-labelledby="triage-title" data-testid="triage">
      <div className="view-header">
        <h1 id="triage-title">Triage</h1>
        <p className="muted">What needs you: connections that stopped working and deliveries that stopped trying.</p>
        {counts.data && (
          <p className="muted small" data-testid="outbox-counts">
            Outbox: {counts.data.due} due now · {counts.data.scheduled} waiting for a retry · {counts.data.stopped} stopped · {counts.data.held} held by paused connections
          </p>
        )}
      </div>
      {error && <ErrorNotice error={error} />}
      <div className="panel">
        <div className="panel-head">
          <h2>Stopped deliveries</h2>
          <FocusableButton
            disabled={busy || items.length === 0}
            title={denied}
            data-testid="triage-retry-all"
            onClick={() => retryAll.mutate(counts.data?.due ?? 0)}
          >
            Retry all {items.length > 0 ? items.length : ""} stopped deliveries
          </FocusableButton>
        </div>
        {bulk && (
          <div role="status" className="small" data-testid="triage-progress">
            <progress max={Math.max(1, bulk.result.requeued)} value={attempted} /> Re-queued {bulk.result.requeued} of {bulk.result.matched}; {attempted} attempted
            {delivering ? "…" : ". Those that failed again are back in the list."}
          </div>
        )}
        {queue.status === "error" && <ErrorNotice error={queue.error} />}
        {items.length === 0 && queue.status === "success" && <p className="muted">No delivery is waiting for an operator.</p>}
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
              <FocusableButton
                className="ghost"
                disabled={busy}
                title={denied}
                onClick={() => retryOne.mutate(d.delivery_id)}
                aria-label={`Retry ${d.event_identifier} to ${d.connection_display_name ?? d.connection_id}`}
              >
                Retry
              </FocusableButton>
            </li>
          ))}
        </ul>
      </div>
      <div className="panel">
        <h2>Connections</h2>
        {connections.error && <ErrorNotice error={connections.error} />}
        {unhealthy.length === 0 && connections.ready && <p className="muted">Every connection is active or paused.</p>}
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
