// Retrying a failed (or cancelled) run: from the failed step (the steps before it are not done
// again; their recorded outputs are reused) or from the start, with the version that failed or
// the current one — and, when they differ, the difference between the two, line by line.
import { diffLines } from "diff";
import { useState } from "react";
import type { RetryVersion } from "../../bindings/RetryVersion";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { useCan } from "../access/useCan";
import { href } from "../../router";

export function RetryPanel({ runId }: { runId: string }) {
  const denied = useCan()("run_automations");
  const preview = useCall("run_retry_preview", { id: runId });
  const [version, setVersion] = useState<RetryVersion>("failed");
  const [fromStart, setFromStart] = useState(false);
  const retry = useAction(() => call("run_retry", { id: runId, options: { from_start: fromStart, version } }), ["runs_query", "run_get"]);
  if (preview.error) return <ErrorNotice error={preview.error} />;
  if (!preview.data) return null;
  const p = preview.data;
  const changed = p.failed_version !== p.current_version;
  return (
    <div className="retry" data-testid="run-retry">
      <h3>Retry</h3>
      <fieldset className="choices">
        <legend className="small muted">Which version</legend>
        <label>
          <input type="radio" name={`version-${runId}`} checked={version === "failed"} onChange={() => setVersion("failed")} /> v{p.failed_version}, the one
          that failed
        </label>
        <label>
          <input
            type="radio"
            name={`version-${runId}`}
            checked={version === "current"}
            onChange={() => setVersion("current")}
            data-testid="retry-current"
          />{" "}
          v{p.current_version}, the current one{changed ? "" : " (the same)"}
        </label>
      </fieldset>
      <label className="small">
        <input type="checkbox" checked={fromStart} onChange={(e) => setFromStart(e.target.checked)} data-testid="retry-from-start" /> From the start (every
        step again){p.failed_step > 0 && !fromStart && ` — otherwise from step ${p.failed_step + 1}, reusing what the steps before it recorded`}
      </label>
      {changed && version === "current" && <VersionDiff before={p.failed_definition} after={p.current_definition} />}
      <div className="form-actions">
        <button type="button" disabled={retry.isPending || !!denied} title={denied} onClick={() => retry.mutate(undefined)} data-testid="retry-run">
          {retry.isPending ? "Retrying…" : "Retry"}
        </button>
        {retry.data && (
          <span role="status" className="small">
            Started <a href={href({ view: "run", id: retry.data })}>{retry.data}</a>
          </span>
        )}
      </div>
      {retry.error && <ErrorNotice error={retry.error} />}
    </div>
  );
}

function VersionDiff({ before, after }: { before: unknown; after: unknown }) {
  const parts = diffLines(JSON.stringify(before, null, 2), JSON.stringify(after, null, 2));
  return (
    <pre className="code small diff" aria-label="What changed between the two versions" data-testid="retry-diff">
      {parts.map((part, i) => {
        const mark = part.added ? "+" : part.removed ? "-" : " ";
        const tone = part.added ? "diff-added" : part.removed ? "diff-removed" : "diff-same";
        const lines = part.value.replace(/\n$/, "").split("\n");
        return (
          <span key={i} className={tone}>
            {lines.map((line) => `${mark} ${line}\n`).join("")}
          </span>
        );
      })}
    </pre>
  );
}
