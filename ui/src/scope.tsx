// The site and environment every view is about. Switching either re-renders every view.
import { createContext, useContext } from "react";
import type { Scope } from "./bindings/Scope";

export const ScopeContext = createContext<Scope | null>(null);

export function useScope(): Scope {
  const scope = useContext(ScopeContext);
  if (!scope) throw new Error("useScope outside ScopeContext");
  return scope;
}
