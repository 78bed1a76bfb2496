// The activity log (SPEC §8): who did what to which connection, and how it went — one query
// across every connection of the site, filtered by connection, operator, kind of action,
// outcome and date; newest or oldest first, a page at a time; each row opens its detail; the
// filtered set exports as CSV.
import { useState } from "react";
import type { ActivityFilters } from "../../bindings/ActivityFilters";
import type { ActivityRow } from "../../bindings/ActivityRow";
import { useDateRange } from "../../components/DateRangeFilter";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { Segmented } from "../../components/Segmented";
import { formatTime, humanize } from "../../components/format";
import { useCall } from "../../data/useCall";
import { useScope } from "../../scope";
import { ActivityDetailPanel } from "./ActivityDetailPanel";
import { ActivityExportButton } from "./ActivityExportButton";

const PAGE = 50;
const OUTCOMES = ["success", "failure", "refused", "error", "connected", "rejected"];

/** The filter's kinds: every family of actions (`connection.`) and each action in it. */
export function actionChoices(actions: string[]): { value: string; label: string }[] {
  const families = [...new Set(actions.map((a) => a.split(".")[0] ?? a))];
  return families.flatMap((family) => [
    { value: `${family}.`, label: `All ${humanize(family).toLowerCase()} actions` },
    ...actions.filter((a) => a.startsWith(`${family}.`)).map((a) => ({ value: a, label: `  ${a}` })),
  ]);
}

export function ActivityView() {
  const scope = useScope();
  const [connection, setConnection] = useState("");
  const [operator, setOperator] = useState("");
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState("");
  const [order, setOrder] = useState<"newest" | "oldest">("newest");
  const [bounds, dateRange] = useDateRange("activity");
  // The cursors of the pages before this one, so "Newer" goes back without a reverse query.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<ActivityRow>();
  const filters: ActivityFilters = {
    site_id: scope.site_id,
    connection_id: connection || undefined,
    operator_id: operator || undefined,
    action: action || undefined,
    outcome: outcome || undefined,
    ...bounds,
  };
  const filterKey = JSON.stringify([filters, order]);
  const [pagedFor, setPagedFor] = useState(filterKey);
  // A new filter starts again at its first page.
  if (pagedFor !== filterKey) {
    setPagedFor(filterKey);
    setCursors([undefined]);
  }
  const cursor = cursors[cursors.length - 1];
  const page = useCall("activity_query", { query: { ...filters, ascending: order === "oldest", cursor, page_size: PAGE } });
  const connections = useCall("connections_list", { scope, query: { page_size: 500 } });
  const operators = useCall("operators_list", {});
  const actions = useCall("activity_actions", {});
  const rows = page.data?.rows ?? [];

  return (
    <section aria-labelledby="activity-title" data-testid="activity">
      <div className="view-header">
        <h1 id="activity-title">Activity</h1>
        <p className="muted">Who did what, to which connection, and how it went — across every connection of this site, and the app's settings. Append-only.</p>
      </div>
      <div className="toolbar" role="group" aria-label="Filters">
        <select aria-label="Connection" value={connection} onChange={(e) => setConnection(e.target.value)} data-testid="activity-connection">
          <option value="">All connections</option>
          {(connections.data?.rows ?? []).map((c) => (
            <option key={c.record.id} value={c.record.id}>
              {c.record.display_name}
            </option>
          ))}
        </select>
        <select aria-label="Operator" value={operator} onChange={(e) => setOperator(e.target.value)} data-testid="activity-operator">
          <option value="">Everyone</option>
          {(operators.data ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        <select aria-label="Kind of action" value={action} onChange={(e) => setAction(e.target.value)} data-testid="activity-action">
          <option value="">Every action</option>
          {actionChoices(actions.data ?? []).map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
        <select aria-label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} data-testid="activity-outcome">
          <option value="">Any outcome</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {humanize(o)}
            </option>
          ))}
        </select>
        {dateRange}
        <Segmented
          label="Order"
          options={[
            { value: "newest", label: "Newest first", testId: "activity-newest" },
            { value: "oldest", label: "Oldest first", testId: "activity-oldest" },
          ]}
          value={order}
          onChange={setOrder}
        />
        <span className="spacer" />
        <ActivityExportButton filters={filters} />
      </div>
      {page.error && <ErrorNotice error={page.error} />}
      <div className="activity-split">
        <table className="simple panel-table activity-table" data-testid="activity-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Operator</th>
              <th scope="col">Action</th>
              <th scope="col">Connection</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} aria-selected={selected?.id === r.id} data-testid="activity-row">
                <td className="nowrap">{formatTime(r.at)}</td>
                <td>{r.operator_name}</td>
                <td>
                  <button type="button" className="link-button" onClick={() => setSelected(r)} aria-label={`${r.action} at ${formatTime(r.at)}: details`}>
                    <code>{r.action}</code>
                  </button>
                </td>
                <td>{r.connection_name ?? r.connection_id ?? <span className="muted">—</span>}</td>
                <td>
                  <span className={`badge tone-${tone(r.outcome)}`}>{humanize(r.outcome)}</span>
                </td>
              </tr>
            ))}
            {rows.length === 0 && page.isSuccess && (
              <tr>
                <td colSpan={5} className="muted">
                  Nothing matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {selected && <ActivityDetailPanel id={selected.id} onClose={() => setSelected(undefined)} />}
      </div>
      <div className="pager">
        <FocusableButton disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))} data-testid="activity-previous">
          {order === "newest" ? "Newer" : "Older"}
        </FocusableButton>
        <span className="muted small">Page {cursors.length}</span>
        <FocusableButton
          disabled={!page.data?.next_cursor}
          onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}
          data-testid="activity-next"
        >
          {order === "newest" ? "Older" : "Newer"}
        </FocusableButton>
      </div>
    </section>
  );
}

function tone(outcome: string): string {
  if (["success", "connected"].includes(outcome)) return "good";
  if (["refused", "failure", "error", "rejected"].includes(outcome)) return "bad";
  return "neutral";
}
