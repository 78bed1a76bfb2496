// Settings → who may do what: operators, roles, per-family overrides, and how long the
// activity log keeps its rows.
import { useState } from "react";
import type { Capability } from "../../bindings/Capability";
import type { FamilyGate } from "../../bindings/FamilyGate";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { useCan } from "../access/useCan";
import { OperatorsPanel } from "./OperatorsPanel";
import { RolesPanel } from "./RolesPanel";
import { SettingPanel } from "./SettingPanel";

export function AccessSettings() {
  const overview = useCall("access_overview", {});
  const why = useCan();
  if (overview.error) return <ErrorNotice error={overview.error} />;
  if (!overview.data) return <p className="muted">Loading…</p>;
  const { operators, roles, capabilities, family_gates, activity_retention_days } = overview.data;
  const denied = why("manage_access");
  return (
    <div className="panels settings access-settings" data-testid="access-settings">
      <OperatorsPanel operators={operators} roles={roles} denied={denied} />
      <RolesPanel roles={roles} capabilities={capabilities} denied={denied} />
      <FamilyGates gates={family_gates} capabilities={capabilities.map((c) => c.capability)} denied={denied} />
      <ActivityRetention days={activity_retention_days} denied={why("manage_settings")} />
    </div>
  );
}

/** Which capability each connector family requires for credential authority, besides the
 *  operation's own. */
function FamilyGates({ gates, capabilities, denied }: { gates: FamilyGate[]; capabilities: Capability[]; denied?: string }) {
  const [chosen, setChosen] = useState(gates);
  const save = useAction((next: FamilyGate[]) => call("family_gates_set", { gates: next }), ["access_overview", "session_get"]);
  return (
    <SettingPanel
      title="Per-family overrides"
      help="Creating, editing scopes, refreshing, disconnecting and rotating the credentials of a family's connectors also need the capability chosen here. Payment platforms need manage_payment_credentials unless you change it."
      submit="Save overrides"
      testId="family-gates-save"
      denied={denied}
      saving={save.isPending}
      onSubmit={() => save.mutate(chosen)}
    >
      {save.error && <ErrorNotice error={save.error} />}
      <table className="simple" data-testid="family-gates">
        <tbody>
          {chosen.map((gate, i) => (
            <tr key={gate.family}>
              <th scope="row">{gate.label ?? gate.family}</th>
              <td>
                <select
                  aria-label={`${gate.label ?? gate.family} also requires`}
                  value={gate.capability ?? ""}
                  onChange={(e) =>
                    setChosen(chosen.map((g, j) => (j === i ? { ...g, capability: (e.target.value || null) as Capability | null } : g)))
                  }
                  data-testid={`family-gate-${gate.family}`}
                >
                  <option value="">Nothing more</option>
                  {capabilities.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </SettingPanel>
  );
}

/** Keep forever (the default) or a number of days. */
function ActivityRetention({ days, denied }: { days: number | null; denied?: string }) {
  const [forever, setForever] = useState(days === null);
  const [value, setValue] = useState(String(days ?? 365));
  const save = useAction((next: number | null) => call("activity_retention_set", { days: next }), ["access_overview"]);
  return (
    <SettingPanel
      title="Activity-log retention"
      help="The activity log is append-only: retention is the only thing that removes rows from it. Kept forever unless you choose a number of days (30 at least)."
      submit="Save retention"
      testId="activity-retention-save"
      denied={denied}
      saving={save.isPending}
      onSubmit={() => save.mutate(forever ? null : Number(value))}
    >
      {save.error && <ErrorNotice error={save.error} />}
      <label className="inline">
        <input type="checkbox" checked={forever} onChange={(e) => setForever(e.target.checked)} data-testid="activity-retention-forever" /> Keep every row forever
      </label>
      {!forever && (
        <label className="days">
          <input type="number" min={30} max={3650} value={value} onChange={(e) => setValue(e.target.value)} aria-label="Activity retention in days" data-testid="activity-retention-days" /> days
        </label>
      )}
    </SettingPanel>
  );
}
