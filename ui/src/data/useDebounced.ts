// A value that follows another once it stops changing for a moment.
import { useEffect, useState } from "react";

/** `value`, settled for `delayMs`: typing in a search box sends one query, not one per key. */
export function useDebounced<T>(value: T, delayMs = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
