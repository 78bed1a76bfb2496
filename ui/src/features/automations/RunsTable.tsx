// Runs newest first (of one automation, or all), each opening its detail beside the list.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatRelative } from "../../components/format";
import { useCall } from "../../data/useCall";
import { useScope } from "../../scope";
import { RunDetailPanel } from "./RunDetailPanel";
import { RunStatusBadge } from "./StatusBadges";

export function RunsTable({ automationId, names }: { automationId?: string; names?: Record<string, string> }) {
  const scope = useScope();
  const [cursor, setCursor] = useState<string>();
  const [open, setOpen] = useState<string>();
  const runs = useCall("runs_query", { scope, query: { automation_id: automationId, cursor, page_size: 25 } });
  const rows = runs.data?.rows ?? [];
  return (
    <div className={open ? "with-panel" : undefined}>
      <div>
        {runs.error && <ErrorNotice error={runs.error} />}
        <table className="simple panel-table" data-testid="run-list">
          <thead>
            <tr>
              <th scope="col">Started</th>
              {!automationId && <th scope="col">Automation</th>}
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((run) => (
              <tr key={run.id} data-testid="run-row" aria-selected={open === run.id}>
                <td>
                  <button type="button" className="link-button" onClick={() => setOpen(run.id)} data-testid="run-open">
                    {formatRelative(run.started_at)}
                  </button>
                </td>
                {!automationId && <td>{names?.[run.automation_id] ?? run.automation_id}</td>}
                <td>
                  <RunStatusBadge status={run.status} dryRun={run.dry_run} />
                </td>
                <td>v{run.version}</td>
                <td className="small">{run.error ?? ""}</td>
              </tr>
            ))}
            {runs.data && rows.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No runs yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <div className="form-actions">
          {cursor && (
            <button type="button" className="ghost" onClick={() => setCursor(undefined)}>
              Newest
            </button>
          )}
          {runs.data?.next_cursor && (
            <button type="button" className="ghost" onClick={() => setCursor(runs.data?.next_cursor ?? undefined)}>
              Older
            </button>
          )}
        </div>
      </div>
      {open && <RunDetailPanel id={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}
