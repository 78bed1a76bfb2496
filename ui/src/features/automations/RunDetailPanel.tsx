// A run: why its conditions did not pass (each part's value), or each step in order with its
// input, output and error, and the delivery a step queued.
import type { RunDetail } from "../../bindings/RunDetail";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime, humanize } from "../../components/format";
import { useCall } from "../../data/useCall";
import { RunStatusBadge } from "./StatusBadges";

export function RunDetailPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const run = useCall("run_get", { id });
  return (
    <aside className="panel detail-panel" aria-label="Run" data-testid="run-detail">
      <div className="panel-head">
        <h2>Run</h2>
        <button type="button" className="ghost" onClick={onClose} data-testid="run-close">
          Close
        </button>
      </div>
      {run.error && <ErrorNotice error={run.error} />}
      {run.data && <RunBody detail={run.data} />}
    </aside>
  );
}

export function RunBody({ detail }: { detail: RunDetail }) {
  const { run, steps } = detail;
  return (
    <>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <RunStatusBadge status={run.status} dryRun={run.dry_run} />
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(run.started_at)}</dd>
        <dt>Version</dt>
        <dd>v{run.version}</dd>
        {run.event_id && (
          <>
            <dt>Event</dt>
            <dd>
              <code>{run.event_id}</code>
            </dd>
          </>
        )}
        {run.error && (
          <>
            <dt>Error</dt>
            <dd className="tone-bad">{run.error}</dd>
          </>
        )}
      </dl>
      {run.explain && (
        <div data-testid="run-explain">
          <h3>Why it did not fire</h3>
          {run.explain.error && <p className="tone-bad small">{run.explain.error}</p>}
          <table className="simple small">
            <thead>
              <tr>
                <th scope="col">Part of the condition</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {run.explain.trace.map((part, i) => (
                <tr key={i}>
                  <td>
                    <code>{part.expression}</code>
                  </td>
                  <td>
                    <code>{JSON.stringify(part.value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {steps.length > 0 && (
        <ol className="steps" data-testid="run-steps">
          {steps.map((step) => (
            <li key={step.step} data-testid="run-step">
              <div>
                <strong>{humanize(step.kind)}</strong> <RunStatusBadge status={step.status} dryRun={false} />
                {step.delivery_id && (
                  <span className="small muted">
                    {" "}
                    delivery <code>{step.delivery_id}</code>
                  </span>
                )}
              </div>
              {step.error && <p className="tone-bad small">{step.error}</p>}
              {step.input != null && <JsonBlock label={run.dry_run ? "Would send" : "Input"} value={step.input} />}
              {step.output != null && <JsonBlock label="Output" value={step.output} />}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <details open>
      <summary className="small muted">{label}</summary>
      <pre className="code small">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
