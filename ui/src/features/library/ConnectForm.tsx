// The Connect form for key-based flows, generated from the connector's credential fields. The
// core checks each field against its pattern (one place, one regex dialect) and tests the key
// with the vendor before anything is stored; a refusal says why.
import { useState } from "react";
import type { ConnectorDetail } from "../../bindings/ConnectorDetail";
import { ErrorNotice } from "../../components/ErrorNotice";
import { authFlowLabel } from "../../components/format";
import { call, IpcError } from "../../ipc";
import { navigate } from "../../router";
import { useScope } from "../../scope";
import { toIpcError } from "../../useAsync";

/** Flows this build can connect; OAuth and the others come with the authorization server. */
export const KEY_FLOWS = ["api_key", "basic"];

type Vendor = "sandbox" | "catalog" | "custom";

export function ConnectForm({ connector, demoSite }: { connector: ConnectorDetail; demoSite: boolean }) {
  const scope = useScope();
  const flows = connector.summary.auth_flows.filter((f) => KEY_FLOWS.includes(f));
  const [flow, setFlow] = useState(flows[0] ?? "");
  const [name, setName] = useState(`${connector.summary.display_name} — ${scope.environment}`);
  const [values, setValues] = useState<Record<string, string>>({});
  const [vendor, setVendor] = useState<Vendor>(demoSite ? "sandbox" : "catalog");
  const [customBase, setCustomBase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError>();
  const fields = connector.credential_fields.filter((f) => f.flows.length === 0 || f.flows.includes(flow));

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const detail = await call("connection_create", {
        scope,
        request: {
          connector_type: connector.summary.slug,
          display_name: name,
          auth_flow: flow,
          fields: Object.fromEntries(fields.map((f) => [f.name, values[f.name] ?? ""])),
          api_base_override: vendor === "sandbox" ? "sandbox" : vendor === "custom" ? customBase : null,
        },
      });
      navigate({ view: "connection", id: detail.row.record.id });
    } catch (e) {
      setError(toIpcError(e));
      setBusy(false);
    }
  }

  if (flows.length === 0) {
    return (
      <p className="muted" data-testid="connect-unavailable">
        Connecting with {connector.summary.auth_flows.map(authFlowLabel).join(" or ")} is not available in this
        build yet.
      </p>
    );
  }
  return (
    <form className="connect-form" onSubmit={(e) => void submit(e)} data-testid="connect-form">
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
          <input type="radio" name="vendor" checked={vendor === "catalog"} onChange={() => setVendor("catalog")} />
          {connector.summary.display_name} at <code>{connector.api_base}</code>
        </label>
        <label className="inline">
          <input type="radio" name="vendor" checked={vendor === "custom"} onChange={() => setVendor("custom")} />
          Another API address
        </label>
        {vendor === "custom" && (
          <input
            aria-label="API address"
            type="url"
            required
            placeholder="https://instance.example.com/api"
            value={customBase}
            onChange={(e) => setCustomBase(e.target.value)}
          />
        )}
      </fieldset>
      {error && <ErrorNotice error={error} />}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="connect-submit">
          {busy ? "Testing the credential with the vendor…" : "Connect"}
        </button>
        <span className="muted small">The key is tested first; nothing is stored if the vendor refuses it.</span>
      </div>
    </form>
  );
}
