// An automation's status and a run's status: colour, icon and word, so they read without colour.
import type { AutomationStatus } from "../../bindings/AutomationStatus";
import { humanize } from "../../components/format";

const AUTOMATION_TONE: Record<AutomationStatus, string> = { draft: "muted", active: "good", paused: "warn", archived: "muted" };
const AUTOMATION_ICON: Record<AutomationStatus, string> = { draft: "✎", active: "●", paused: "❚❚", archived: "▭" };

export function AutomationStatusBadge({ status }: { status: AutomationStatus }) {
  return (
    <span className={`badge tone-${AUTOMATION_TONE[status]}`} data-status={status}>
      <span aria-hidden="true">{AUTOMATION_ICON[status]}</span> {humanize(status)}
    </span>
  );
}

const RUN_TONE: Record<string, string> = {
  running: "warn",
  waiting: "warn",
  completed: "good",
  failed: "bad",
  cancelled: "muted",
  skipped: "muted",
};
const RUN_ICON: Record<string, string> = { running: "▶", waiting: "⏱", completed: "✓", failed: "▲", cancelled: "⊘", skipped: "↷" };

export function RunStatusBadge({ status, dryRun }: { status: string; dryRun: boolean }) {
  return (
    <span className={`badge tone-${RUN_TONE[status] ?? "muted"}`} data-status={status}>
      <span aria-hidden="true">{RUN_ICON[status] ?? "·"}</span> {status === "skipped" ? "Conditions not met" : humanize(status)}
      {dryRun && " · dry run"}
    </span>
  );
}
