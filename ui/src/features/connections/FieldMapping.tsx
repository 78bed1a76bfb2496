// The connection's field mapping per action: which field of an event fills which field of the
// vendor's request. Written one per line as `target = source`; a "quoted" source is a constant.
// An action without a mapping sends the event's payload as it is.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { CONNECTION_ANSWERS } from "./connectionAnswers";
import { useConnector } from "./useConnector";
import { useCan } from "../access/useCan";
import { FocusableButton } from "../../components/FocusableButton";

type Mapping = Record<string, string>;

export function mappingToText(mapping: Mapping | undefined): string {
  return Object.entries(mapping ?? {})
    .map(([target, source]) => `${target} = ${source}`)
    .join("\n");
}

export function textToMapping(text: string): Mapping | string {
  const mapping: Mapping = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf("=");
    if (at <= 0) return `"${line}" is not "target = source"`;
    mapping[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return mapping;
}

export function FieldMapping({
  connectionId,
  connectorType,
  stored,
}: {
  connectionId: string;
  connectorType: string;
  stored: Record<string, Mapping>;
}) {
  const denied = useCan()("configure_connections");
  const actions = useConnector(connectorType)?.actions ?? [];
  const [picked, setAction] = useState<string>();
  const action = picked ?? actions[0]?.id ?? "";
  const [edits, setEdits] = useState<Record<string, string>>({});
  const text = edits[action] ?? mappingToText(stored[action]);
  const saving = useAction(async (mapping: Mapping) => {
    await call("field_mapping_set", { id: connectionId, action, mapping });
    return Object.keys(mapping).length ? "Mapping saved: new events for this action are mapped." : "Mapping cleared: events go as they are.";
  }, CONNECTION_ANSWERS);

  if (actions.length === 0) return null;
  const parsed = textToMapping(text);
  return (
    <div className="panel" data-testid="field-mapping">
      <h2>Field mapping</h2>
      <label>
        Action
        <select value={action} onChange={(e) => setAction(e.target.value)} name="mapping-action">
          {actions.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
              {stored[a.id] ? " (mapped)" : ""}
            </option>
          ))}
        </select>
      </label>
      <label>
        One field per line: <code>request.field = event.field</code>, or a <code>"constant"</code>
        <textarea
          rows={4}
          spellCheck={false}
          value={text}
          placeholder={'to.0.email = customer.email\ntemplateId = "7"'}
          onChange={(e) => setEdits({ ...edits, [action]: e.target.value })}
          data-testid="field-mapping-text"
        />
      </label>
      {typeof parsed === "string" && <p className="notice notice-error small">{parsed}</p>}
      <div className="form-actions">
        <FocusableButton
          disabled={typeof parsed === "string" || saving.isPending || !!denied}
          title={denied}
          onClick={() => typeof parsed !== "string" && saving.mutate(parsed)}
          data-testid="field-mapping-save"
        >
          {saving.isPending ? "Saving…" : "Save mapping"}
        </FocusableButton>
        <span className="muted small">Empty sends events as they are.</span>
      </div>
      {saving.isSuccess && (
        <p className="muted small" role="status" data-testid="field-mapping-saved">
          {saving.data}
        </p>
      )}
      {saving.error && <ErrorNotice error={saving.error} />}
    </div>
  );
}
