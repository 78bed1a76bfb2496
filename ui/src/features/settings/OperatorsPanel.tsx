// Settings → Operators: the profiles people act as, their roles and passphrases. An
// Administrator adds, edits and removes them; the core keeps the last Administrator.
import { useState } from "react";
import type { Operator } from "../../bindings/Operator";
import type { Role } from "../../bindings/Role";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { SaveCancel } from "../../components/SaveCancel";
import { formatTime } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";

const REFRESHES = ["access_overview", "operators_list", "session_get"] as const;

type Draft = { id: string | null; name: string; role: string; passphrase: string; clear: boolean };

export function OperatorsPanel({ operators, roles, denied }: { operators: Operator[]; roles: Role[]; denied?: string }) {
  const [draft, setDraft] = useState<Draft>();
  const [removing, setRemoving] = useState<string>();
  const save = useAction(async (d: Draft) => {
    await call("operator_save", {
      draft: {
        id: d.id ?? undefined,
        name: d.name,
        role: d.role,
        passphrase: d.passphrase ? d.passphrase : undefined,
        clear_passphrase: d.clear,
      },
    });
    setDraft(undefined);
  }, [...REFRESHES]);
  const remove = useAction(async (id: string) => {
    await call("operator_remove", { id });
    setRemoving(undefined);
  }, [...REFRESHES]);
  const error = save.error ?? remove.error;
  return (
    <div className="panel" data-testid="operators-panel">
      <div className="panel-head">
        <h2>Operators</h2>
        <FocusableButton
          disabled={!!denied || !!draft}
          title={denied}
          data-testid="operator-add"
          onClick={() => setDraft({ id: null, name: "", role: "viewer", passphrase: "", clear: false })}
        >
          Add a profile
        </FocusableButton>
      </div>
      <p className="muted small">
        Who acts is chosen in the top bar. A profile with a passphrase asks for it when someone switches to it; five wrong tries lock it for a minute.
      </p>
      {error && <ErrorNotice error={error} />}
      <table className="simple" data-testid="operators-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Passphrase</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {operators.map((o) => (
            <tr key={o.id} data-testid="operator-row">
              <td>
                {o.name}
                {o.os_user && <span className="muted small"> · this computer's user {o.os_user}</span>}
              </td>
              <td>{o.role_name}</td>
              <td>{o.locked_until !== null ? `locked until ${formatTime(o.locked_until)}` : o.has_passphrase ? "set" : "none"}</td>
              <td className="row-actions">
                {removing === o.id ? (
                  <span role="group" aria-label={`Remove ${o.name}?`}>
                    Remove?{" "}
                    <button type="button" className="danger" onClick={() => remove.mutate(o.id)} data-testid="operator-remove-confirm">
                      Remove
                    </button>{" "}
                    <button type="button" ref={(el) => el?.focus()} onClick={() => setRemoving(undefined)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <>
                    <FocusableButton
                      className="ghost"
                      disabled={!!denied}
                      title={denied}
                      aria-label={`Edit ${o.name}`}
                      onClick={() => setDraft({ id: o.id, name: o.name, role: o.role, passphrase: "", clear: false })}
                    >
                      Edit
                    </FocusableButton>
                    <FocusableButton className="ghost" disabled={!!denied} title={denied} aria-label={`Remove ${o.name}`} onClick={() => setRemoving(o.id)}>
                      Remove
                    </FocusableButton>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {draft && (
        <form
          className="stacked"
          aria-label={draft.id ? "Edit profile" : "New profile"}
          data-testid="operator-form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <label>
            Name
            <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} data-testid="profile-name" autoFocus />
          </label>
          <label>
            Role
            <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value })} data-testid="profile-role">
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {draft.id ? "New passphrase (leave empty to keep the present one)" : "Passphrase (optional, 8 characters at least)"}
            <input
              type="password"
              autoComplete="new-password"
              value={draft.passphrase}
              disabled={draft.clear}
              onChange={(e) => setDraft({ ...draft, passphrase: e.target.value })}
              data-testid="profile-passphrase"
            />
          </label>
          {draft.id && (
            <label className="inline">
              <input type="checkbox" checked={draft.clear} onChange={(e) => setDraft({ ...draft, clear: e.target.checked, passphrase: "" })} /> Remove the passphrase
            </label>
          )}
          <SaveCancel saving={save.isPending} label="Save profile" testId="operator-save" onCancel={() => setDraft(undefined)} />
        </form>
      )}
    </div>
  );
}
