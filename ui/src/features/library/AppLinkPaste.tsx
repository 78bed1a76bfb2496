// For vendors that return through an app link (sgen-integrations://…) rather than the loopback
// listener: the OS normally hands the link to the app; when it cannot (no desktop integration,
// another browser profile), the person pastes the address the browser was sent to.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { call, IpcError } from "../../ipc";
import { toIpcError } from "../../useAsync";

export function AppLinkPaste({ vendor }: { vendor: string }) {
  const [link, setLink] = useState("");
  const [error, setError] = useState<IpcError>();

  async function deliver() {
    setError(undefined);
    try {
      await call("oauth_app_link", { link: link.trim() });
    } catch (e) {
      setError(toIpcError(e));
    }
  }

  return (
    <div className="app-link-paste" data-testid="app-link-paste">
      <p className="muted small">
        {vendor} comes back through an app link. If your browser asks to open SGEN Integrations, allow it; otherwise
        paste the <code>sgen-integrations://</code> address it shows:
      </p>
      <input
        aria-label="App link"
        type="password"
        autoComplete="off"
        placeholder="sgen-integrations://callback/…"
        value={link}
        onChange={(e) => setLink(e.target.value)}
      />
      <button type="button" disabled={!link.trim()} onClick={() => void deliver()}>
        Continue
      </button>
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
