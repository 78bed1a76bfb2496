// The catalog entry of a connection's connector (its scopes, its actions), for the panels of the
// connection detail view.
import type { ConnectorDetail } from "../../bindings/ConnectorDetail";
import { useScope } from "../../scope";
import { useCall } from "../../data/useCall";

export function useConnector(slug: string): ConnectorDetail | undefined {
  const scope = useScope();
  return useCall("catalog_get", { scope, slug }).data;
}
