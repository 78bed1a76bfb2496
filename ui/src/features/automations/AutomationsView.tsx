// The Automations view (SPEC §7): each automation of the site environment with its status and
// trigger, and the newest runs across them all.
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatRelative } from "../../components/format";
import { useCall } from "../../data/useCall";
import { href } from "../../router";
import { useScope } from "../../scope";
import { RunsTable } from "./RunsTable";
import { AutomationStatusBadge, RunStatusBadge } from "./StatusBadges";

export function AutomationsView() {
  const scope = useScope();
  const automations = useCall("automations_list", { scope });
  const rows = automations.data ?? [];
  return (
    <section aria-labelledby="automations-title" data-testid="automations">
      <div className="view-header">
        <h1 id="automations-title">Automations</h1>
        <p className="muted">
          A trigger (a vendor&apos;s event, a connection&apos;s state), conditions in CEL, and actions run in order while the app is open. Drafts
          run dry: they record what they would have done.
        </p>
      </div>
      <div className="toolbar">
        <a className="button" href={href({ view: "automation", id: "new" })} data-testid="automation-new">
          New automation
        </a>
      </div>
      {automations.error && <ErrorNotice error={automations.error} />}
      <table className="simple panel-table" data-testid="automation-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Last run</th>
            <th scope="col">Success</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id} data-testid="automation-row">
              <td>
                <a href={href({ view: "automation", id: a.id })}>{a.name}</a>
              </td>
              <td>
                <AutomationStatusBadge status={a.status} />
                {a.status_reason && <div className="small muted">{a.status_reason}</div>}
              </td>
              <td>
                <code>{a.trigger_event}</code>
                {a.next_fire_at != null && <div className="small muted">next {formatRelative(a.next_fire_at)}</div>}
              </td>
              <td>
                {a.last_run_at != null ? (
                  <>
                    {formatRelative(a.last_run_at)} {a.last_run_status && <RunStatusBadge status={a.last_run_status} dryRun={false} />}
                  </>
                ) : (
                  <span className="muted">Never</span>
                )}
                {a.held_runs > 0 && (
                  <div className="small" data-testid="automation-held">
                    {a.held_runs} event(s) kept
                  </div>
                )}
              </td>
              <td>{a.success_rate != null ? `${Math.round(a.success_rate * 100)}%` : <span className="muted">—</span>}</td>
              <td>v{a.version}</td>
            </tr>
          ))}
          {automations.data && rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No automations yet in this site environment.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>Recent runs</h2>
      <RunsTable names={Object.fromEntries(rows.map((a) => [a.id, a.name]))} />
    </section>
  );
}
