// The site and environment every view is about. Switching either re-renders every view.
import { createContext, useContext } from "react";
import type { SiteEnvironment } from "./bindings/SiteEnvironment";

export const ScopeContext = createContext<SiteEnvironment | null>(null);

export function useScope(): SiteEnvironment {
  const scope = useContext(ScopeContext);
  if (!scope) throw new Error("useScope outside ScopeContext");
  return scope;
}
