// Export the filtered activity as CSV into the Downloads folder, with the core's progress as
// it writes (a million rows take seconds).
import type { ActivityFilters } from "../../bindings/ActivityFilters";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCoreProgress } from "../../data/useCoreProgress";
import { call } from "../../ipc";

export function ActivityExportButton({ filters }: { filters: ActivityFilters }) {
  const exporting = useAction(() => call("activity_export", { filters }), []);
  const progress = useCoreProgress("activity.export_progress", exporting.isPending);
  return (
    <div className="export" data-testid="activity-export">
      <button type="button" disabled={exporting.isPending} onClick={() => exporting.mutate(undefined)} data-testid="activity-export-start">
        {exporting.isPending ? "Exporting…" : "Export CSV"}
      </button>
      {exporting.isPending && progress && (
        <span role="status" className="small">
          <progress max={Math.max(1, progress.total)} value={progress.written} /> {progress.written.toLocaleString()} of {progress.total.toLocaleString()}
        </span>
      )}
      {exporting.isSuccess && (
        <span role="status" className="small" data-testid="activity-export-done">
          {exporting.data.rows.toLocaleString()} rows written to <code>{exporting.data.path}</code>
        </span>
      )}
      {exporting.error && <ErrorNotice error={exporting.error} />}
    </div>
  );
}
