// One automation: its status and what it depends on, its definition in the builder and as JSON
// (seed 004's shape, checked against the automation JSON Schema; each save is a new version), a
// dry run against a sample event, and its runs. `#/automations/new` starts one from a template.
import { useState } from "react";
import type { AutomationDetail } from "../../bindings/AutomationDetail";
import type { AutomationStatus } from "../../bindings/AutomationStatus";
import type { HeldRuns } from "../../bindings/HeldRuns";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call, IpcError } from "../../ipc";
import { href } from "../../router";
import { useScope } from "../../scope";
import { AutomationEditor } from "./builder/AutomationEditor";
import { DryRunPanel } from "./DryRunPanel";
import { RunsTable } from "./RunsTable";
import { useCan } from "../access/useCan";
import { AutomationStatusBadge } from "./StatusBadges";

const TEMPLATE = {
  name: "New automation",
  description: "What it is for",
  trigger: { event: "payment_intent.succeeded", conditions: "event.data.object.amount > 0" },
  actions: [{ type: "notify", params: { message: "A payment arrived", priority: "normal" } }],
  status: "draft",
};

export function AutomationPage({ id }: { id: string }) {
  const isNew = id === "new";
  const detail = useCall("automation_get", { id: isNew ? "" : id });
  return (
    <section aria-labelledby="automation-title" data-testid="automation">
      <a className="back" href={href({ view: "automations" })}>
        ← Automations
      </a>
      {isNew ? (
        <>
          <div className="view-header">
            <h1 id="automation-title">New automation</h1>
          </div>
          <div className="panel">
            <AutomationEditor initial={JSON.stringify(TEMPLATE, null, 2)} />
          </div>
        </>
      ) : (
        <>
          {detail.error && <ErrorNotice error={detail.error} />}
          {detail.data && <Existing detail={detail.data} />}
        </>
      )}
    </section>
  );
}

const NEXT_STATUS: { status: AutomationStatus; label: string; from: AutomationStatus[] }[] = [
  { status: "active", label: "Activate", from: ["draft", "paused"] },
  { status: "paused", label: "Pause", from: ["active"] },
  { status: "archived", label: "Archive", from: ["draft", "active", "paused"] },
];

function Existing({ detail }: { detail: AutomationDetail }) {
  const editDenied = useCan()("edit_automations");
  const { summary } = detail;
  const setStatus = useAction(
    (status: AutomationStatus) => call("automation_status_set", { id: summary.id, status }),
    ["automations_list", "automation_get"],
  );
  const exported = JSON.stringify({ ...detail.definition, status: summary.status }, null, 2);
  return (
    <>
      <div className="view-header">
        <h1 id="automation-title">{summary.name}</h1>
        {detail.definition.description && <p className="muted">{detail.definition.description}</p>}
      </div>
      <div className="panel">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="automation-status">
            <AutomationStatusBadge status={summary.status} /> {summary.status_reason && <span className="small">{summary.status_reason}</span>}
          </dd>
          <dt>Version</dt>
          <dd>v{summary.version}</dd>
          <dt>Trigger</dt>
          <dd>
            <code>{summary.trigger_event}</code>
            {detail.definition.trigger.connection && (
              <>
                {" "}
                from <a href={href({ view: "connection", id: detail.definition.trigger.connection })}>{detail.definition.trigger.connection}</a>
              </>
            )}
          </dd>
          <dt>Conditions</dt>
          <dd data-testid="automation-cel">{detail.cel ? <code>{detail.cel}</code> : <span className="muted">None: every event runs it</span>}</dd>
          <dt>Depends on</dt>
          <dd>
            {detail.dependencies.map((c) => (
              <a key={c} href={href({ view: "connection", id: c })} className="chip">
                {c}
              </a>
            ))}
          </dd>
        </dl>
        <div className="form-actions">
          {NEXT_STATUS.filter((s) => s.from.includes(summary.status)).map((s) => (
            <button
              key={s.status}
              type="button"
              className={s.status === "active" ? undefined : "ghost"}
              disabled={setStatus.isPending || !!editDenied}
              title={editDenied}
              onClick={() => setStatus.mutate(s.status)}
              data-testid={`automation-${s.status}`}
            >
              {s.label}
            </button>
          ))}
        </div>
        {setStatus.error && <ErrorNotice error={setStatus.error} />}
        {summary.held_runs > 0 && <HeldRuns id={summary.id} count={summary.held_runs} />}
      </div>
      {detail.definition.trigger.event === "manual" && <RunNow id={summary.id} />}
      <div className="panel">
        <h2>Definition</h2>
        <AutomationEditor id={summary.id} initial={exported} key={`${summary.id}/${summary.version}`} />
      </div>
      <div className="panel">
        <h2>Dry run</h2>
        <DryRunPanel id={summary.id} connectionId={detail.definition.trigger.connection} />
      </div>
      <h2>Runs</h2>
      <RetryFailed id={summary.id} />
      <RunsTable automationId={summary.id} />
    </>
  );
}

