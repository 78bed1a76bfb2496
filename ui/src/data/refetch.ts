// Refetch every answer of some commands now: after an action whose result the view shows.
import type { QueryClient } from "@tanstack/react-query";
import type { Commands } from "../ipc";

/** Marks every answer of `commands` stale and refetches those on screen. A fetch already
 * under way is left to finish rather than restarted, so a stream of events cannot starve it. */
export function refetch(client: QueryClient, commands: Iterable<keyof Commands>): void {
  for (const command of commands) void client.invalidateQueries({ queryKey: [command] }, { cancelRefetch: false });
}
