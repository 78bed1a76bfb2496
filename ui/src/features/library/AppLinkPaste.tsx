// For vendors that return through an app link (sgen-integrations://…) rather than the loopback
// listener: the OS normally hands the link to the app; when it cannot (no desktop integration,
// another browser profile), the person pastes the address the browser was sent to.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { FocusableButton } from "../../components/FocusableButton";

export function AppLinkPaste({ vendor }: { vendor: string }) {
  const [link, setLink] = useState("");
  // The flow waiting for this link continues by itself once it arrives.
  const deliver = useAction((pasted: string) => call("oauth_app_link", { link: pasted.trim() }), []);

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
      <FocusableButton disabled={!link.trim() || deliver.isPending} onClick={() => deliver.mutate(link)}>
        Continue
      </FocusableButton>
      {deliver.error && <ErrorNotice error={deliver.error} />}
    </div>
  );
}
