// Editing an automation two ways at once: the builder (its flow, and a form for the node
// selected) and its JSON (seed 004's shape). Both edit the same text, so a change in either
// shows in the other; as it changes, the backend checks it as saving would and the editor shows
// the conditions as CEL and every problem with its path. Saving makes a new version (or a new
// automation).
import { useMemo, useState } from "react";
import type { AutomationDefinition } from "../../../bindings/AutomationDefinition";
import { ErrorNotice } from "../../../components/ErrorNotice";
import { Segmented, type SegmentedOption } from "../../../components/Segmented";
import { useAction } from "../../../data/useAction";
import { useCall } from "../../../data/useCall";
import { useDebounced } from "../../../data/useDebounced";
import { call, IpcError } from "../../../ipc";
import { navigate } from "../../../router";
import { useScope } from "../../../scope";
import { FlowDiagram, type Selected } from "./FlowDiagram";
import { useCan } from "../../access/useCan";
import { ActionForm, ConditionsForm, newAction, TriggerForm } from "./StepForms";

type Mode = "builder" | "json";
const MODES: SegmentedOption<Mode>[] = [
  { value: "builder", label: "Builder", testId: "editor-builder" },
  { value: "json", label: "JSON", testId: "editor-json" },
];

function parse(text: string): AutomationDefinition | Error {
  try {
    const value: unknown = JSON.parse(text);
    const d = value as AutomationDefinition;
    if (typeof d !== "object" || d === null || typeof d.trigger !== "object" || !Array.isArray(d.actions)) {
      return new Error("The builder needs a trigger and a list of actions: fix the JSON first.");
    }
    return d;
  } catch (e) {
    return new Error(`The definition is not JSON: ${(e as Error).message}`);
  }
}

export function AutomationEditor({ id, initial }: { id?: string; initial: string }) {
  const denied = useCan()("edit_automations");
  const scope = useScope();
  const [text, setText] = useState(initial);
  const [mode, setMode] = useState<Mode>("builder");
  const [selected, setSelected] = useState<Selected>("trigger");
  const parsed = useMemo(() => parse(text), [text]);
  const checked = useCall("automation_check", { scope, json: useDebounced(text, 300) });
  const connections = useCall("connections_list", { scope, query: { page_size: 200 } });
  const choices = (connections.data?.rows ?? []).map((r) => ({ id: r.record.id, name: `${r.record.display_name} (${r.record.connector_type})` }));
  const save = useAction(async () => {
    if (parsed instanceof Error) throw new IpcError("invalid_argument", parsed.message);
    return call("automation_save", { scope, id: id ?? null, json: text });
  }, ["automations_list", "automation_get"]);
  const edit = (next: AutomationDefinition) => setText(JSON.stringify(next, null, 2));
  const definition = parsed instanceof Error ? null : parsed;
  // A selection the definition no longer has (a removed step) falls back to the trigger.
  const shown: Selected =
    definition && (selected === "trigger" || (selected === "conditions" ? definition.trigger.conditions != null : selected < definition.actions.length))
      ? selected
      : "trigger";
  return (
    <form
      className="automation-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(undefined, { onSuccess: (saved) => id ?? navigate({ view: "automation", id: saved.id }) });
      }}
    >
      <div className="toolbar">
        <Segmented label="Edit with" options={MODES} value={mode} onChange={setMode} />
      </div>
      {mode === "builder" && !definition && <ErrorNotice error={new IpcError("invalid_argument", (parsed as Error).message)} />}
      {mode === "builder" && definition && (
        <div className="builder" data-testid="builder">
          <div>
            <FlowDiagram definition={definition} selected={shown} onSelect={setSelected} />
            <button
              type="button"
              className="ghost"
              onClick={() => {
                edit({ ...definition, actions: [...definition.actions, newAction("notify")] });
                setSelected(definition.actions.length);
              }}
              data-testid="builder-add-action"
            >
              Add a step
            </button>
          </div>
          <div>
            <label>
              Name
              <input value={definition.name} onChange={(e) => edit({ ...definition, name: e.target.value })} data-testid="builder-name" />
            </label>
            {shown === "trigger" && <TriggerForm definition={definition} edit={edit} connections={choices} />}
            {shown === "conditions" && <ConditionsForm definition={definition} edit={edit} />}
            {typeof shown === "number" && <ActionForm definition={definition} index={shown} edit={edit} connections={choices} key={shown} />}
          </div>
        </div>
      )}
      {mode === "json" && (
        <label>
          JSON (seed 004&apos;s shape: trigger, conditions, actions, status)
          <textarea className="code" rows={18} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} data-testid="automation-json" />
        </label>
      )}
      <div className="check" aria-live="polite" data-testid="editor-check">
        {checked.data?.cel && (
          <p className="small">
            Conditions as CEL: <code data-testid="editor-cel">{checked.data.cel}</code>
          </p>
        )}
        {checked.data && checked.data.problems.length > 0 && (
          <ul className="small tone-bad problems" data-testid="editor-problems">
            {checked.data.problems.map((p, i) => (
              <li key={i}>
                {p.path && <code>{p.path}</code>} {p.message}
              </li>
            ))}
          </ul>
        )}
        {checked.data && checked.data.problems.length === 0 && <p className="small tone-good-text">It would save.</p>}
      </div>
      <div className="form-actions">
        <button type="submit" disabled={save.isPending || !!denied} title={denied} data-testid="automation-save">
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
