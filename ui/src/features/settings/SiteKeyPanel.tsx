// Settings → the site's encryption key: rotating it makes a new key in the OS keyring,
// re-encrypts every sealed secret of the site under it in one transaction, and removes the old
// key after. The activity log records it by the keys' references.
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { useScope } from "../../scope";
import { SettingPanel } from "./SettingPanel";

export function SiteKeyPanel({ denied }: { denied?: string }) {
  const scope = useScope();
  const rotate = useAction(() => call("site_key_rotate", { site: scope.site_id }), ["activity_query"]);
  return (
    <SettingPanel
      title="Encryption key"
      help="Every credential, refresh token and signing secret of this site is sealed under a key kept in the OS keyring. Rotating makes a new key, re-encrypts every secret under it at once, then removes the old one."
      submit="Rotate the key"
      testId="site-key-rotate"
      denied={denied}
      saving={rotate.isPending}
      onSubmit={() => rotate.mutate(undefined)}
    >
      {rotate.error && <ErrorNotice error={rotate.error} />}
      {rotate.isSuccess && (
        <p role="status" className="notice notice-good small" data-testid="site-key-rotated">
          {rotate.data.resealed} secrets re-encrypted under <code>{rotate.data.key_reference}</code>.
        </p>
      )}
    </SettingPanel>
  );
}
