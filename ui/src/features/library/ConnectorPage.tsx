import { ErrorNotice } from "../../components/ErrorNotice";
import { authFlowLabel, humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { href } from "../../router";
import { useScope } from "../../scope";
import { ConnectForm } from "./ConnectForm";
import { FocusableButton } from "../../components/FocusableButton";
import { verificationLabel } from "../../components/verification";

export function ConnectorPage({ slug }: { slug: string }) {
  const scope = useScope();
  const detail = useCall("catalog_get", { scope, slug });
  const sites = useCall("sites_list", {});
  const openDocs = useAction(() => call("catalog_open_docs", { slug }), []);
  const demoSite = sites.data?.find((site) => site.id === scope.site_id)?.demo ?? false;
  const failed = detail.error ?? sites.error;
  if (failed) return <ErrorNotice error={failed} />;
  // The form's defaults depend on whether this is the demo site, so it waits for both.
  if (!detail.data || !sites.data) return <p className="muted">Loading…</p>;
  const c = detail.data;
  const s = c.summary;
  return (
    <section aria-labelledby="connector-title" data-testid="connector-page">
      <a className="back" href={href({ view: "library" })}>
        ← Library
      </a>
      <div className="view-header">
        <h1 id="connector-title">{s.display_name}</h1>
        <p className="muted">
          {s.family_label} · {s.auth_flows.map(authFlowLabel).join(", ")} ·{" "}
          {s.configured ? "configured on this site" : "not configured on this site"}
        </p>
        <p>{s.summary}</p>
        <FocusableButton onClick={() => openDocs.mutate(undefined)} disabled={openDocs.isPending} data-testid="open-docs">
          Open vendor documentation ↗
        </FocusableButton>
        <span className="muted small"> {c.docs_url}</span>
        {openDocs.error && <ErrorNotice error={openDocs.error} />}
      </div>

      <div className="panel connect-panel">
        <h2>Connect</h2>
        <ConnectForm connector={c} demoSite={demoSite} />
      </div>

      <div className="panels">
        <div className="panel">
          <h2>Scopes</h2>
          {s.scopes.length === 0 ? (
            <p className="muted">This vendor grants access without scopes.</p>
          ) : (
            <table className="simple" data-testid="scopes-table">
              <thead>
                <tr>
                  <th>Scope</th>
                  <th>What it allows</th>
                  <th>Needed by</th>
                </tr>
              </thead>
              <tbody>
                {s.scopes.map((scopeInfo) => (
                  <tr key={scopeInfo.id}>
                    <td>
                      <code>{scopeInfo.id}</code>
                    </td>
                    <td>{scopeInfo.description}</td>
                    <td>
                      {c.actions
                        .filter((a) => a.required_scopes.includes(scopeInfo.id))
                        .map((a) => a.label)
                        .join(", ") || <span className="muted">—</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="panel">
          <h2>Credential fields</h2>
          {c.credential_fields.length === 0 ? (
            <p className="muted">Nothing to type: the vendor's consent page grants access (OAuth).</p>
          ) : (
            <table className="simple" data-testid="fields-table">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Secret</th>
                  <th>Format</th>
                </tr>
              </thead>
              <tbody>
                {c.credential_fields.map((f) => (
                  <tr key={f.name}>
                    <td>{f.label}</td>
                    <td>{f.secret ? "Yes — sealed in the OS keyring" : "No"}</td>
                    <td>
                      <code className="wrap">{f.pattern ?? "any"}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="panel">
          <h2>Actions</h2>
          <ul className="plain">
            {c.actions.map((a) => (
              <li key={a.id}>
                {a.label} <code className="muted">{a.id}</code>
              </li>
            ))}
          </ul>
        </div>
        <div className="panel">
          <h2>Events and revocation</h2>
          <dl className="facts">
            <dt>Inbound events</dt>
            <dd>{c.inbound_event_types.length ? c.inbound_event_types.join(", ") : "none"}</dd>
            <dt>Verified by</dt>
            <dd>{verificationLabel(c.inbound_signature)}</dd>
            <dt>Revocation</dt>
            <dd>
              {humanize(c.revocation)}
              {c.revocation_note && <div className="muted small">{c.revocation_note}</div>}
            </dd>
            {c.oauth_redirect && (
              <>
                <dt>OAuth return path</dt>
                <dd>{c.oauth_redirect === "loopback" ? "Loopback listener (127.0.0.1)" : "Deep link (vendor refuses loopback)"}</dd>
              </>
            )}
            <dt>API base</dt>
            <dd>
              <code>{c.api_base}</code>
            </dd>
          </dl>
        </div>
      </div>
    </section>
  );
}
