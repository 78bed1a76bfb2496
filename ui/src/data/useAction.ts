// The one way the window does something: a mutation whose pending state shows progress, whose
// failure is kept to be shown (never swallowed), and whose success refetches the answers it
// changed — at once, not waiting for the core's event.
import { toIpcError } from "../ipc";
import { useMutation, useQueryClient, type UseMutationResult } from "@tanstack/react-query";
import type { Commands, IpcError } from "../ipc";
import { refetch } from "./refetch";

export function useAction<Args, Result>(
  run: (args: Args) => Promise<Result>,
  refreshes: (keyof Commands)[],
): UseMutationResult<Result, IpcError, Args> {
  const client = useQueryClient();
  return useMutation<Result, IpcError, Args>({
    mutationFn: (args) => run(args).catch((e: unknown) => Promise.reject(toIpcError(e))),
    onSuccess: () => refetch(client, refreshes),
  });
}
