// The builder's forms, one per node: the trigger (event, connection, schedule), the conditions
// (rows of field, operator and value that all or any must hold — or CEL as written), and an
// action of each kind with its parameters. Each edits the one definition the JSON view shows.
import type { Action } from "../../../bindings/Action";
import type { ActionKind } from "../../../bindings/ActionKind";
import type { AutomationDefinition } from "../../../bindings/AutomationDefinition";
import type { ConditionRow } from "../../../bindings/ConditionRow";
import type { Matching } from "../../../bindings/Matching";

type Edit = (next: AutomationDefinition) => void;
export type ConnectionChoice = { id: string; name: string };

const OPS = ["==", "!=", ">", ">=", "<", "<=", "contains", "starts_with", "ends_with", "exists"];
const KINDS: ActionKind[] = ["connector_action", "webhook", "notify", "delay", "task", "wait_for_event"];
const NEW_PARAMS: Record<ActionKind, Record<string, unknown>> = {
  connector_action: { connection: "", action: "" },
  webhook: { connection: "" },
  notify: { message: "Something happened", priority: "normal" },
  delay: { seconds: 60 },
  task: { title: "Approve it", output_schema: { type: "object", required: ["approved"], properties: { approved: { type: "boolean" }, notes: { type: "string" } } } },
  wait_for_event: { event: "", timeout_seconds: 3600 },
};

export function newAction(kind: ActionKind): Action {
  return { type: kind, params: structuredClone(NEW_PARAMS[kind]) };
}

function ConnectionSelect({ value, choices, onChange, testId }: { value: string; choices: ConnectionChoice[]; onChange: (v: string) => void; testId: string }) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">(any)</option>
      {choices.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </select>
  );
}

export function TriggerForm({ definition, edit, connections }: { definition: AutomationDefinition; edit: Edit; connections: ConnectionChoice[] }) {
  const t = definition.trigger;
  const set = (patch: Partial<typeof t>) => {
    const next = { ...t, ...patch };
    for (const key of Object.keys(next) as (keyof typeof next)[]) if (next[key] === "" || next[key] === undefined) delete next[key];
    if (next.event !== "schedule") delete next.schedule;
    edit({ ...definition, trigger: next });
  };
  return (
    <fieldset className="step-form" data-testid="builder-trigger">
      <legend>Trigger</legend>
      <label>
        Event (a vendor&apos;s event type, <code>connection.unhealthy</code>, <code>schedule</code> or <code>manual</code>)
        <input value={t.event} onChange={(e) => set({ event: e.target.value })} data-testid="builder-event" />
      </label>
      {t.event === "schedule" ? (
        <label>
          Schedule (cron: minute hour day month weekday, local time)
          <input value={t.schedule ?? ""} onChange={(e) => set({ schedule: e.target.value })} placeholder="0 9 * * 1-5" data-testid="builder-schedule" />
        </label>
      ) : (
        t.event !== "manual" && (
          <label>
            From the connection
            <ConnectionSelect value={t.connection ?? ""} choices={connections} onChange={(v) => set({ connection: v })} testId="builder-trigger-connection" />
          </label>
        )
      )}
      {t.conditions == null && (
        <button type="button" className="ghost" onClick={() => set({ conditions: { match: "all", rows: [{ field: "data.object.amount", op: ">", value: 0 }] } })} data-testid="builder-add-conditions">
          Add conditions
        </button>
      )}
    </fieldset>
  );
}

