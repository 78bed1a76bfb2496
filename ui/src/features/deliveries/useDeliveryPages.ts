// The delivery log's rows, fetched page by page with the backend's keyset cursor. Changing the
// query starts over; `loadMore` appends the next page. Everything held is tagged with the query
// it belongs to, so rows of a superseded query are never shown or appended to.
import { useCallback, useEffect, useRef, useState } from "react";
import type { AttemptRow } from "../../bindings/AttemptRow";
import type { DeliveryQuery } from "../../bindings/DeliveryQuery";
import type { Scope } from "../../bindings/Scope";
import { call, IpcError } from "../../ipc";
import { toIpcError } from "../../useAsync";

export const PAGE_SIZE = 100;

export interface DeliveryPages {
  rows: AttemptRow[];
  hasMore: boolean;
  loading: boolean;
  error?: IpcError;
  loadMore: () => void;
}

interface Held {
  key: string;
  rows: AttemptRow[];
  cursor: string | null;
  error?: IpcError;
  loadingMore: boolean;
}

/** `generation` reads the same query again from the start (after a retry added attempts). */
export function useDeliveryPages(scope: Scope, query: Omit<DeliveryQuery, "cursor" | "limit">, generation = 0): DeliveryPages {
  const key = JSON.stringify([scope, query, generation]);
  const [held, setHeld] = useState<Held>();
  const latestKey = useRef(key);

  const fetchPage = useCallback((forKey: string, after: string | null, previous: AttemptRow[]) => {
    const [pageScope, pageQuery] = JSON.parse(forKey) as [Scope, DeliveryQuery];
    call("deliveries_query", { scope: pageScope, query: { ...pageQuery, limit: PAGE_SIZE, cursor: after ?? undefined } }).then(
      (page) => {
        if (forKey !== latestKey.current) return;
        setHeld({ key: forKey, rows: [...previous, ...page.rows], cursor: page.next_cursor, loadingMore: false });
      },
      (e: unknown) => {
        if (forKey !== latestKey.current) return;
        setHeld({ key: forKey, rows: previous, cursor: null, error: toIpcError(e), loadingMore: false });
      },
    );
  }, []);

  useEffect(() => {
    latestKey.current = key;
    fetchPage(key, null, []);
  }, [key, fetchPage]);

  const current = held?.key === key ? held : undefined;
  const loadMore = useCallback(() => {
    if (!current?.cursor || current.loadingMore) return;
    setHeld({ ...current, loadingMore: true });
    fetchPage(current.key, current.cursor, current.rows);
  }, [current, fetchPage]);

  return {
    rows: current?.rows ?? [],
    hasMore: Boolean(current?.cursor),
    loading: !current || current.loadingMore,
    error: current?.error,
    loadMore,
  };
}
