import { useMemo, useState } from "react";
import type { ConnectorSummary } from "../../bindings/ConnectorSummary";
import { ErrorNotice } from "../../components/ErrorNotice";
import { authFlowLabel } from "../../components/format";
import { href } from "../../router";
import { useScope } from "../../scope";
import { useCall } from "../../data/useCall";

/** Connectors matching the family, auth flow and name filters, grouped by family in order. */
export function filterLibrary(
  connectors: ConnectorSummary[],
  filter: { family: string; flow: string; text: string },
): [string, ConnectorSummary[]][] {
  const text = filter.text.trim().toLowerCase();
  const groups = new Map<string, ConnectorSummary[]>();
  for (const c of connectors) {
    if (filter.family && c.family !== filter.family) continue;
    if (filter.flow && !c.auth_flows.includes(filter.flow)) continue;
    if (text && !c.display_name.toLowerCase().includes(text) && !c.slug.includes(text)) continue;
    groups.set(c.family_label, [...(groups.get(c.family_label) ?? []), c]);
  }
  return [...groups.entries()];
}

export function LibraryView() {
  const scope = useScope();
  const library = useCall("catalog_list", { scope });
  const [family, setFamily] = useState("");
  const [flow, setFlow] = useState("");
  const [text, setText] = useState("");
  const connectors = useMemo(() => library.data ?? [], [library.data]);
  const families = useMemo(() => [...new Map(connectors.map((c) => [c.family, c.family_label])).entries()], [connectors]);
  const flows = useMemo(() => [...new Set(connectors.flatMap((c) => c.auth_flows))].sort(), [connectors]);
  const groups = filterLibrary(connectors, { family, flow, text });
  const configured = connectors.filter((c) => c.configured).length;

  return (
    <section aria-labelledby="library-title">
      <div className="view-header">
        <h1 id="library-title">Connector library</h1>
        <p className="muted">
          {connectors.length} connectors in {families.length} families · {configured} configured on this site
        </p>
      </div>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search connectors"
          aria-label="Search connectors by name"
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="library-search"
        />
        <select aria-label="Family" value={family} onChange={(e) => setFamily(e.target.value)} data-testid="library-family">
          <option value="">All families</option>
          {families.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
        <select aria-label="Auth flow" value={flow} onChange={(e) => setFlow(e.target.value)} data-testid="library-flow">
          <option value="">All auth flows</option>
          {flows.map((f) => (
            <option key={f} value={f}>
              {authFlowLabel(f)}
            </option>
          ))}
        </select>
      </div>
      {library.error && <ErrorNotice error={library.error} />}
      {library.isSuccess && groups.length === 0 && <p className="empty">No connector matches these filters.</p>}
      {groups.map(([label, items]) => (
        <div key={label} className="family-group" data-testid="family-group">
          <h2>{label}</h2>
          <div className="cards">
            {items.map((c) => (
              <a key={c.slug} className="card" href={href({ view: "connector", slug: c.slug })} data-testid="connector-card" data-slug={c.slug}>
                <div className="card-title">
                  <strong>{c.display_name}</strong>
                  {c.configured ? (
                    <span className="badge tone-good">Configured</span>
                  ) : (
                    <span className="badge tone-muted">Not configured</span>
                  )}
                </div>
                <p className="card-summary">{c.summary}</p>
                <div className="tags">
                  {c.auth_flows.map((f) => (
                    <span key={f} className="tag">
                      {authFlowLabel(f)}
                    </span>
                  ))}
                  <span className="tag tag-quiet">
                    {c.scopes.length === 0 ? "no scopes" : `${c.scopes.length} ${c.scopes.length === 1 ? "scope" : "scopes"}`}
                  </span>
                </div>
              </a>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}
