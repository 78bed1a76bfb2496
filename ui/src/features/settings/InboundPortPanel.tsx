// Settings → the inbound listener's port: where vendors, `stripe listen --forward-to` or a
// tunnel reach the app on this computer. A running app moves its listener to a new port.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { SettingPanel } from "./SettingPanel";

export function InboundPortPanel({ current, denied }: { current: number; denied?: string }) {
  const [port, setPort] = useState(String(current));
  const save = useAction(async (next: number) => setPort(String(await call("inbound_port_set", { port: next }))), ["inbound_status"]);
  return (
    <SettingPanel
      title="Inbound listener port"
      help="Vendor events arrive at http://127.0.0.1:{port}/in/{connection}. Choose 1024 to 65535; the open app moves its listener at once."
      submit="Save port"
      testId="inbound-port-save"
      denied={denied}
      saving={save.isPending}
      onSubmit={() => save.mutate(Number(port))}
    >
      {save.error && <ErrorNotice error={save.error} />}
      {save.isSuccess && (
        <p role="status" className="notice notice-good small">
          The listener takes port {port}.
        </p>
      )}
      <label className="days">
        <input type="number" min={1024} max={65535} value={port} onChange={(e) => setPort(e.target.value)} aria-label="Inbound listener port" data-testid="inbound-port" />
      </label>
    </SettingPanel>
  );
}
