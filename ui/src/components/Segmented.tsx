// A segmented control as a radio group (WAI-ARIA APG): one Tab stop, the checked option;
// arrow keys move the choice and the focus together, wrapping at the ends.
import { useRef } from "react";

export interface SegmentedOption<T extends string | number> {
  value: T;
  label: string;
  testId?: string;
}

export function Segmented<T extends string | number>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: SegmentedOption<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (from: number, step: number) => {
    const next = (from + step + options.length) % options.length;
    onChange(options[next]!.value);
    buttons.current[next]?.focus();
  };
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((option, index) => (
        <button
          key={option.value}
          ref={(el) => {
            buttons.current[index] = el;
          }}
          type="button"
          role="radio"
          aria-checked={value === option.value}
          tabIndex={value === option.value ? 0 : -1}
          className={value === option.value ? "selected" : ""}
          onClick={() => onChange(option.value)}
          onKeyDown={(e) => {
            const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
            if (step) {
              e.preventDefault();
              move(index, step);
            }
          }}
          data-testid={option.testId}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
