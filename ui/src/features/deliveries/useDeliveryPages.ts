// The delivery log's rows, fetched page by page with the backend's keyset cursor. Changing the
// query starts over; `loadMore` appends the next page. The pages are a query of the window's
// data layer, so a core event about deliveries reads the loaded pages again (see
// `data/coreEvents.ts`).
import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import type { AttemptRow } from "../../bindings/AttemptRow";
import type { DeliveryPage } from "../../bindings/DeliveryPage";
import type { DeliveryQuery } from "../../bindings/DeliveryQuery";
import type { SiteEnvironment } from "../../bindings/SiteEnvironment";
import { callKey } from "../../data/useCall";
import { call, IpcError, toIpcError } from "../../ipc";

export const PAGE_SIZE = 100;

export interface DeliveryPages {
  rows: AttemptRow[];
  hasMore: boolean;
  loading: boolean;
  error?: IpcError;
  loadMore: () => void;
}

export function useDeliveryPages(scope: SiteEnvironment, query: Omit<DeliveryQuery, "cursor" | "limit">): DeliveryPages {
  const pages = useInfiniteQuery<DeliveryPage, IpcError, InfiniteData<DeliveryPage>, readonly unknown[], string | null>({
    queryKey: callKey("deliveries_query", { scope, query }),
    queryFn: ({ pageParam }) =>
      call("deliveries_query", { scope, query: { ...query, limit: PAGE_SIZE, cursor: pageParam ?? undefined } }).catch((e: unknown) =>
        Promise.reject(toIpcError(e)),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
  const { fetchNextPage, hasNextPage, isFetchingNextPage } = pages;
  return {
    rows: pages.data?.pages.flatMap((page) => page.rows) ?? [],
    hasMore: hasNextPage,
    loading: pages.isPending || isFetchingNextPage,
    error: pages.error ?? undefined,
    loadMore: () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
  };
}