export function ConditionsForm({ definition, edit }: { definition: AutomationDefinition; edit: Edit }) {
  const c = definition.trigger.conditions;
  const setConditions = (conditions: typeof c) => {
    const trigger = { ...definition.trigger, conditions };
    if (conditions === undefined) delete trigger.conditions;
    edit({ ...definition, trigger });
  };
  if (typeof c === "string") {
    return (
      <fieldset className="step-form" data-testid="builder-conditions">
        <legend>Conditions (CEL)</legend>
        <textarea className="code" rows={3} value={c} onChange={(e) => setConditions(e.target.value)} data-testid="builder-cel" />
        <button type="button" className="ghost" onClick={() => setConditions(undefined)}>
          Remove conditions
        </button>
      </fieldset>
    );
  }
  const rows: ConditionRow[] = c && "rows" in c && Array.isArray(c.rows) ? c.rows : Object.entries(c ?? {}).map(([field, value]) => ({ field, op: "==", value }));
  const match: Matching = c && "match" in c && (c.match === "any" || c.match === "all") ? c.match : "all";
  const setRows = (next: ConditionRow[], m: Matching = match) => setConditions({ match: m, rows: next });
  const setRow = (i: number, patch: Partial<ConditionRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="step-form" data-testid="builder-conditions">
      <legend>Conditions</legend>
      <label className="inline">
        Run when{" "}
        <select value={match} onChange={(e) => setRows(rows, e.target.value as Matching)} data-testid="builder-match">
          <option value="all">all</option>
          <option value="any">any</option>
        </select>{" "}
        of these hold:
      </label>
      <table className="simple small condition-rows">
        <thead>
          <tr>
            <th scope="col">Field of the event</th>
            <th scope="col">Operator</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} data-testid="builder-row">
              <td>
                <input aria-label="Field" value={row.field} onChange={(e) => setRow(i, { field: e.target.value })} data-testid="builder-row-field" />
              </td>
              <td>
                <select aria-label="Operator" value={row.op} onChange={(e) => setRow(i, { op: e.target.value })} data-testid="builder-row-op">
                  {OPS.map((op) => (
                    <option key={op}>{op}</option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label="Value (JSON: 100, &quot;usd&quot;, true)"
                  value={JSON.stringify(row.value ?? null)}
                  onChange={(e) => {
                    let value: unknown = e.target.value;
                    try {
                      value = JSON.parse(e.target.value);
                    } catch {
                      // Not JSON yet: kept as text, which is what a string value is.
                    }
                    setRow(i, { value });
                  }}
                  disabled={row.op === "exists"}
                  data-testid="builder-row-value"
                />
              </td>
              <td>
                <button type="button" className="ghost" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove the condition on ${row.field}`}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-actions">
        <button type="button" className="ghost" onClick={() => setRows([...rows, { field: "data.object.", op: "==", value: "" }])} data-testid="builder-add-row">
          Add a condition
        </button>
        <button type="button" className="ghost" onClick={() => setConditions(undefined)}>
          Remove conditions
        </button>
      </div>
    </fieldset>
  );
}

export function ActionForm({
  definition,
  index,
  edit,
  connections,
}: {
  definition: AutomationDefinition;
  index: number;
  edit: Edit;
  connections: ConnectionChoice[];
}) {
  const action = definition.actions[index];
  if (!action) return null;
  const p = action.params as Record<string, unknown>;
  const setAction = (next: Action) => edit({ ...definition, actions: definition.actions.map((a, i) => (i === index ? next : a)) });
  const set = (key: string, value: unknown) => {
    const params = { ...p, [key]: value };
    if (value === "" || value === undefined) delete params[key];
    setAction({ ...action, params });
  };
  const text = (key: string, label: string, testId = `builder-param-${key}`) => (
    <label>
      {label}
      <input value={(p[key] as string | undefined) ?? ""} onChange={(e) => set(key, e.target.value)} data-testid={testId} />
    </label>
  );
  const number = (key: string, label: string) => (
    <label>
      {label}
      <input type="number" min={1} value={(p[key] as number | undefined) ?? ""} onChange={(e) => set(key, e.target.value === "" ? undefined : Number(e.target.value))} data-testid={`builder-param-${key}`} />
    </label>
  );
  const move = (to: number) => {
    const actions = [...definition.actions];
    actions.splice(index, 1);
    actions.splice(to, 0, action);
    edit({ ...definition, actions });
  };
  return (
    <fieldset className="step-form" data-testid="builder-action">
      <legend>Step {index + 1}</legend>
      <label>
        Kind
        <select value={action.type} onChange={(e) => setAction(newAction(e.target.value as ActionKind))} data-testid="builder-action-kind">
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k.replace(/_/g, " ")}
            </option>
          ))}
        </select>
      </label>
      {(action.type === "connector_action" || action.type === "webhook") && (
        <label>
          Connection
          <ConnectionSelect value={(p.connection as string | undefined) ?? ""} choices={connections} onChange={(v) => set("connection", v)} testId="builder-param-connection" />
        </label>
      )}
      {action.type === "connector_action" && text("action", "Action (its id in the connector, e.g. upsert_contact)")}
      {action.type === "notify" && (
        <>
          {text("title", "Title (default: the automation's name)")}
          {text("message", "Message")}
          <label>
            Priority
            <select value={(p.priority as string | undefined) ?? "normal"} onChange={(e) => set("priority", e.target.value)} data-testid="builder-param-priority">
              <option value="normal">normal</option>
              <option value="high">high (also an OS notification)</option>
            </select>
          </label>
        </>
      )}
      {action.type === "delay" && number("seconds", "Wait (seconds)")}
      {action.type === "task" && (
        <>
          {text("title", "Title")}
          {text("instructions", "Instructions")}
          {number("timeout_seconds", "Expires after (seconds; empty: never)")}
        </>
      )}
      {action.type === "wait_for_event" && (
        <>
          {text("event", "Event type to wait for")}
          {number("timeout_seconds", "Give up after (seconds)")}
        </>
      )}
      <div className="form-actions">
        <button type="button" className="ghost" disabled={index === 0} onClick={() => move(index - 1)}>
          Move up
        </button>
        <button type="button" className="ghost" disabled={index === definition.actions.length - 1} onClick={() => move(index + 1)}>
          Move down
        </button>
        <button
          type="button"
          className="ghost"
          disabled={definition.actions.length === 1}
          onClick={() => edit({ ...definition, actions: definition.actions.filter((_, i) => i !== index) })}
          data-testid="builder-remove-action"
        >
          Remove step
        </button>
      </div>
    </fieldset>
  );
}
