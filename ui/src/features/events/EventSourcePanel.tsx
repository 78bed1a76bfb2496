// A connection's event source on its page: how its vendor's events are verified, the secret
// (entered once, sealed; never shown again), the public address the vendor signs, and — on a
// sandbox site — the emitter.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FocusableButton } from "../../components/FocusableButton";
import { formatRelative } from "../../components/format";
import { SECRET_HINT, verificationLabel } from "../../components/verification";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { href } from "../../router";
import { useScope } from "../../scope";
import { useCan } from "../access/useCan";
import { EmitEvent } from "./EmitEvent";

const SOURCE_VIEWS = ["event_source_get", "connection_get"] as const;
/** Schemes whose signature covers the public address the vendor was given. */
const SIGNS_PUBLIC_URL = ["hubspot_v3", "square_hmac_sha256"];

export function EventSourcePanel({ connectionId }: { connectionId: string }) {
  const why = useCan();
  const connector = useCall("connection_get", { id: connectionId }).data?.row.record.connector_type;
  const denied = why("handle_inbound_events");
  const secretDenied = why("rotate_credentials", connector);
  const urlDenied = why("configure_connections");
  const source = useCall("event_source_get", { id: connectionId });
  // The emitter acts on sandbox (demo) sites only: on a live site its events would act on real data.
  const scope = useScope();
  const sandbox = useCall("sites_list", {}).data?.some((site) => site.id === scope.site_id && site.demo) ?? false;
  const [secret, setSecret] = useState("");
  const [keepPrevious, setKeepPrevious] = useState(false);
  const [publicUrl, setPublicUrl] = useState<string>();
  const saveSecret = useAction(
    () => call("event_secret_set", { id: connectionId, secret, keep_previous: keepPrevious }).then(() => setSecret("")),
    [...SOURCE_VIEWS],
  );
  const saveUrl = useAction(
    (url: string) => call("event_public_url_set", { id: connectionId, public_url: url.trim() || null }),
    [...SOURCE_VIEWS],
  );
  const catchUp = useAction(() => call("events_reconcile", { id: connectionId }), [...SOURCE_VIEWS, "events_query"]);
  if (source.error) return <ErrorNotice error={source.error} />;
  const s = source.data;
  if (!s || s.scheme === "none") return null;
  // PayPal's events are checked by PayPal's API; what the operator enters is the webhook's ID.
  const byVendor = s.scheme === "paypal_verify_api";
  const what = byVendor ? "webhook ID" : "secret";
  return (
    <div className="panel" data-testid="event-source">
      <div className="panel-head">
        <h2>Inbound events</h2>
        <a href={href({ view: "events", connection: connectionId })} className="small" data-testid="connection-events-link">
          See this connection&apos;s events
        </a>
      </div>
      <dl className="facts">
        <dt>Verified by</dt>
        <dd>{verificationLabel(s.scheme)}</dd>
        <dt>{byVendor ? "Webhook ID" : "Signing secret"}</dt>
        <dd data-testid="event-secrets-active">
          {s.secrets_active === 0 && <span className="badge tone-warn">None entered: every event is refused</span>}
          {s.secrets_active === 1 && "One, sealed in the vault"}
          {s.secrets_active === 2 && "Two while the vendor rotates: the new one and the one before"}
          {byVendor && (
            <div className="muted small">
              Each event is checked by PayPal&apos;s verify API. Offline, it is refused with a 503 so PayPal sends it again, and kept to
              re-check.
            </div>
          )}
        </dd>
        <dt>Arrives</dt>
        <dd data-testid="event-arrival">
          {s.catch_up_retention_days == null
            ? "Pushed to the listener"
            : `Pushed to the listener, and fetched from the vendor's events API when the app starts and every 15 minutes (it keeps them ${s.catch_up_retention_days} days)`}
        </dd>
        {s.catch_up_retention_days != null && (
          <>
            <dt>Caught up</dt>
            <dd data-testid="caught-up">
              <CaughtUp at={s.caught_up_at} keptDays={s.catch_up_retention_days} error={s.catch_up_error} />
            </dd>
          </>
        )}
        {SIGNS_PUBLIC_URL.includes(s.scheme) && (
          <>
            <dt>Public address</dt>
            <dd>{s.public_url ?? <span className="muted">None: set the address you gave the vendor; its signature covers it</span>}</dd>
          </>
        )}
      </dl>
      {s.catch_up_retention_days != null && (
        <div className="form-actions">
          <FocusableButton className="ghost" disabled={catchUp.isPending || !!denied} title={denied} onClick={() => catchUp.mutate(undefined)} data-testid="catch-up">
            {catchUp.isPending ? "Catching up…" : "Catch up now"}
          </FocusableButton>
          {catchUp.data && (
            <span className="small" role="status" data-testid="catch-up-result">
              {catchUp.data.fetched} listed, {catchUp.data.new} new{catchUp.data.more ? "; more on the next catch-up" : ""}
            </span>
          )}
        </div>
      )}
      {catchUp.error && <ErrorNotice error={catchUp.error} />}
      <form
        className="connect-form"
        onSubmit={(e) => {
          e.preventDefault();
          saveSecret.mutate(undefined);
        }}
      >
        <label>
          {s.secrets_active ? `Replace the ${what}` : `Enter the ${what}`}
          <input
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            placeholder={SECRET_HINT[s.scheme] ?? "The vendor's signing secret"}
            data-testid="event-secret-input"
          />
        </label>
        {s.secrets_active > 0 && (
          <label className="inline">
            <input type="checkbox" checked={keepPrevious} onChange={(e) => setKeepPrevious(e.target.checked)} /> Keep the current one valid too
            (the vendor is rotating)
          </label>
        )}
        <div className="form-actions">
          <button type="submit" disabled={!secret.trim() || saveSecret.isPending || !!secretDenied} title={secretDenied} data-testid="event-secret-save">
            {saveSecret.isPending ? "Sealing…" : `Save ${what}`}
          </button>
        </div>
        {saveSecret.error && <ErrorNotice error={saveSecret.error} />}
      </form>
      {SIGNS_PUBLIC_URL.includes(s.scheme) && (
        <form
          className="connect-form"
          onSubmit={(e) => {
            e.preventDefault();
            saveUrl.mutate(publicUrl ?? s.public_url ?? "");
          }}
        >
          <label>
            Public address the vendor sends to
            <input type="url" value={publicUrl ?? s.public_url ?? ""} onChange={(e) => setPublicUrl(e.target.value)} placeholder="https://…" />
          </label>
          <div className="form-actions">
            <button type="submit" className="ghost" disabled={saveUrl.isPending || !!urlDenied} title={urlDenied}>
              Save address
            </button>
          </div>
          {saveUrl.error && <ErrorNotice error={saveUrl.error} />}
        </form>
      )}
      {sandbox && <EmitEvent connectionId={connectionId} ready={s.secrets_active > 0} catchesUp={s.catch_up_retention_days != null} />}
    </div>
  );
}

const DAY_MS = 86_400_000;

/** When the last catch-up finished, and a warning once the vendor is about to drop events the
 *  app has not fetched (it keeps them `keptDays`). */
function CaughtUp({ at, keptDays, error }: { at: number | null; keptDays: number; error: string | null }) {
  const left = at == null ? null : daysLeft(at, keptDays);
  return (
    <>
      {at == null ? "Not yet" : formatRelative(at)}
      {left != null && left <= 3 && (
        <div className="badge tone-warn">
          {left > 0
            ? `The vendor drops events after ${keptDays} days: catch up within ${left} day${left === 1 ? "" : "s"} or some will be missed`
            : `Longer than the vendor keeps events: some may have been missed`}
        </div>
      )}
      {error && <div className="small tone-bad">Last attempt failed: {error}</div>}
    </>
  );
}

/** Days until the vendor drops the oldest event not yet fetched. */
function daysLeft(caughtUpAt: number, keptDays: number, now = Date.now()): number {
  return keptDays - Math.floor((now - caughtUpAt) / DAY_MS);
}
