import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call, type DeliverySettings } from "../../ipc";
import { useScope } from "../../scope";
import { useCall } from "../../data/useCall";
import { useCan } from "../access/useCan";
import { AccessSettings } from "./AccessSettings";
import { SettingPanel } from "./SettingPanel";
import { SiteKeyPanel } from "./SiteKeyPanel";
import { InboundPortPanel } from "./InboundPortPanel";

const UNITS: [string, number][] = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
];

/** 0, 5s, 5m, 2h: the schedule as a person writes it. */
export function formatWaits(waits: number[]): string {
  return waits
    .map((w) => {
      const unit = UNITS.find(([, size]) => w >= size && w % size === 0);
      return unit ? `${w / unit[1]}${unit[0]}` : String(w);
    })
    .join(", ");
}

/** A total wait as a person says it: 40 min, 6.5 h, 1.2 days. */
export function formatSpan(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, "")} h`;
  return `${(seconds / 86400).toFixed(1).replace(/\.0$/, "")} days`;
}

export function parseWaits(text: string): number[] | string {
  const waits: number[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+)\s*([dhms]?)$/.exec(part);
    if (!match) return `"${part}" is not a wait like 30s, 5m, 2h or 1d`;
    const size = UNITS.find(([u]) => u === (match[2] || "s"))![1];
    waits.push(Number(match[1]) * size);
  }
  return waits;
}

/** What an Administrator sets for delivery: the outbound allow-list for webhook destinations
 *  (this site), the retry schedule and the delivery-log retention (the app). */
export function SettingsView() {
  const scope = useScope();
  const settings = useCall("delivery_settings_get", { site_id: scope.site_id });
  if (settings.error) return <ErrorNotice error={settings.error} />;
  if (!settings.data) return <p className="muted">Loading…</p>;
  return (
    <section aria-labelledby="settings-title" data-testid="settings">
      <div className="view-header">
        <h1 id="settings-title">Settings</h1>
        <p className="muted">Delivery, operators and roles. Only a role with the capability can change each; every change is in the activity log.</p>
      </div>
      <SettingsForm current={settings.data} />
      <AccessSettings />
    </section>
  );
}

/** Each save shows what the app kept (the allow-list cleaned up, for example). */
function SettingsForm({ current }: { current: DeliverySettings }) {
  const scope = useScope();
  const [hosts, setHosts] = useState(current.allow_list.join("\n"));
  const [schedule, setSchedule] = useState(formatWaits(current.retry_schedule_s));
  const [days, setDays] = useState(String(current.retention_days));
  const saving = useAction(async ({ what, run }: { what: string; run: () => Promise<void> }) => {
    await run();
    return `${what} saved.`;
  }, ["delivery_settings_get"]);
  const save = (what: string, run: () => Promise<void>) => saving.mutate({ what, run });

  const waits = parseWaits(schedule);
  const denied = useCan()("manage_settings");
  const inbound = useCall("inbound_status", {});
  return (
    <>
      {saving.isSuccess && (
        <p role="status" className="notice notice-good" data-testid="settings-saved">
          {saving.data}
        </p>
      )}
      {saving.error && <ErrorNotice error={saving.error} />}
      <div className="panels settings">
        <SettingPanel
          denied={denied}
          saving={saving.isPending}
          title="Outbound allow-list"
          help="Webhook destinations on this computer, the local network or a cloud metadata address are refused when a connection is made. Hosts listed here (one per line, no scheme or path) are let through — private addresses included. Sandbox sites may always use this computer."
          submit="Save allow-list"
          testId="allow-list-save"
          onSubmit={() => {
            const list = hosts.split(/[\s,]+/).filter(Boolean);
            save("Allow-list", async () => setHosts((await call("allow_list_set", { scope, hosts: list })).join("\n")));
          }}
        >
          <textarea rows={4} value={hosts} onChange={(e) => setHosts(e.target.value)} aria-label="Allow-listed hosts" placeholder="hooks.internal.example" data-testid="allow-list" />
        </SettingPanel>
        <SettingPanel
          denied={denied}
          saving={saving.isPending}
          title="Retry schedule"
          help="Each attempt's wait after the one before (each ±20 %), starting with 0 for the first attempt. After the last one a delivery becomes a dead letter. A 429 or a timeout always waits at least a minute."
          submit="Save schedule"
          testId="retry-schedule-save"
          disabled={typeof waits === "string"}
          onSubmit={() => {
            if (typeof waits !== "string") save("Retry schedule", async () => setSchedule(formatWaits(await call("retry_schedule_set", { waits }))));
          }}
        >
          <input value={schedule} onChange={(e) => setSchedule(e.target.value)} aria-label="Retry schedule" data-testid="retry-schedule" />
          {typeof waits === "string" ? (
            <p className="notice-error small">{waits}</p>
          ) : (
            <p className="muted small">
              {waits.length} attempts over about {formatSpan(waits.reduce((a, b) => a + b, 0))}, then a dead letter.
            </p>
          )}
        </SettingPanel>
        <SettingPanel
          denied={denied}
          saving={saving.isPending}
          title="Delivery-log retention"
          help="Attempts older than this leave the log (checked every hour). Stopped deliveries keep their payload and can still be retried."
          submit="Save retention"
          testId="retention-save"
          onSubmit={() => save("Retention", async () => setDays(String(await call("retention_set", { days: Number(days) }))))}
        >
          <label className="days">
            <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} aria-label="Retention in days" data-testid="retention-days" />{" "}
            days
          </label>
        </SettingPanel>
        {inbound.data && <InboundPortPanel current={inbound.data.port} denied={denied} />}
        <SiteKeyPanel denied={denied} />
      </div>
    </>
  );
}
