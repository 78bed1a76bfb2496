// The site menu in the top bar, beside the site it is about: the site exported as a support
// bundle, a customer's bundle opened into a support workspace, and the workspaces kept.
import { useState } from "react";
import { KeptWorkspaces } from "./KeptWorkspaces";
import { OpenBundlePanel } from "./OpenBundlePanel";
import { SupportBundlePanel } from "./SupportBundlePanel";
import { useCloseOnEscape } from "../../components/useCloseOnEscape";

export function SiteMenu({ siteId }: { siteId: string | undefined }) {
  const [open, setOpen] = useState(false);
  useCloseOnEscape(open, setOpen);
  return (
    <div className="site-menu">
      <button type="button" className="ghost" aria-expanded={open} aria-controls="site-menu-panel" onClick={() => setOpen(!open)} data-testid="site-menu-open">
        Support bundle <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="popover" id="site-menu-panel" role="region" aria-label="Support bundles" data-testid="site-menu">
          {siteId && <SupportBundlePanel siteId={siteId} />}
          <OpenBundlePanel />
          <KeptWorkspaces />
        </div>
      )}
    </div>
  );
}
