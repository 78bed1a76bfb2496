// The Connect form, generated from the connector's manifest. Key flows: the credential fields,
// which the core checks against their patterns (one place, one regex dialect) and tests with
// the vendor before anything is stored. OAuth: the scopes to ask for; the app opens the system
// browser at the vendor's consent page and waits for it to come back, with a way to cancel.
// Signed token: the app makes the secret and shows it once (SigningSecretSetup).
import { useState } from "react";
import type { ConnectorDetail } from "../../bindings/ConnectorDetail";
import type { SigningSecretIssued } from "../../bindings/SigningSecretIssued";
import { ErrorNotice } from "../../components/ErrorNotice";
import { authFlowLabel } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { navigate } from "../../router";
import { useScope } from "../../scope";
import { AppLinkPaste } from "./AppLinkPaste";
import { CancelOAuthFlow } from "./CancelOAuthFlow";
import { EMPTY_SERVER, OAuthServerFields } from "./OAuthServerFields";
import { SigningSecretSetup } from "./SigningSecretSetup";
import { useCan } from "../access/useCan";

/** Flows connected from the form's fields; OAuth goes through the browser. */
const FORM_FLOWS = ["api_key", "basic", "client_credentials", "signed_token"];
const CONNECTABLE = [...FORM_FLOWS, "oauth2"];

type Vendor = "sandbox" | "catalog" | "custom";

