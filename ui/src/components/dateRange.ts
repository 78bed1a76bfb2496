// The log's date filter: presets relative to now, or a custom day range in local time.

export type RangePreset = "all" | "24h" | "7d" | "30d" | "custom";

export const PRESETS: { id: RangePreset; label: string; ms?: number }[] = [
  { id: "all", label: "All time" },
  { id: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { id: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
  { id: "custom", label: "Custom range" },
];

/** `[since, until)` in ms for a preset, or for the custom `from`/`to` days (`YYYY-MM-DD`, both inclusive). */
export function rangeBounds(
  preset: RangePreset,
  from: string,
  to: string,
  now = Date.now(),
): { since?: number; until?: number } {
  if (preset === "custom") {
    const since = from ? new Date(`${from}T00:00:00`).getTime() : undefined;
    const until = to ? new Date(`${to}T00:00:00`).getTime() + 86_400_000 : undefined;
    return { since, until };
  }
  const ms = PRESETS.find((p) => p.id === preset)?.ms;
  return ms ? { since: now - ms } : {};
}
