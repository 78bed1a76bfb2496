import { useState } from "react";
import type { HealthBucket } from "../../bindings/HealthBucket";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatLatency } from "../../components/format";
import { Segmented, type SegmentedOption } from "../../components/Segmented";
import { useCall } from "../../data/useCall";

const RANGES: SegmentedOption<number>[] = [
  { value: 1, label: "24 h" },
  { value: 14, label: "14 days" },
  { value: 90, label: "90 days" },
];
const WIDTH = 560;
const HEIGHT = 140;
const PAD = 4;

/** Success rate and latency of a connection's attempts over time: one bar per hour or day,
 *  delivered in the good tone, the rest in the bad one, mean latency as a line. */
export function DeliveryHealthChart({ connectionId }: { connectionId: string }) {
  const [days, setDays] = useState(14);
  const health = useCall("delivery_health", { id: connectionId, days });
  const h = health.data;
  const slots = h ? Math.round((days * 86_400_000) / h.bucket_ms) + 1 : 0;
  const byStart = new Map<number, HealthBucket>((h?.buckets ?? []).map((b) => [b.start, b]));
  const buckets = h ? Array.from({ length: slots }, (_, i) => byStart.get(h.since + i * h.bucket_ms)) : [];
  const attempts = h?.buckets.reduce((n, b) => n + b.attempts, 0) ?? 0;
  const delivered = h?.buckets.reduce((n, b) => n + b.delivered, 0) ?? 0;
  const mostAttempts = Math.max(1, ...buckets.map((b) => b?.attempts ?? 0));
  const slowest = Math.max(1, ...buckets.map((b) => b?.mean_latency_ms ?? 0));
  const slot = (WIDTH - 2 * PAD) / Math.max(1, slots);
  const y = (fraction: number) => HEIGHT - PAD - fraction * (HEIGHT - 2 * PAD);
  const latencyPoints = buckets
    .map((b, i) => (b ? `${PAD + (i + 0.5) * slot},${y(b.mean_latency_ms / slowest)}` : null))
    .filter(Boolean)
    .join(" ");

  return (
    <div className="panel health" data-testid="delivery-health">
      <div className="panel-head">
        <h2>Delivery health</h2>
        <Segmented label="Health range" options={RANGES} value={days} onChange={setDays} />
      </div>
      {health.status === "error" && <ErrorNotice error={health.error} />}
      {h && (
        <>
          <p className="muted small" data-testid="health-summary">
            {attempts === 0
              ? "No attempts in this range."
              : `${((delivered / attempts) * 100).toFixed(1)} % of ${attempts.toLocaleString()} attempts delivered · slowest ${h.bucket_ms === 3_600_000 ? "hour" : "day"} averaged ${formatLatency(Math.max(...h.buckets.map((b) => b.mean_latency_ms)))}`}
          </p>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="health-chart" role="img" aria-label="Attempts per period, delivered and not, with mean latency">
            <line x1={PAD} x2={WIDTH - PAD} y1={y(0)} y2={y(0)} className="axis" />
            {buckets.map((b, i) => {
              if (!b) return null;
              const x = PAD + i * slot + slot * 0.15;
              const w = Math.max(1, slot * 0.7);
              const total = b.attempts / mostAttempts;
              const good = b.delivered / mostAttempts;
              return (
                <g key={b.start}>
                  <title>{`${new Date(b.start).toLocaleString()}: ${b.delivered}/${b.attempts} delivered, mean ${formatLatency(b.mean_latency_ms)}, max ${formatLatency(b.max_latency_ms)}`}</title>
                  <rect x={x} width={w} y={y(total)} height={y(good) - y(total)} className="bar-failed" />
                  <rect x={x} width={w} y={y(good)} height={y(0) - y(good)} className="bar-delivered" />
                </g>
              );
            })}
            {latencyPoints && <polyline points={latencyPoints} className="latency-line" />}
          </svg>
          <p className="legend small muted">
            <span className="swatch delivered" /> delivered <span className="swatch failed" /> retried or failed <span className="swatch latency" /> mean latency (scaled to the slowest, {formatLatency(slowest)})
          </p>
        </>
      )}
    </div>
  );
}