/** The events kept while the automation is paused for an unhealthy connection. */
function HeldRuns({ id, count }: { id: string; count: number }) {
  const runDenied = useCan()("run_automations");
  const act = useAction((action: HeldRuns) => call("automation_held_runs", { id, action }), ["automation_get", "automations_list", "runs_query"]);
  return (
    <div className="notice held" role="status" data-testid="held-runs">
      <span>
        {count} event(s) are kept until the connection recovers; then they run in the order they came.
      </span>
      <button type="button" className="ghost" disabled={act.isPending || !!runDenied} title={runDenied} onClick={() => act.mutate("drain")} data-testid="held-drain">
        Run them now
      </button>
      <button type="button" className="ghost" disabled={act.isPending || !!runDenied} title={runDenied} onClick={() => act.mutate("discard")} data-testid="held-discard">
        Discard them
      </button>
      {act.error && <ErrorNotice error={act.error} />}
    </div>
  );
}

/** A manual automation is started here, with the input the operator gives. */
function RunNow({ id }: { id: string }) {
  const runDenied = useCan()("run_automations");
  const [input, setInput] = useState("{\n  \n}");
  const start = useAction(async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (e) {
      throw new IpcError("invalid_argument", `The input is not JSON: ${(e as Error).message}`);
    }
    return call("automation_run_now", { id, input: parsed as never });
  }, ["runs_query", "automations_list", "tasks_list"]);
  return (
    <div className="panel" data-testid="run-now">
      <h2>Run now</h2>
      <label>
        Input (a JSON object: the run&apos;s <code>event</code>)
        <textarea className="code" rows={4} spellCheck={false} value={input} onChange={(e) => setInput(e.target.value)} data-testid="run-now-input" />
      </label>
      <div className="form-actions">
        <button type="button" disabled={start.isPending || !!runDenied} title={runDenied} onClick={() => start.mutate(undefined)} data-testid="run-now-start">
          Start a run
        </button>
        {start.data && (
          <span role="status" className="small">
            Started: <a href={href({ view: "run", id: start.data.run.id })}>{start.data.run.status}</a>
          </span>
        )}
      </div>
      {start.error && <ErrorNotice error={start.error} />}
    </div>
  );
}

/** Every failed run of the automation retried at once, with its current version. */
function RetryFailed({ id }: { id: string }) {
  const runDenied = useCan()("run_automations");
  const scope = useScope();
  const retry = useAction(
    () => call("runs_retry", { scope, query: { automation_id: id }, options: { from_start: false, version: "current" } }),
    ["runs_query", "automations_list"],
  );
  return (
    <div className="toolbar">
      <button type="button" className="ghost" disabled={retry.isPending || !!runDenied} title={runDenied} onClick={() => retry.mutate(undefined)} data-testid="runs-retry-failed">
        Retry every failed run (current version)
      </button>
      {retry.data && (
        <span role="status" className="small">
          {retry.data.length} run(s) retried
        </span>
      )}
      {retry.error && <ErrorNotice error={retry.error} />}
    </div>
  );
}
