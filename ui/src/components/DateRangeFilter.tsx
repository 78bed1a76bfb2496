// A log's date filter: a preset relative to now, or a custom range of days, as a select (and
// two date fields for a custom range). Used by the delivery log and the event log.
import { useMemo, useState } from "react";
import { PRESETS, rangeBounds, type RangePreset } from "./dateRange";

/** The chosen range's `[since, until)` in ms, and the controls that choose it. */
export function useDateRange(testIdPrefix: string): [{ since?: number; until?: number }, React.ReactNode] {
  const [preset, setPreset] = useState<RangePreset>("all");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  // "Now" is fixed when the range changes, so paging through a relative range is stable.
  const bounds = useMemo(() => rangeBounds(preset, from, to), [preset, from, to]);
  const controls = (
    <>
      <select aria-label="Date range" value={preset} onChange={(e) => setPreset(e.target.value as RangePreset)} data-testid={`${testIdPrefix}-range`}>
        {PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
      {preset === "custom" && (
        <>
          <label className="field-inline">
            <span>From</span>
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid={`${testIdPrefix}-from`} />
          </label>
          <label className="field-inline">
            <span>To</span>
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid={`${testIdPrefix}-to`} />
          </label>
        </>
      )}
    </>
  );
  return [bounds, controls];
}
