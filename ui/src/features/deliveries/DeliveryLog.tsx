import { useDebounced } from "../../data/useDebounced";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import type { AttemptRow } from "../../bindings/AttemptRow";
import { OutcomeBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatLatency, formatTime } from "../../components/format";
import { SortHeader, type SortState } from "../../components/SortHeader";
import { useScope } from "../../scope";
import { DeliveryTimelinePanel } from "./DeliveryTimelinePanel";
import { PRESETS, rangeBounds, type RangePreset } from "./dateRange";
import { PAGE_SIZE, useDeliveryPages } from "./useDeliveryPages";

const ROW_HEIGHT = 38;
const COLUMNS: [string, string][] = [
  ["attempted_at", "Time"],
  ["originating_module", "Module"],
  ["event_identifier", "Event identifier"],
  ["outcome", "Outcome"],
  ["vendor_response_code", "Code"],
  ["latency_ms", "Latency"],
];

/** The delivery log of the whole site environment, or of one connection. */
export function DeliveryLog({ connectionId }: { connectionId?: string }) {
  const scope = useScope();
  const [search, setSearch] = useState("");
  const [outcome, setOutcome] = useState("");
  const [preset, setPreset] = useState<RangePreset>("all");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [sort, setSort] = useState<SortState>({ column: "attempted_at", descending: true });
  const [selected, setSelected] = useState<AttemptRow>();
  const debouncedSearch = useDebounced(search);
  // "Now" is fixed when the range changes, so paging through a relative range is stable.
  const bounds = useMemo(() => rangeBounds(preset, from, to, Date.now()), [preset, from, to]);
  const pages = useDeliveryPages(scope, {
    connection_id: connectionId,
    outcome: outcome || undefined,
    search: debouncedSearch || undefined,
    sort: sort.column,
    descending: sort.descending,
    ...bounds,
  });

  const scroller = useRef<HTMLDivElement>(null);
  // TanStack Virtual returns functions React Compiler cannot memoize; this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: pages.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { hasMore, loading, loadMore, rows } = pages;
  useEffect(() => {
    if (hasMore && !loading && lastIndex >= rows.length - 20) loadMore();
  }, [lastIndex, hasMore, loading, rows.length, loadMore]);

  return (
    <div className="delivery-log" data-testid="delivery-log">
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search event identifiers (e.g. ord_104233)"
          aria-label="Search event identifiers"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="log-search"
        />
        <select aria-label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} data-testid="log-outcome">
          <option value="">All outcomes</option>
          <option value="delivered">Delivered</option>
          <option value="retried">Retried</option>
          <option value="failed">Failed</option>
        </select>
        <select aria-label="Date range" value={preset} onChange={(e) => setPreset(e.target.value as RangePreset)} data-testid="log-range">
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        {preset === "custom" && (
          <>
            <label className="field-inline">
              <span>From</span>
              <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="log-from" />
            </label>
            <label className="field-inline">
              <span>To</span>
              <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="log-to" />
            </label>
          </>
        )}
      </div>
      {pages.error && <ErrorNotice error={pages.error} />}
      <div className="table" role="table" aria-label="Delivery log" aria-rowcount={pages.hasMore ? -1 : pages.rows.length}>
        <div role="row" className="tr head log-grid">
          {COLUMNS.map(([column, label]) => (
            <SortHeader key={column} column={column} label={label} sort={sort} onSort={setSort} defaultDescending={column !== "event_identifier" && column !== "originating_module"} />
          ))}
        </div>
        <div ref={scroller} className={`scroller ${connectionId ? "short" : "tall"}`} data-testid="log-scroller">
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const row = pages.rows[item.index]!;
              return (
                <div
                  role="row"
                  key={row.id}
                  className={`tr log-grid clickable ${selected?.id === row.id ? "selected" : ""}`}
                  style={{ position: "absolute", top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: "100%" }}
                  tabIndex={0}
                  onClick={() => setSelected(row)}
                  onKeyDown={(e) => e.key === "Enter" && setSelected(row)}
                  data-testid="log-row"
                  data-outcome={row.outcome}
                  data-attempted-at={row.attempted_at}
                >
                  <div role="cell">{formatTime(row.attempted_at)}</div>
                  <div role="cell">{row.originating_module}</div>
                  <div role="cell" className="mono ellipsis" title={row.event_identifier}>
                    {row.event_identifier}
                  </div>
                  <div role="cell">
                    <OutcomeBadge outcome={row.outcome} />
                  </div>
                  <div role="cell" className="mono">
                    {row.vendor_response_code ?? "—"}
                  </div>
                  <div role="cell" className="num">
                    {formatLatency(row.latency_ms)}
                  </div>
                </div>
              );
            })}
          </div>
          {!pages.loading && pages.rows.length === 0 && !pages.error && <p className="empty">No delivery attempt matches these filters.</p>}
        </div>
      </div>
      <div className="pager">
        <span data-testid="log-count">
          {pages.rows.length.toLocaleString()} {pages.rows.length === 1 ? "entry" : "entries"} loaded
          {pages.hasMore ? " · more available" : " · end of log"}
        </span>
        {pages.loading && <span className="muted">Loading…</span>}
        <button type="button" onClick={pages.loadMore} disabled={!pages.hasMore || pages.loading} data-testid="log-more">
          Load next {PAGE_SIZE}
        </button>
      </div>
      {selected && (
        <DeliveryTimelinePanel
          row={selected}
          showConnection={!connectionId}
          onClose={() => setSelected(undefined)}
        />
      )}
    </div>
  );
}
