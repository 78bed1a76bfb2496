// The catalog entry of a connection's connector (its scopes, its actions), for the panels of the
// connection detail view.
import type { ConnectorDetail } from "../../bindings/ConnectorDetail";
import { call } from "../../ipc";
import { useScope } from "../../scope";
import { useAsync } from "../../useAsync";

export function useConnector(slug: string): ConnectorDetail | undefined {
  const scope = useScope();
  return useAsync(() => call("catalog_get", { scope, slug }), [slug, scope.site_id, scope.environment]).value;
}
