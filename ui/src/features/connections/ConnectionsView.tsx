import { useDebounced } from "../../data/useDebounced";
import { useState } from "react";
import type { ConnectionState } from "../../bindings/ConnectionState";
import { StateBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatRelative, humanize } from "../../components/format";
import { SortHeader, type SortState } from "../../components/SortHeader";
import { useCall } from "../../data/useCall";
import { FocusableButton } from "../../components/FocusableButton";
import { href, navigate } from "../../router";
import { useScope } from "../../scope";

const STATES: ConnectionState[] = ["active", "paused", "auth_expired", "auth_revoked", "error"];
const PAGE_SIZE = 10;

export function ConnectionsView() {
  const scope = useScope();
  const [text, setText] = useState("");
  const [state, setState] = useState("");
  const [sort, setSort] = useState<SortState>({ column: "display_name", descending: false });
  const [page, setPage] = useState(0);
  const query = { text: useDebounced(text), state, sort: sort.column, descending: sort.descending, page, page_size: PAGE_SIZE };
  const result = useCall("connections_list", { scope, query });
  const data = result.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const resetPage = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPage(0);
  };

  return (
    <section aria-labelledby="connections-title">
      <div className="view-header">
        <h1 id="connections-title">Connections</h1>
        <p className="muted">Every vendor this site environment talks to, and whether it is healthy.</p>
      </div>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter by name, connector, account or scope"
          aria-label="Filter connections"
          value={text}
          onChange={(e) => resetPage(setText)(e.target.value)}
          data-testid="connections-filter"
        />
        <select aria-label="State" value={state} onChange={(e) => resetPage(setState)(e.target.value)} data-testid="connections-state">
          <option value="">All states</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </div>
      {result.status === "error" && <ErrorNotice error={result.error} />}
      <div className="table" role="table" aria-label="Connections" data-testid="connections-table">
        <div role="rowgroup">
          <div role="row" className="tr head connections-grid">
            {[
              ["connector", "Connector"],
              ["display_name", "Display name"],
              ["state", "State"],
              ["scopes", "Scopes"],
              ["last_delivery", "Last delivery"],
              ["operator_of_record", "Operator of record"],
            ].map(([column, label]) => (
              <SortHeader key={column} column={column!} label={label!} sort={sort} onSort={resetPage(setSort)} />
            ))}
          </div>
        </div>
        <div role="rowgroup">
          {data?.rows.map(({ record, connector_name }) => (
            // The name is the row's link (the keyboard's way in); a click anywhere on the row
            // goes to the same place.
            <div
              role="row"
              key={record.id}
              className="tr connections-grid clickable"
              onClick={() => navigate({ view: "connection", id: record.id })}
              data-testid="connection-row"
              data-id={record.id}
            >
              <div role="cell">{connector_name}</div>
              <div role="cell">
                <a className="strong row-link" href={href({ view: "connection", id: record.id })}>
                  {record.display_name}
                </a>
              </div>
              <div role="cell">
                <StateBadge state={record.state} />
              </div>
              <div role="cell" title={record.scopes_granted.join("\n")}>
                {record.scopes_granted.length === 0 ? <span className="muted">none</span> : record.scopes_granted.length}
              </div>
              <div role="cell" title={record.last_delivery_at ? new Date(record.last_delivery_at).toISOString() : ""}>
                {formatRelative(record.last_delivery_at)}
              </div>
              <div role="cell">{record.operator_of_record_name}</div>
            </div>
          ))}
        </div>
      </div>
      {data && data.rows.length === 0 && <p className="empty">No connection matches these filters.</p>}
      <div className="pager">
        <FocusableButton disabled={page === 0} onClick={() => setPage(page - 1)} data-testid="connections-prev">
          ← Previous
        </FocusableButton>
        <span data-testid="connections-range">
          {data && data.total > 0
            ? `${page * PAGE_SIZE + 1}–${page * PAGE_SIZE + data.rows.length} of ${data.total}`
            : "0 of 0"}
        </span>
        <FocusableButton disabled={page + 1 >= pages} onClick={() => setPage(page + 1)} data-testid="connections-next">
          Next →
        </FocusableButton>
      </div>
    </section>
  );
}
