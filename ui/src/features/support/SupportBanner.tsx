// Every view of a support workspace says so: whose site it is a copy of, from when, and that
// nothing done here reaches the customer.
import { formatTime } from "../../components/format";
import { useCall } from "../../data/useCall";

export function SupportBanner() {
  const copy = useCall("support_workspace_get", {}).data;
  if (!copy) return null;
  return (
    <div className="support-banner" role="note" aria-label="Support workspace" data-testid="support-banner">
      <strong>Support workspace</strong> — a copy of <strong>{copy.site_name}</strong> ({copy.site_domain}), exported{" "}
      {formatTime(copy.exported_at)} by {copy.exported_by} with app {copy.app_version}. It holds no credentials and changes
      nothing at the customer's; replay a failed delivery to try a fix.
    </div>
  );
}
