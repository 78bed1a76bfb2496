// Reading a command's answer: cached by command and arguments, refetched when a core event says
// it changed (`coreEvents.ts`), with the previous answer kept on screen while a new one loads.
import { keepPreviousData, queryOptions, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { call, type Commands, type IpcError, toIpcError } from "../ipc";

/** The query key of `command` with `args`: the command's name first, so one event can
 * invalidate every answer of a command. */
export function callKey<K extends keyof Commands>(command: K, args: Commands[K]["args"]) {
  return [command, args] as const;
}

/** The query that reads `command` with `args` (for `useQuery`, `useQueries`, prefetching). */
export function callQuery<K extends keyof Commands>(command: K, args: Commands[K]["args"]) {
  return queryOptions<Commands[K]["result"], IpcError>({
    queryKey: callKey(command, args),
    queryFn: () => call(command, args).catch((e: unknown) => Promise.reject(toIpcError(e))),
  });
}

export function useCall<K extends keyof Commands>(command: K, args: Commands[K]["args"]): UseQueryResult<Commands[K]["result"], IpcError> {
  return useQuery({ ...callQuery(command, args), placeholderData: keepPreviousData });
}
