import { useEffect, useRef } from "react";
import type { AttemptRow } from "../../bindings/AttemptRow";
import { OutcomeBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatLatency, formatRelative, formatTime, humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { href } from "../../router";
import { useCan } from "../access/useCan";
import { FocusableButton } from "../../components/FocusableButton";
import { ReplayPanel } from "../support/ReplayPanel";

/** The delivery an attempt belongs to: every attempt, what happens next, and Retry. It takes
 *  the focus when it opens; Escape closes it (the log then gives the focus back to its row). */
export function DeliveryTimelinePanel({
  row,
  showConnection,
  onClose,
}: {
  row: AttemptRow;
  showConnection: boolean;
  onClose: () => void;
}) {
  const denied = useCan()("retry_deliveries");
  const timeline = useCall("delivery_timeline", { delivery_id: row.delivery_id });
  const retry = useAction(
    (delivery_id: string) => call("delivery_retry", { delivery_id }),
    ["delivery_timeline", "deliveries_query", "delivery_health", "connection_get", "triage_queue", "outbox_counts"],
  );
  const retried = retry.data && (retry.data.delivered > 0 ? "Retried: delivered." : "Retried: it failed again; see the new attempt.");

  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [row.id]);

  const t = timeline.data;
  const waiting = t && (t.stopped || t.next_attempt_at !== null);
  return (
    <aside
      className="panel attempt-detail"
      aria-labelledby="attempt-detail-title"
      data-testid="attempt-detail"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="panel-head">
        {/* Focus lands here when the panel opens, so a screen reader reads what opened. */}
        <h2 id="attempt-detail-title" tabIndex={-1} ref={heading}>
          Delivery <code>{row.delivery_id}</code>
        </h2>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close delivery detail">
          ✕
        </button>
      </div>
      <dl className="facts">
        {showConnection && (
          <>
            <dt>Connection</dt>
            <dd>
              <a href={href({ view: "connection", id: row.connection_id })}>{row.connection_display_name ?? row.connection_id}</a>
            </dd>
          </>
        )}
        <dt>Event</dt>
        <dd className="mono">{row.event_identifier}</dd>
        <dt>Status</dt>
        <dd data-testid="delivery-status">{t ? humanize(t.status) : "…"}</dd>
        <dt>Request</dt>
        <dd className="mono wrap">{row.request_summary ?? "—"}</dd>
        <dt>Next attempt</dt>
        <dd data-testid="delivery-next">
          {t?.next_attempt_at ? `${formatTime(t.next_attempt_at)} (${formatRelative(t.next_attempt_at)})` : t?.stopped ? "none: stopped, waiting for an operator" : "none"}
        </dd>
      </dl>
      {timeline.status === "error" && <ErrorNotice error={timeline.error} />}
      {t && (
        <>
          <h3>Attempts</h3>
          <ol className="timeline attempts" data-testid="delivery-attempts">
            {t.attempts.map((a) => (
              <li key={a.id} className={a.id === row.id ? "current" : ""}>
                <div>
                  <strong>#{a.attempt_number}</strong> <OutcomeBadge outcome={a.outcome} />{" "}
                  <span className="mono">{a.vendor_response_code ? `HTTP ${a.vendor_response_code}` : a.error_class ? humanize(a.error_class) : ""}</span>{" "}
                  <span className="muted">· {formatLatency(a.latency_ms)} · {humanize(a.trigger)}</span>
                </div>
                <div className="muted small">{formatTime(a.attempted_at)}</div>
              </li>
            ))}
          </ol>
          {t.schedule_ahead.length > 0 && (
            <>
              <h3>If the next attempt fails too</h3>
              <p className="muted small" data-testid="schedule-ahead">
                Then, about {t.schedule_ahead.map((at) => formatRelative(at)).join(", ")}; after that it becomes a dead letter.
              </p>
            </>
          )}
        </>
      )}
      {waiting && (
        <p>
          <FocusableButton onClick={() => retry.mutate(row.delivery_id)} disabled={retry.isPending || !!denied} title={denied} data-testid="attempt-retry">
            {t.stopped ? "Retry this delivery" : "Retry now"}
          </FocusableButton>{" "}
          <span className="muted small">Same delivery id, so the vendor can tell it is the same event.</span>
        </p>
      )}
      {retried && (
        <p className="muted small" role="status" data-testid="attempt-retry-result">
          {retried}
        </p>
      )}
      {retry.error && <ErrorNotice error={retry.error} />}
      {t && t.attempts.some((a) => a.outcome !== "delivered") && <ReplayPanel deliveryId={row.delivery_id} />}
    </aside>
  );
}
