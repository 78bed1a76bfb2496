// Site menu → Export support bundle: the site exported as one file for support (no secret in
// it), into the Downloads folder, with the core's progress as it writes.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Segmented, type SegmentedOption } from "../../components/Segmented";
import { useAction } from "../../data/useAction";
import { useCoreProgress } from "../../data/useCoreProgress";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";

type Span = "all" | "30" | "7";
const SPANS: SegmentedOption<Span>[] = [
  { value: "all", label: "All history" },
  { value: "30", label: "30 days" },
  { value: "7", label: "7 days" },
];
const DAY_MS = 86_400_000;

export function SupportBundlePanel({ siteId }: { siteId: string }) {
  const [span, setSpan] = useState<Span>("30");
  const exporting = useAction(
    () =>
      call("support_bundle_export", {
        request: { site_id: siteId, since: span === "all" ? null : Date.now() - Number(span) * DAY_MS, connections: null },
      }),
    ["activity_query"],
  );
  const progress = useCoreProgress("bundle.export_progress", exporting.isPending);
  // A workspace is itself a copy of a bundle: it is not exported again.
  const copy = useCall("support_workspace_get", {}).data;
  const done = exporting.data;
  return (
    <section aria-labelledby="bundle-title" data-testid="support-bundle">
      <h2 id="bundle-title">Export support bundle</h2>
      <p className="muted small">
        This site as one file for support: its configuration, state history, delivery log with each attempt's request and the
        vendor's answer, events, runs and activity. No credential, token or signing secret is in it.
      </p>
      <div className="row">
        <Segmented label="History" options={SPANS} value={span} onChange={setSpan} />
        <button
          type="button"
          disabled={exporting.isPending || !!copy}
          title={copy ? "This is a support workspace: export the customer's own site instead." : undefined}
          onClick={() => exporting.mutate(undefined)}
          data-testid="support-bundle-export"
        >
          {exporting.isPending ? "Exporting…" : "Export support bundle"}
        </button>
      </div>
      {exporting.isPending && progress && (
        <p role="status" className="small">
          <progress max={Math.max(1, progress.total)} value={progress.rows} /> {progress.rows.toLocaleString()} of{" "}
          {progress.total.toLocaleString()} rows
        </p>
      )}
      {done && (
        <p role="status" className="small" data-testid="support-bundle-done">
          Written to <code>{done.path}</code> ({(done.bytes / 1_048_576).toFixed(1)} MiB). SHA-256 <code className="wrap">{done.sha256}</code>
          {done.warnings.map((w) => (
            <span key={w} className="warning">
              {" "}
              {w}
            </span>
          ))}
        </p>
      )}
      {exporting.error && <ErrorNotice error={exporting.error} />}
    </section>
  );
}
