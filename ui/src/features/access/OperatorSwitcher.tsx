// Who is acting, in the top bar, and switching to another profile: one with a passphrase asks
// for it (five wrong tries lock the profile for a minute). The core keeps who acts; the window
// only asks it to switch.
import { useState } from "react";
import type { Operator } from "../../bindings/Operator";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { useCloseOnEscape } from "../../components/useCloseOnEscape";

export function OperatorSwitcher() {
  const session = useCall("session_get", {});
  const profiles = useCall("operators_list", {});
  const [open, setOpen] = useState(false);
  const [asking, setAsking] = useState<Operator>();
  const [passphrase, setPassphrase] = useState("");
  const close = () => {
    setOpen(false);
    setAsking(undefined);
    setPassphrase("");
  };
  const switchTo = useAction(async ({ profile, secret }: { profile: Operator; secret: string | null }) => {
    await call("operator_switch", { profile: profile.id, passphrase: secret });
    close();
  }, ["session_get", "operators_list", "access_overview"]);
  useCloseOnEscape(open, setOpen);
  const acting = session.data?.operator;
  const choose = (profile: Operator) => {
    switchTo.reset();
    if (profile.has_passphrase) setAsking(profile);
    else switchTo.mutate({ profile, secret: null });
  };
  return (
    <div className="operator-switcher">
      <button
        type="button"
        className="ghost"
        aria-expanded={open}
        aria-controls="operator-panel"
        onClick={() => (open ? close() : setOpen(true))}
        title={acting ? `${acting.name} · ${acting.role_name}` : undefined}
        data-testid="operator-open"
      >
        <span className="visually-hidden">Acting as </span>
        <span data-testid="operator-name">{acting?.name ?? "Nobody"}</span> · <span className="muted" data-testid="operator-role">{acting?.role_name ?? "choose a profile"}</span>
      </button>
      {open && (
        <div className="popover" id="operator-panel" role="region" aria-label="Switch operator" data-testid="operator-panel">
          <h2>Act as</h2>
          {switchTo.error && <ErrorNotice error={switchTo.error} />}
          {asking ? (
            <form
              className="stacked"
              onSubmit={(e) => {
                e.preventDefault();
                switchTo.mutate({ profile: asking, secret: passphrase });
              }}
            >
              <label>
                {asking.name}'s passphrase
                <input type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoFocus data-testid="operator-passphrase-input" />
              </label>
              <div className="form-actions">
                <button type="submit" disabled={switchTo.isPending} data-testid="operator-passphrase-submit">
                  {switchTo.isPending ? "Checking…" : `Switch to ${asking.name}`}
                </button>
                <button type="button" onClick={() => setAsking(undefined)}>
                  Back
                </button>
              </div>
            </form>
          ) : (
            <ul className="operator-list">
              {(profiles.data ?? []).map((p) => (
                <li key={p.id}>
                  <button
                    type="button"
                    className="ghost"
                    aria-current={p.id === acting?.id ? "true" : undefined}
                    disabled={switchTo.isPending}
                    onClick={() => choose(p)}
                    data-testid="operator-choice"
                  >
                    <strong>{p.name}</strong> <span className="muted small">{p.role_name}</span>
                    {p.has_passphrase && <span className="muted small"> · passphrase</span>}
                    {p.id === acting?.id && <span className="muted small"> · acting</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
