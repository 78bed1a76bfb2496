import { useDebounced } from "../../data/useDebounced";
import { defaultRangeExtractor, useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useId, useRef, useState } from "react";
import type { AttemptRow } from "../../bindings/AttemptRow";
import { OutcomeBadge } from "../../components/Badges";
import { FocusableButton } from "../../components/FocusableButton";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatLatency, formatTime } from "../../components/format";
import { SortHeader, type SortState } from "../../components/SortHeader";
import { useScope } from "../../scope";
import { DeliveryTimelinePanel } from "./DeliveryTimelinePanel";
import { useDateRange } from "../../components/DateRangeFilter";
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
  const [sort, setSort] = useState<SortState>({ column: "attempted_at", descending: true });
  const [selected, setSelected] = useState<AttemptRow>();
  const debouncedSearch = useDebounced(search);
  const [bounds, dateRange] = useDateRange("log");
  const pages = useDeliveryPages(scope, {
    connection_id: connectionId,
    outcome: outcome || undefined,
    search: debouncedSearch || undefined,
    sort: sort.column,
    descending: sort.descending,
    ...bounds,
  });

  const scroller = useRef<HTMLDivElement>(null);
  const { hasMore, loading, loadMore, rows } = pages;
  // The grid's one Tab stop moves a row at a time with the keys (WAI-ARIA grid pattern); the
  // active row stays rendered while the list is virtualised, so focus is never lost.
  // A new query starts again at its first row. The active row is kept by its id, so attempts
  // arriving above it (the worker records them as it goes) do not move the focus off it.
  const query = JSON.stringify([connectionId, outcome, debouncedSearch, sort, bounds]);
  const [activeRow, setActiveRow] = useState<{ query: string; index: number; id?: number }>({ query, index: 0 });
  const sameQuery = activeRow.query === query;
  const kept = sameQuery && activeRow.id !== undefined ? rows.findIndex((r) => r.id === activeRow.id) : -1;
  const active = kept >= 0 ? kept : sameQuery ? Math.min(activeRow.index, Math.max(0, rows.length - 1)) : 0;
  // Pages load as the pointer scrolls near the end, never because the keys moved the focus.
  const movedByKeys = useRef(false);
  // TanStack Virtual returns functions React Compiler cannot memoize; this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    rangeExtractor: (range) => {
      const indexes = defaultRangeExtractor(range);
      return rows.length > 0 && !indexes.includes(active) ? [...indexes, active].sort((a, b) => a - b) : indexes;
    },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (!movedByKeys.current && hasMore && !loading && lastIndex >= rows.length - 20) loadMore();
  }, [lastIndex, hasMore, loading, rows.length, loadMore]);

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    movedByKeys.current = true;
    setActiveRow({ query, index: next, id: rows[next]?.id });
    virtualizer.scrollToIndex(next, { align: "auto" });
  };
  const open = (index: number) => {
    setActiveRow({ query, index, id: rows[index]?.id });
    setSelected(rows[index]);
  };
  const close = () => {
    setSelected(undefined);
    scroller.current?.focus();
  };
  const rowsPerPage = () => Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
  const onGridKey = (e: React.KeyboardEvent) => {
    const target: Record<string, () => number> = {
      ArrowDown: () => active + 1,
      ArrowUp: () => active - 1,
      PageDown: () => active + rowsPerPage(),
      PageUp: () => active - rowsPerPage(),
      Home: () => 0,
      End: () => rows.length - 1,
    };
    if (e.target !== e.currentTarget || rows.length === 0) return;
    if (target[e.key]) {
      e.preventDefault();
      moveTo(target[e.key]!());
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      open(active);
    }
  };
  const rowId = (row: AttemptRow) => `log-row-${row.id}`;
  const headId = useId();

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
        {dateRange}
      </div>
      {pages.error && <ErrorNotice error={pages.error} />}
      <div className="table log-table">
        {/* The column headers come first in the Tab order (each sorts); the grid owns them. */}
        <div role="rowgroup" id={headId}>
          <div role="row" className="tr head log-grid" aria-rowindex={1}>
            {COLUMNS.map(([column, label]) => (
              <SortHeader key={column} column={column} label={label} sort={sort} onSort={setSort} defaultDescending={column !== "event_identifier" && column !== "originating_module"} />
            ))}
          </div>
        </div>
        {/* The scrolling region is the grid itself: one Tab stop, keys move the active row. */}
        <div
          ref={scroller}
          className={`scroller ${connectionId ? "short" : "tall"}`}
          role="grid"
          aria-label="Delivery log"
          aria-owns={headId}
          aria-rowcount={pages.hasMore ? -1 : rows.length + 1}
          aria-activedescendant={rows[active] ? rowId(rows[active]) : undefined}
          tabIndex={0}
          onKeyDown={onGridKey}
          onWheel={() => (movedByKeys.current = false)}
          onPointerDown={() => (movedByKeys.current = false)}
          data-testid="log-grid"
        >
          <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <div
                  role="row"
                  id={rowId(row)}
                  key={row.id}
                  aria-rowindex={item.index + 2}
                  aria-selected={selected?.id === row.id}
                  className={`tr log-grid clickable ${selected?.id === row.id ? "selected" : ""} ${item.index === active ? "active" : ""}`}
                  style={{ position: "absolute", top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: "100%" }}
                  onClick={() => open(item.index)}
                  data-testid="log-row"
                  data-outcome={row.outcome}
                  data-attempted-at={row.attempted_at}
                >
                  <div role="gridcell">{formatTime(row.attempted_at)}</div>
                  <div role="gridcell">{row.originating_module}</div>
                  <div role="gridcell" className="mono ellipsis" title={row.event_identifier}>
                    {row.event_identifier}
                  </div>
                  <div role="gridcell">
                    <OutcomeBadge outcome={row.outcome} />
                  </div>
                  <div role="gridcell" className="mono">
                    {row.vendor_response_code ?? "—"}
                  </div>
                  <div role="gridcell" className="num">
                    {formatLatency(row.latency_ms)}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {!pages.loading && rows.length === 0 && !pages.error && <p className="empty">No delivery attempt matches these filters.</p>}
      <div className="pager">
        <span data-testid="log-count">
          {pages.rows.length.toLocaleString()} {pages.rows.length === 1 ? "entry" : "entries"} loaded
          {pages.hasMore ? " · more available" : " · end of log"}
        </span>
        {pages.loading && <span className="muted">Loading…</span>}
        <FocusableButton disabled={!pages.hasMore || pages.loading} onClick={pages.loadMore} data-testid="log-more">
          Load next {PAGE_SIZE}
        </FocusableButton>
      </div>
      {selected && (
        <DeliveryTimelinePanel
          row={selected}
          showConnection={!connectionId}
          onClose={close}
        />
      )}
    </div>
  );
}
