// One automation: its status and what it depends on, its definition as JSON (seed 004's shape,
// checked against the automation JSON Schema when saved; each save is a new version), a dry run
// against a sample event, and its runs. `#/automations/new` starts one from a template.
import { useState } from "react";
import type { AutomationDetail } from "../../bindings/AutomationDetail";
import type { AutomationStatus } from "../../bindings/AutomationStatus";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call, IpcError } from "../../ipc";
import { href, navigate } from "../../router";
import { useScope } from "../../scope";
import { DryRunPanel } from "./DryRunPanel";
import { RunsTable } from "./RunsTable";
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
          <DefinitionEditor initial={JSON.stringify(TEMPLATE, null, 2)} />
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
              disabled={setStatus.isPending}
              onClick={() => setStatus.mutate(s.status)}
              data-testid={`automation-${s.status}`}
            >
              {s.label}
            </button>
          ))}
        </div>
        {setStatus.error && <ErrorNotice error={setStatus.error} />}
      </div>
      <div className="two-columns">
        <div className="panel">
          <h2>Definition</h2>
          <DefinitionEditor id={summary.id} initial={exported} key={`${summary.id}/${summary.version}`} />
        </div>
        <div className="panel">
          <h2>Dry run</h2>
          <DryRunPanel id={summary.id} connectionId={detail.definition.trigger.connection} />
        </div>
      </div>
      <h2>Runs</h2>
      <RunsTable automationId={summary.id} />
    </>
  );
}

/** The definition as JSON: saved whole, as a new version (or a new automation). */
function DefinitionEditor({ id, initial }: { id?: string; initial: string }) {
  const scope = useScope();
  const [text, setText] = useState(initial);
  const save = useAction(async () => {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new IpcError("invalid_argument", `The definition is not JSON: ${(e as Error).message}`);
    }
    return call("automation_save", { scope, id: id ?? null, json: text });
  }, ["automations_list", "automation_get"]);
  return (
    <form
      className="connect-form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(undefined, { onSuccess: (saved) => id ?? navigate({ view: "automation", id: saved.id }) });
      }}
    >
      <label>
        JSON (seed 004&apos;s shape: trigger, conditions, actions, status)
        <textarea className="code" rows={18} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} data-testid="automation-json" />
      </label>
      <div className="form-actions">
        <button type="submit" disabled={save.isPending} data-testid="automation-save">
          {save.isPending ? "Saving…" : id ? "Save as a new version" : "Create"}
        </button>
        {save.data && id && (
          <span className="small" role="status">
            Saved as version {save.data.version}
          </span>
        )}
      </div>
      {save.error && <ErrorNotice error={save.error} />}
    </form>
  );
}
