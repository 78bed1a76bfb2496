// The scopes a connection's connector declares, from the catalog, for the scope editor and the
// sandbox fault panel.
import type { ScopeInfo } from "../../bindings/ScopeInfo";
import { call } from "../../ipc";
import { useScope } from "../../scope";
import { useAsync } from "../../useAsync";

export function useConnectorScopes(slug: string): ScopeInfo[] {
  const scope = useScope();
  const connector = useAsync(() => call("catalog_get", { scope, slug }), [slug, scope.site_id, scope.environment]);
  return connector.value?.summary.scopes ?? [];
}
