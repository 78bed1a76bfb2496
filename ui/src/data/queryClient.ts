// The window's server state: one TanStack Query client. What the backend holds is read through
// `useCall` and kept fresh by the core's events (see `coreEvents.ts`), not by polling or by
// remounting views.
import { QueryClient } from "@tanstack/react-query";

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A command that failed says why; asking again at once would say the same.
        retry: false,
        // The core announces every change, so focusing the window needs no refetch.
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}
