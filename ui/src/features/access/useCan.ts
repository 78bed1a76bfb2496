// What the acting operator's role allows, so the window can disable what it would refuse and
// say why. The core decides all the same: this only spares a click that would be refused.
import type { Capability } from "../../bindings/Capability";
import type { Session } from "../../bindings/Session";
import { useCall } from "../../data/useCall";
import { useScope } from "../../scope";

/** Why `session` may not use `capability` (on a connector of `family`, for the operations a
 *  family can gate), or undefined when it may. */
export function refusal(session: Session | undefined, capability: Capability, family?: string): string | undefined {
  if (!session) return "Checking who you are…";
  const who = session.operator ? `${session.operator.name} (${session.operator.role_name})` : "Nobody";
  if (!session.capabilities.includes(capability)) return `${who} may not do this: it needs ${capability}.`;
  const gate = family ? session.family_gates[family] : undefined;
  if (gate && !session.capabilities.includes(gate)) return `${who} may not do this on this connector family: it also needs ${gate}.`;
  return undefined;
}

/** `why(capability, connector?)`: the refusal as above, for the acting operator; pass the
 *  connector's slug for credential authority (create, scopes, refresh, disconnect, rotate). */
export function useCan(): (capability: Capability, connector?: string) => string | undefined {
  const scope = useScope();
  const session = useCall("session_get", {}).data;
  const catalog = useCall("catalog_list", { scope }).data;
  // A support workspace refuses every change (the core says so too): looking is all it allows.
  const copy = useCall("support_workspace_get", {}).data;
  return (capability, connector) => {
    if (copy && capability !== "view") return `This is a support workspace, a copy of ${copy.site_name}: nothing is changed here. Replay a delivery to try a fix.`;
    const family = connector ? catalog?.find((c) => c.slug === connector)?.family : undefined;
    return refusal(session, capability, family);
  };
}
