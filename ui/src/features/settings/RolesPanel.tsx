// Settings → Roles: the built-in roles (copied, never edited) and custom ones — a name and the
// capabilities ticked, each with what it allows.
import { useState } from "react";
import type { Capability } from "../../bindings/Capability";
import type { CapabilityInfo } from "../../bindings/CapabilityInfo";
import type { Role } from "../../bindings/Role";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { SaveCancel } from "../../components/SaveCancel";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";

const REFRESHES = ["access_overview", "session_get"] as const;

type Draft = { id: string | null; name: string; capabilities: Capability[] };

export function RolesPanel({ roles, capabilities, denied }: { roles: Role[]; capabilities: CapabilityInfo[]; denied?: string }) {
  const [draft, setDraft] = useState<Draft>();
  const save = useAction(async (d: Draft) => {
    await call("role_save", { draft: { id: d.id ?? undefined, name: d.name, capabilities: d.capabilities } });
    setDraft(undefined);
  }, [...REFRESHES]);
  const remove = useAction((id: string) => call("role_remove", { id }), [...REFRESHES]);
  const error = save.error ?? remove.error;
  const toggle = (c: Capability) =>
    draft && setDraft({ ...draft, capabilities: draft.capabilities.includes(c) ? draft.capabilities.filter((x) => x !== c) : [...draft.capabilities, c] });
  return (
    <div className="panel" data-testid="roles-panel">
      <h2>Roles</h2>
      <p className="muted small">A role is a set of capabilities. Built-in roles cannot be edited: copy one and change the copy.</p>
      {error && <ErrorNotice error={error} />}
      <ul className="role-list">
        {roles.map((r) => (
          <li key={r.id} data-testid="role-row">
            <div className="role-head">
              <strong>{r.name}</strong>
              <span className="muted small">
                {r.built_in ? "built-in" : "custom"} · {r.operators} profile{r.operators === 1 ? "" : "s"}
              </span>
              <span className="spacer" />
              <FocusableButton
                className="ghost"
                disabled={!!denied || !!draft}
                title={denied}
                aria-label={`Copy ${r.name}`}
                onClick={() => setDraft({ id: null, name: `${r.name} (copy)`, capabilities: r.capabilities })}
              >
                Copy
              </FocusableButton>
              {!r.built_in && (
                <>
                  <FocusableButton
                    className="ghost"
                    disabled={!!denied || !!draft}
                    title={denied}
                    aria-label={`Edit ${r.name}`}
                    onClick={() => setDraft({ id: r.id, name: r.name, capabilities: r.capabilities })}
                  >
                    Edit
                  </FocusableButton>
                  <FocusableButton className="ghost" disabled={!!denied || remove.isPending} title={denied} aria-label={`Remove ${r.name}`} onClick={() => remove.mutate(r.id)}>
                    Remove
                  </FocusableButton>
                </>
              )}
            </div>
            <div>
              {r.capabilities.map((c) => (
                <span key={c} className="chip">
                  {c}
                </span>
              ))}
            </div>
          </li>
        ))}
      </ul>
      {draft && (
        <form
          className="stacked"
          aria-label={draft.id ? "Edit role" : "New role"}
          data-testid="role-form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <label>
            Name
            <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} data-testid="role-name" autoFocus />
          </label>
          <fieldset className="capabilities">
            <legend>Capabilities</legend>
            {capabilities.map((c) => (
              <label key={c.capability} className="inline">
                <input type="checkbox" checked={draft.capabilities.includes(c.capability)} onChange={() => toggle(c.capability)} data-testid={`capability-${c.capability}`} />
                <span>
                  <code>{c.capability}</code> <span className="muted small">{c.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <SaveCancel saving={save.isPending} label="Save role" testId="role-save" onCancel={() => setDraft(undefined)} />
        </form>
      )}
    </div>
  );
}
