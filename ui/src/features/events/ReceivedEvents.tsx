// The received events, newest first, fetched page by page with the log's keyset cursor; a row
// opens its detail (headers, payload, how it was verified).
import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { EventPage } from "../../bindings/EventPage";
import type { EventQuery } from "../../bindings/EventQuery";
import { useDateRange } from "../../components/DateRangeFilter";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime } from "../../components/format";
import { Segmented, type SegmentedOption } from "../../components/Segmented";
import { useDebounced } from "../../data/useDebounced";
import { callKey } from "../../data/useCall";
import { call, type IpcError, toIpcError } from "../../ipc";
import { useScope } from "../../scope";
import { EventDetailPanel } from "./EventDetailPanel";

const PAGE_SIZE = 100;
type Arrival = "all" | "pushed" | "pulled" | "app";
const ARRIVALS: SegmentedOption<Arrival>[] = [
  { value: "all", label: "All", testId: "events-arrival-all" },
  { value: "pushed", label: "Pushed", testId: "events-arrival-pushed" },
  { value: "pulled", label: "Pulled", testId: "events-arrival-pulled" },
  { value: "app", label: "App", testId: "events-arrival-app" },
];
const ARRIVAL_LABEL: Record<string, string> = { pushed: "pushed", pulled: "pulled", app: "app event" };

export function ReceivedEvents({ connectionId }: { connectionId?: string }) {
  const scope = useScope();
  const [search, setSearch] = useState("");
  const [arrival, setArrival] = useState<Arrival>("all");
  const [open, setOpen] = useState<string>();
  const [bounds, dateRange] = useDateRange("events");
  const query: EventQuery = {
    connection_id: connectionId,
    since: bounds.since,
    until: bounds.until,
    search: useDebounced(search).trim() || undefined,
    arrival: arrival === "all" ? undefined : arrival,
  };
  const pages = useInfiniteQuery<EventPage, IpcError, InfiniteData<EventPage>, readonly unknown[], string | null>({
    queryKey: callKey("events_query", { scope, query }),
    queryFn: ({ pageParam }) =>
      call("events_query", { scope, query: { ...query, limit: PAGE_SIZE, cursor: pageParam ?? undefined } }).catch((e: unknown) =>
        Promise.reject(toIpcError(e)),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
  const rows = pages.data?.pages.flatMap((page) => page.rows) ?? [];
  return (
    <>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Event id or type…"
          aria-label="Search events by id or type"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="events-search"
        />
        <Segmented label="Arrived" options={ARRIVALS} value={arrival} onChange={setArrival} />
        {dateRange}
      </div>
      {pages.error && <ErrorNotice error={pages.error} />}
      <div className="table" data-testid="events-table">
        <div className="tr head events-grid" role="presentation">
          <span className="th">Received</span>
          <span className="th">Type</span>
          <span className="th">Connection</span>
          <span className="th">Arrived</span>
          <span className="th num">Copies</span>
        </div>
        {rows.length === 0 && pages.isSuccess && (
          <p className="empty">
            No events yet. Point a forwarder at the address above, or emit a sandbox event from a connection&apos;s page.
          </p>
        )}
        <ul className="event-rows">
          {rows.map((row) => (
            <li key={row.id}>
              <div className="tr events-grid" data-testid="event-row">
                <span className="small">{formatTime(row.received_at)}</span>
                <button
                  type="button"
                  className="link-button mono ellipsis"
                  aria-expanded={open === row.id}
                  onClick={() => setOpen(open === row.id ? undefined : row.id)}
                  data-testid="event-open"
                >
                  {row.event_type}
                </button>
                <span className="ellipsis">{row.connection_name ?? row.connection_id}</span>
                <span className="small muted">{ARRIVAL_LABEL[row.arrival] ?? row.arrival}</span>
                <span className="num" data-testid="event-copies">
                  {row.duplicates > 0 ? (
                    <span className="badge tone-muted" title={`${row.duplicates} more cop${row.duplicates === 1 ? "y" : "ies"} counted, not stored`}>
                      ×{row.duplicates + 1}
                    </span>
                  ) : (
                    "1"
                  )}
                </span>
              </div>
              {open === row.id && <EventDetailPanel id={row.id} />}
            </li>
          ))}
        </ul>
      </div>
      <div className="pager">
        <span className="muted small">{rows.length.toLocaleString()} shown</span>
        {pages.hasNextPage && (
          <button type="button" className="ghost" disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
            {pages.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </>
  );
}
