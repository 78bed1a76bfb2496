// Site menu → Open support bundle: a customer's bundle — picked in the system's file dialog, or
// its path typed — opened into a support workspace of its own, which the app shows in a second
// window (this one, and the operator's own sites, are untouched). The core's progress shows
// while it checks every byte and reads every row.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCoreProgress } from "../../data/useCoreProgress";
import { call } from "../../ipc";

export function OpenBundlePanel() {
  const [path, setPath] = useState("");
  const opening = useAction((path: string | null) => call("support_bundle_open", { path }), ["activity_query", "support_workspaces_list"]);
  const progress = useCoreProgress("bundle.import_progress", opening.isPending);
  const opened = opening.data;
  return (
    <section aria-labelledby="open-bundle-title" data-testid="open-bundle">
      <h2 id="open-bundle-title">Open support bundle</h2>
      <p className="muted small">
        A customer's bundle opens as a read-only copy in a window of its own, to look at their site and replay a failed delivery
        offline. Nothing of yours changes.
      </p>
      <p>
        <button type="button" disabled={opening.isPending} onClick={() => opening.mutate(null)} data-testid="open-bundle-choose">
          Choose a bundle…
        </button>
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) opening.mutate(path.trim());
        }}
      >
        <label className="grow">
          <span className="visually-hidden">Bundle file</span>
          <input value={path} placeholder="or its path: ~/Downloads/sgen-support-….zip" onChange={(e) => setPath(e.target.value)} data-testid="open-bundle-path" />
        </label>
        <button type="submit" disabled={opening.isPending || !path.trim()} data-testid="open-bundle-submit">
          {opening.isPending ? "Opening…" : "Open"}
        </button>
      </form>
      {opening.isPending && progress && (
        <p role="status" className="small" data-testid="open-bundle-progress">
          <progress max={Math.max(1, progress.total)} value={progress.done} />{" "}
          {progress.step === "checking"
            ? `checking its SHA-256: ${Math.round((100 * progress.done) / Math.max(1, progress.total))}%`
            : `${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} rows read`}
        </p>
      )}
      {opened && (
        <p role="status" className="small" data-testid="open-bundle-done">
          Opened a copy of <strong>{opened.workspace.site_name}</strong> ({opened.workspace.site_domain}), exported by {opened.workspace.exported_by}:{" "}
          {opened.rows.toLocaleString()} rows, in a new window. Its data is in <code className="wrap">{opened.data_dir}</code>
        </p>
      )}
      {opening.error && <ErrorNotice error={opening.error} />}
    </section>
  );
}