export function ConnectForm({ connector, demoSite }: { connector: ConnectorDetail; demoSite: boolean }) {
  const scope = useScope();
  const why = useCan();
  const flows = connector.summary.auth_flows.filter((f) => CONNECTABLE.includes(f));
  const [flow, setFlow] = useState(flows[0] ?? "");
  const [name, setName] = useState(`${connector.summary.display_name} — ${scope.environment}`);
  const [values, setValues] = useState<Record<string, string>>({});
  const [vendor, setVendor] = useState<Vendor>(demoSite || !flows.some((f) => FORM_FLOWS.includes(f)) ? "sandbox" : "catalog");
  const [customBase, setCustomBase] = useState("");
  const [server, setServer] = useState(EMPTY_SERVER);
  const [scopes, setScopes] = useState<string[]>(connector.summary.scopes.map((s) => s.id));
  const [waitingFlow, setWaitingFlow] = useState<string>();
  const [appLink, setAppLink] = useState(false);
  const [issued, setIssued] = useState<SigningSecretIssued>();
  const oauth = flow === "oauth2";
  const fields = oauth ? [] : connector.credential_fields.filter((f) => f.flows.length === 0 || f.flows.includes(flow));
  const apiBase = vendor === "sandbox" ? "sandbox" : vendor === "custom" ? customBase.trim() || null : null;

  const formRequest = () => ({
    connector_type: connector.summary.slug,
    display_name: name,
    auth_flow: flow,
    fields: Object.fromEntries(fields.map((f) => [f.name, values[f.name] ?? ""])),
    api_base_override: apiBase,
  });

  async function connectWithBrowser() {
    const started = await call("oauth_begin", {
      scope,
      request: {
        connector_type: connector.summary.slug,
        display_name: name,
        scopes,
        api_base_override: apiBase,
        oauth_server: vendor === "custom" ? server : null,
      },
    });
    setWaitingFlow(started.flow_id);
    setAppLink(started.app_link);
    try {
      return await call("oauth_finish", { flow_id: started.flow_id });
    } finally {
      setWaitingFlow(undefined);
    }
  }

  const connect = useAction(
    async () => {
      if (flow === "signed_token") {
        setIssued(await call("signed_token_begin", { scope, request: formRequest() }));
        return;
      }
      const detail = await (oauth ? connectWithBrowser() : call("connection_create", { scope, request: formRequest() }));
      navigate({ view: "connection", id: detail.row.record.id });
    },
    ["connections_list", "catalog_list", "catalog_get"],
  );
  const busy = connect.isPending;
  const denied = why("create_connections", connector.summary.slug);

  if (flows.length === 0) {
    return (
      <p className="muted" data-testid="connect-unavailable">
        Connecting with {connector.summary.auth_flows.map(authFlowLabel).join(" or ")} is not available in this
        build yet.
      </p>
    );
  }
  const submitBlocked = busy || (oauth && vendor === "catalog") || !!denied;
  if (issued) {
    return <SigningSecretSetup issued={issued} onCancel={() => setIssued(undefined)} />;
  }
  return (
    <form
      className="connect-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!submitBlocked) connect.mutate(undefined);
      }}
      data-testid="connect-form"
    >
      {flows.length > 1 && (
        <label>
          Auth flow
          <select value={flow} onChange={(e) => setFlow(e.target.value)}>
            {flows.map((f) => (
              <option key={f} value={f}>
                {authFlowLabel(f)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Display name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} name="display_name" />
      </label>
      {oauth && connector.summary.scopes.length > 0 && (
        <fieldset data-testid="scope-picker">
          <legend>Scopes to ask for</legend>
          {connector.summary.scopes.map((s) => (
            <label key={s.id} className="inline">
              <input
                type="checkbox"
                value={s.id}
                checked={scopes.includes(s.id)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s.id] : scopes.filter((x) => x !== s.id))}
              />
              <code>{s.id}</code> <span className="muted small">{s.description}</span>
            </label>
          ))}
        </fieldset>
      )}
      {fields.map((f) => (
        <label key={f.name}>
          {f.label}
          <input
            name={f.name}
            type={f.secret ? "password" : "text"}
            autoComplete="off"
            spellCheck={false}
            required
            placeholder={f.example}
            title={`For example ${f.example}`}
            value={values[f.name] ?? ""}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          />
        </label>
      ))}
      <fieldset>
        <legend>Vendor</legend>
        <label className="inline">
          <input type="radio" name="vendor" checked={vendor === "sandbox"} onChange={() => setVendor("sandbox")} />
          Sandbox vendor (simulated on this computer)
        </label>
        <label className="inline">
          <input
            type="radio"
            name="vendor"
            disabled={oauth}
            checked={vendor === "catalog"}
            onChange={() => setVendor("catalog")}
          />
          {connector.api_base.includes("{") && !oauth ? (
            <>The address in the form</>
          ) : (
            <>
              {connector.summary.display_name} at <code>{connector.api_base}</code>
            </>
          )}
          {oauth && <span className="muted small"> — needs this app registered as an OAuth client there; use the next option with your client id</span>}
        </label>
        <label className="inline">
          <input type="radio" name="vendor" checked={vendor === "custom"} onChange={() => setVendor("custom")} data-testid="vendor-custom" />
          {oauth ? "Another authorization server, or the vendor's with your own client id" : "Another API address"}
        </label>
        {vendor === "custom" && (
          <>
            <label>
              API address{oauth && <span className="muted small"> (empty: the catalog's)</span>}
              <input
                name="api_address"
                type="url"
                required={!oauth}
                placeholder={oauth ? connector.api_base : "https://instance.example.com/api"}
                value={customBase}
                onChange={(e) => setCustomBase(e.target.value)}
              />
            </label>
            {oauth && <OAuthServerFields server={server} onChange={setServer} />}
          </>
        )}
      </fieldset>
      {connect.error && <ErrorNotice error={connect.error} />}
      <div className="form-actions">
        {/* aria-disabled, not disabled: the button keeps the focus while the vendor answers. */}
        <button type="submit" className="primary" aria-disabled={submitBlocked} title={denied} data-testid="connect-submit">
          {!busy ? (oauth ? "Connect in the browser" : flow === "signed_token" ? "Make a signing secret" : "Connect") : waitingFlow ? "Waiting for the browser…" : "Testing with the vendor…"}
        </button>
        {waitingFlow ? (
          <>
            <span className="muted small" role="status" data-testid="oauth-waiting">
              Finish signing in to {connector.summary.display_name} in your browser; this page continues by itself.
            </span>
            <CancelOAuthFlow flowId={waitingFlow} testId="oauth-cancel" />
          </>
        ) : (
          <span className="muted small">
            {oauth
              ? "Your browser opens the vendor's consent page; the app listens on this computer only."
              : flow === "signed_token"
                ? "The app makes the secret and shows it once; you give it to your endpoint."
                : "The key is tested first; nothing is stored if the vendor refuses it."}
          </span>
        )}
      </div>
      {waitingFlow && appLink && <AppLinkPaste vendor={connector.summary.display_name} />}
    </form>
  );
}
