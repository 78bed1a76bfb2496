import { StateBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/ErrorNotice";
import { authFlowLabel, formatRelative, formatTime, humanize } from "../../components/format";
import { href } from "../../router";
import { useCall } from "../../data/useCall";
import { DeliveryLog } from "../deliveries/DeliveryLog";
import { EventSourcePanel } from "../events/EventSourcePanel";
import { ConnectionActions } from "./ConnectionActions";
import { DeliveryHealthChart } from "./DeliveryHealthChart";
import { EditScopes } from "./EditScopes";
import { FieldMapping } from "./FieldMapping";
import { RotateSigningSecret } from "./RotateSigningSecret";
import { SandboxFaults } from "./SandboxFaults";
import { SendTestEvent } from "./SendTestEvent";

export function ConnectionDetailView({ id }: { id: string }) {
  // Core events keep this view current; its own actions refetch it at once (useAction).
  const detail = useCall("connection_get", { id });
  if (detail.status === "error") return <ErrorNotice error={detail.error} />;
  if (!detail.data) return <p className="muted">Loading…</p>;
  const { row, transitions, delivery_attempts } = detail.data;
  const r = row.record;
  const fields: [string, React.ReactNode][] = [
    ["Connection id", <code key="id">{r.id}</code>],
    ["Connector", `${row.connector_name} (${r.connector_type})`],
    ["Auth flow", authFlowLabel(r.auth_flow)],
    ["Vendor account", r.vendor_account_id ?? "—"],
    ["Scopes granted", r.scopes_granted.length ? r.scopes_granted.join(", ") : "none needed"],
    ["Credential", r.has_credential ? "Stored, encrypted" : "None stored"],
    ["Refresh token", r.has_refresh_token ? "Stored, encrypted" : "None"],
    ["Access expires", r.expires_at ? `${formatTime(r.expires_at)} (${formatRelative(r.expires_at)})` : "—"],
    ["Last test", r.last_test_at ? `${humanize(r.last_test_outcome ?? "unknown")} · ${formatTime(r.last_test_at)}` : "never"],
    ["Last delivery", formatTime(r.last_delivery_at)],
    ["Operator of record", r.operator_of_record_name],
    ["API address", r.base_url_override === "sandbox" ? "Sandbox vendor on this computer" : (r.base_url_override ?? "the catalog's")],
    ...(r.auth_flow === "oauth2"
      ? ([
          [
            "Authorization server",
            r.oauth_server
              ? `${r.oauth_server.authorize_url} (client ${r.oauth_server.client_id})`
              : r.base_url_override === "sandbox"
                ? "Sandbox vendor on this computer"
                : "the catalog's",
          ],
        ] as [string, React.ReactNode][])
      : []),
    ["Field mapping", Object.keys(r.field_mapping).length ? `for ${Object.keys(r.field_mapping).join(", ")}` : "none: events go as they are"],
    ["Created", formatTime(r.created_at)],
    ["Updated", formatTime(r.updated_at)],
  ];
  return (
    <section aria-labelledby="connection-title" data-testid="connection-detail">
      <a className="back" href={href({ view: "connections" })}>
        ← Connections
      </a>
      <div className="view-header">
        <h1 id="connection-title">
          {r.display_name} <StateBadge state={r.state} />
        </h1>
        <p className="muted">
          {row.connector_name} · {row.family_label} · {delivery_attempts.toLocaleString()} delivery attempts logged
        </p>
        <ConnectionActions record={r} />
      </div>
      <div className="panels">
        <div className="panel">
          <h2>Connection record</h2>
          <dl className="facts" data-testid="connection-fields">
            {fields.map(([label, value]) => (
              <div key={label} className="fact">
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div className="panel">
          <h2>State history</h2>
          <ol className="timeline" data-testid="state-history">
            {transitions.map((t) => (
              <li key={t.id}>
                <div>
                  {t.from_state ? <StateBadge state={t.from_state} /> : <span className="muted">created</span>}
                  <span aria-hidden="true"> → </span>
                  <StateBadge state={t.to_state} />
                </div>
                <div>{t.cause}</div>
                <div className="muted small">
                  {formatTime(t.at)} · {t.operator_id ? "by an operator" : "observed by the app"}
                </div>
              </li>
            ))}
          </ol>
        </div>
        {r.auth_flow === "oauth2" && (
          <EditScopes
            connectionId={r.id}
            connectorType={r.connector_type}
            held={r.scopes_granted}
          />
        )}
        {r.auth_flow === "signed_token" && <RotateSigningSecret connectionId={r.id} />}
        {r.base_url_override === "sandbox" && <SandboxFaults connectionId={r.id} connectorType={r.connector_type} />}
        <DeliveryHealthChart connectionId={r.id} />
        <FieldMapping
          connectionId={r.id}
          connectorType={r.connector_type}
          stored={r.field_mapping}
        />
        <SendTestEvent connectionId={r.id} connectorType={r.connector_type} />
        <EventSourcePanel connectionId={r.id} />
      </div>
      <h2>Delivery log</h2>
      <DeliveryLog connectionId={r.id} />
    </section>
  );
}
