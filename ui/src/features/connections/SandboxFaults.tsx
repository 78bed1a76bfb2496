// Fault controls for a connection to a sandbox vendor: break the simulated vendor the way real
// vendors break, then test and watch the state follow.
import { useState } from "react";
import type { SandboxFaults as Faults } from "../../bindings/SandboxFaults";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { CONNECTION_ANSWERS } from "./connectionAnswers";
import { useConnector } from "./useConnector";
import { useCan } from "../access/useCan";
import { FocusableButton } from "../../components/FocusableButton";

const HEALTHY: Faults = {
  token_expired: false,
  revoked: false,
  dropped_scopes: [],
  status: null,
  latency_ms: 0,
  keeps_refresh_token: false,
};
const STATUSES = [400, 401, 403, 410, 429, 500, 503];
const STATUS_MEANING: Record<number, string> = { 400: "the request does not match the schema", 410: "gone", 429: "rate limited, Retry-After" };

export function SandboxFaults({ connectionId, connectorType }: { connectionId: string; connectorType: string }) {
  const denied = useCan()("use_sandbox");
  const scopes = useConnector(connectorType)?.summary.scopes ?? [];
  // Start from what the vendor is doing now (the demo breaks some connections on purpose).
  const state = useCall("sandbox_state_get", { id: connectionId });
  const [edited, setFaults] = useState<Faults>();
  const faults = edited ?? state.data?.faults ?? HEALTHY;
  const offline = state.data?.offline ?? false;
  const change = useAction((run: () => Promise<string>) => run(), ["sandbox_state_get", ...CONNECTION_ANSWERS]);

  const apply = (next: Faults) =>
    change.mutate(async () => {
      await call("sandbox_faults_set", { id: connectionId, faults: next });
      return next === HEALTHY ? "The sandbox vendor is healthy again." : "Faults applied; test the connection to see the effect.";
    });
  const failed = change.error ?? state.error;
  const switchOffline = (next: boolean) =>
    change.mutate(async () => {
      await call("sandbox_offline_set", { id: connectionId, offline: next });
      return next ? "The vendor is offline: every call is refused." : "The vendor is back online.";
    });

  return (
    <div className="panel" data-testid="sandbox-faults">
      <h2>Sandbox vendor faults</h2>
      <p className="muted small">
        This connection talks to a simulated vendor on this computer
        {state.data && (
          <>
            {" "}
            at <code>{state.data.address}</code>
          </>
        )}
        . Break it on purpose:
      </p>
      <label className="inline">
        <input
          type="checkbox"
          data-testid="fault-revoked"
          checked={faults.revoked}
          onChange={(e) => setFaults({ ...faults, revoked: e.target.checked })}
        />
        Revoke the credential
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={faults.token_expired}
          onChange={(e) => setFaults({ ...faults, token_expired: e.target.checked })}
        />
        Expire the credential
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={faults.keeps_refresh_token}
          onChange={(e) => setFaults({ ...faults, keeps_refresh_token: e.target.checked })}
        />
        Send no new refresh token on refresh (OAuth)
      </label>
      {scopes.length > 0 && (
        <fieldset>
          <legend>Stop granting scopes</legend>
          {scopes.map((s) => (
            <label key={s.id} className="inline">
              <input
                type="checkbox"
                data-testid={`fault-drop-${s.id}`}
                checked={faults.dropped_scopes.includes(s.id)}
                onChange={(e) =>
                  setFaults({
                    ...faults,
                    dropped_scopes: e.target.checked
                      ? [...faults.dropped_scopes, s.id]
                      : faults.dropped_scopes.filter((x) => x !== s.id),
                  })
                }
              />
              <code>{s.id}</code>
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Answer every call with
        <select
          data-testid="fault-status"
          value={faults.status ?? ""}
          onChange={(e) => setFaults({ ...faults, status: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">a normal answer</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              HTTP {s}
              {STATUS_MEANING[s] ? ` (${STATUS_MEANING[s]})` : ""}
            </option>
          ))}
        </select>
      </label>
      <label>
        Added latency (ms)
        <input
          type="number"
          min={0}
          max={30000}
          value={faults.latency_ms}
          onChange={(e) => setFaults({ ...faults, latency_ms: Math.max(0, Number(e.target.value)) })}
        />
      </label>
      <div className="form-actions">
        <FocusableButton data-testid="fault-apply" disabled={change.isPending || !!denied} title={denied} onClick={() => apply(faults)}>
          Apply faults
        </FocusableButton>
        <FocusableButton
          disabled={change.isPending || !!denied}
          title={denied}
          onClick={() => {
            setFaults(HEALTHY);
            apply(HEALTHY);
          }}
        >
          Heal
        </FocusableButton>
        <FocusableButton data-testid="fault-offline" disabled={change.isPending || !!denied} title={denied} onClick={() => switchOffline(!offline)}>
          {offline ? "Bring the vendor back online" : "Take the vendor offline"}
        </FocusableButton>
      </div>
      {change.isSuccess && (
        <p className="muted small" role="status">
          {change.data}
        </p>
      )}
      {failed && <ErrorNotice error={failed} />}
    </div>
  );
}
