// Loads a value whenever its inputs change. The result is tagged with the inputs it answers,
// so a stale answer is never shown for newer inputs and a slow reply never overwrites a newer one.
import { useEffect, useState } from "react";
import { IpcError } from "./ipc";

export type Loadable<T> =
  | { status: "loading"; value?: T }
  | { status: "ready"; value: T }
  | { status: "error"; error: IpcError; value?: T };

export function toIpcError(e: unknown): IpcError {
  return e instanceof IpcError ? e : new IpcError("ui", String(e));
}

/** `deps` are the plain values `load` depends on (strings, numbers, booleans). */
export function useAsync<T>(load: () => Promise<T>, deps: (string | number | boolean | undefined)[]): Loadable<T> {
  const key = JSON.stringify(deps);
  const [answer, setAnswer] = useState<{ key: string; result: Loadable<T> }>();
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setAnswer({ key, result: { status: "ready", value } }),
      (e: unknown) => current && setAnswer({ key, result: { status: "error", error: toIpcError(e) } }),
    );
    return () => {
      current = false;
    };
    // `key` stands for `deps`, which is everything `load` reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (!answer || answer.key !== key) return { status: "loading", value: answer?.result.value };
  return answer.result;
}

/** `value`, settled for `delayMs`: typing in a search box sends one query, not one per key. */
export function useDebounced<T>(value: T, delayMs = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
