// A run: why its conditions did not pass (each part's value), or each step in order with its
// input, output and error, the delivery a step queued and the task a step waits on; retrying a
// failed run, cancelling one that is running or waiting, and the retries it has had.
import type { RunDetail } from "../../bindings/RunDetail";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime, humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { href } from "../../router";
import { TaskForm } from "../tasks/TaskForm";
import { RetryPanel } from "./RetryPanel";
import { useCan } from "../access/useCan";
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
  const denied = useCan()("run_automations");
  const { run, steps } = detail;
  const cancel = useAction(() => call("run_cancel", { id: run.id }), ["run_get", "runs_query", "tasks_list"]);
  const taskOf = (step: number) => detail.tasks.find((t) => t.step === step);
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
        {run.held_for && (
          <>
            <dt>Kept</dt>
            <dd data-testid="run-held">
              until <a href={href({ view: "connection", id: run.held_for })}>{run.held_for}</a> recovers
            </dd>
          </>
        )}
        {run.retry_of && (
          <>
            <dt>Retries</dt>
            <dd>
              <a href={href({ view: "run", id: run.retry_of })}>{run.retry_of}</a>
            </dd>
          </>
        )}
        {detail.retries.length > 0 && (
          <>
            <dt>Retried as</dt>
            <dd>
              {detail.retries.map((id) => (
                <a key={id} className="chip" href={href({ view: "run", id })}>
                  {id}
                </a>
              ))}
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
      {(run.status === "running" || run.status === "waiting") && (
        <div className="form-actions">
          <button type="button" className="ghost" disabled={cancel.isPending || !!denied} title={denied} onClick={() => cancel.mutate(undefined)} data-testid="run-cancel">
            Cancel run
          </button>
          {cancel.error && <ErrorNotice error={cancel.error} />}
        </div>
      )}
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
              {taskOf(step.step) && (
                <div className="panel" data-testid="run-task">
                  <strong>{taskOf(step.step)?.title}</strong>
                  <TaskForm task={taskOf(step.step)!} />
                </div>
              )}
              {step.input != null && <JsonBlock label={run.dry_run ? "Would send" : "Input"} value={step.input} />}
              {step.output != null && <JsonBlock label="Output" value={step.output} />}
            </li>
          ))}
        </ol>
      )}
      {(run.status === "failed" || run.status === "cancelled") && <RetryPanel runId={run.id} key={run.id} />}
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
