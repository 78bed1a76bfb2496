// Hash routes, so the app works from the bundled files with no server:
//   #/library  #/library/:slug  #/connections  #/connections/:id  #/deliveries  #/events
//   #/events/:connection  #/automations  #/automations/:id (or `new`)  #/runs/:id  #/tasks
//   #/triage  #/activity  #/settings
import { useEffect, useState } from "react";

export type Route =
  | { view: "library" }
  | { view: "connector"; slug: string }
  | { view: "connections" }
  | { view: "connection"; id: string }
  | { view: "deliveries" }
  | { view: "events"; connection?: string }
  | { view: "automations" }
  | { view: "automation"; id: string }
  | { view: "run"; id: string }
  | { view: "tasks" }
  | { view: "triage" }
  | { view: "activity" }
  | { view: "settings" };

export function parseRoute(hash: string): Route {
  const [view, param] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (view === "library" && param) return { view: "connector", slug: param };
  if (view === "connections" && param) return { view: "connection", id: param };
  if (view === "connections") return { view: "connections" };
  if (view === "deliveries") return { view: "deliveries" };
  if (view === "events") return param ? { view: "events", connection: param } : { view: "events" };
  if (view === "automations" && param) return { view: "automation", id: param };
  if (view === "automations") return { view: "automations" };
  if (view === "runs" && param) return { view: "run", id: param };
  if (view === "tasks") return { view: "tasks" };
  if (view === "triage") return { view: "triage" };
  if (view === "activity") return { view: "activity" };
  if (view === "settings") return { view: "settings" };
  return { view: "library" };
}

export function href(route: Route): string {
  switch (route.view) {
    case "connector":
      return `#/library/${encodeURIComponent(route.slug)}`;
    case "connection":
      return `#/connections/${encodeURIComponent(route.id)}`;
    case "automation":
      return `#/automations/${encodeURIComponent(route.id)}`;
    case "run":
      return `#/runs/${encodeURIComponent(route.id)}`;
    case "events":
      return route.connection ? `#/events/${encodeURIComponent(route.connection)}` : "#/events";
    default:
      return `#/${route.view}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
