import { useEffect, useRef, useState } from "react";
import type { EnvironmentName } from "./bindings/EnvironmentName";
import type { SiteEnvironment } from "./bindings/SiteEnvironment";
import { ErrorNotice } from "./components/ErrorNotice";
import { Segmented, type SegmentedOption } from "./components/Segmented";
import { useCoreEvents } from "./data/coreEvents";
import { ConnectionDetailView } from "./features/connections/ConnectionDetailView";
import { ConnectionsView } from "./features/connections/ConnectionsView";
import { DeliveryLogView } from "./features/deliveries/DeliveryLogView";
import { AutomationPage } from "./features/automations/AutomationPage";
import { AutomationsView } from "./features/automations/AutomationsView";
import { RunPage } from "./features/automations/RunPage";
import { NotificationCentre } from "./features/notifications/NotificationCentre";
import { OperatorSwitcher } from "./features/access/OperatorSwitcher";
import { ActivityView } from "./features/activity/ActivityView";
import { TasksView } from "./features/tasks/TasksView";
import { EventsView } from "./features/events/EventsView";
import { ConnectorPage } from "./features/library/ConnectorPage";
import { LibraryView } from "./features/library/LibraryView";
import { SettingsView } from "./features/settings/SettingsView";
import { BackgroundHealth } from "./features/startup/BackgroundHealth";
import { StartupScreen } from "./features/startup/StartupScreen";
import { useAppStatus } from "./features/startup/useAppStatus";
import { SiteMenu } from "./features/support/SiteMenu";
import { SupportBanner } from "./features/support/SupportBanner";
import { TriageView } from "./features/triage/TriageView";
import { useCall } from "./data/useCall";
import { href, type Route, useRoute } from "./router";
import { ScopeContext } from "./scope";
import { useTheme } from "./theme";

export function App() {
  const status = useAppStatus();
  if (status.state !== "ready") return <StartupScreen status={status} />;
  return <Workspace />;
}

const ENVIRONMENTS: SegmentedOption<EnvironmentName>[] = [
  { value: "live", label: "Live", testId: "env-live" },
  { value: "staging", label: "Staging", testId: "env-staging" },
];

const NAV: { view: Route["view"]; label: string; matches: Route["view"][] }[] = [
  { view: "library", label: "Library", matches: ["library", "connector"] },
  { view: "connections", label: "Connections", matches: ["connections", "connection"] },
  { view: "deliveries", label: "Delivery log", matches: ["deliveries"] },
  { view: "events", label: "Events", matches: ["events"] },
  { view: "automations", label: "Automations", matches: ["automations", "automation", "run"] },
  { view: "tasks", label: "Tasks", matches: ["tasks"] },
  { view: "triage", label: "Triage", matches: ["triage"] },
  { view: "activity", label: "Activity", matches: ["activity"] },
  { view: "settings", label: "Settings", matches: ["settings"] },
];

function Workspace() {
  useCoreEvents();
  const route = useRoute();
  useViewFocus(route);
  const [theme, toggleTheme] = useTheme();
  const sites = useCall("sites_list", {});
  const [chosenSite, setSiteId] = useState<string>();
  const [environment, setEnvironment] = useState<EnvironmentName>("live");

  const siteList = sites.data ?? [];
  // Until the operator picks one, the first site is shown.
  const siteId = chosenSite ?? siteList[0]?.id;

  if (sites.error) return <ErrorNotice error={sites.error} />;
  const scope: SiteEnvironment | null = siteId ? { site_id: siteId, environment } : null;

  return (
    <div className="layout">
      {/* Past the top bar and the views list, straight to what the view shows. */}
      <a
        className="skip-link"
        href="#content"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("content")?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">S</span> SGEN Integrations
        </div>
        <label className="field-inline">
          <span>Site</span>
          <select value={siteId ?? ""} onChange={(e) => setSiteId(e.target.value)} data-testid="site-select">
            {siteList.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} {s.demo ? "(demo)" : ""}
              </option>
            ))}
          </select>
        </label>
        <SiteMenu siteId={siteId} />
        <Segmented label="Environment" options={ENVIRONMENTS} value={environment} onChange={setEnvironment} />
        <div className="spacer" />
        <BackgroundHealth />
        <NotificationCentre />
        <OperatorSwitcher />
        <button type="button" className="ghost" onClick={toggleTheme} aria-pressed={theme === "dark"} title="Dark theme" data-testid="theme-toggle">
          <span aria-hidden="true">☾</span>
          <span className="visually-hidden">Dark theme</span>
        </button>
      </header>
      <nav className="sidebar" aria-label="Views">
        {NAV.map((item) => (
          <a
            key={item.view}
            href={href({ view: item.view } as Route)}
            aria-current={item.matches.includes(route.view) ? "page" : undefined}
            data-testid={`nav-${item.view}`}
          >
            {item.label}
            {item.view === "tasks" && scope && <PendingTasks scope={scope} />}
          </a>
        ))}
      </nav>
      <main className="content" id="content" tabIndex={-1}>
        <SupportBanner />
        {scope && (
          <ScopeContext.Provider value={scope}>
            <View route={route} key={`${scope.site_id}/${scope.environment}`} />
          </ScopeContext.Provider>
        )}
      </main>
    </div>
  );
}

/** How many tasks wait for someone, beside the Tasks view's name. */
function PendingTasks({ scope }: { scope: SiteEnvironment }) {
  const pending = useCall("tasks_list", { scope, status: "pending" }).data?.length ?? 0;
  if (pending === 0) return null;
  return (
    <span className="count-badge" data-testid="tasks-pending-count">
      {pending}
      <span className="visually-hidden"> waiting</span>
    </span>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case "library":
      return <LibraryView />;
    case "connector":
      return <ConnectorPage slug={route.slug} />;
    case "connections":
      return <ConnectionsView />;
    case "connection":
      return <ConnectionDetailView id={route.id} />;
    case "deliveries":
      return <DeliveryLogView />;
    case "events":
      return <EventsView connectionId={route.connection} />;
    case "automations":
      return <AutomationsView />;
    case "automation":
      return <AutomationPage id={route.id} />;
    case "run":
      return <RunPage id={route.id} />;
    case "tasks":
      return <TasksView />;
    case "triage":
      return <TriageView />;
    case "activity":
      return <ActivityView />;
    case "settings":
      return <SettingsView />;
  }
}

const TITLES: Record<Route["view"], string> = {
  library: "Connector library",
  connector: "Connector",
  connections: "Connections",
  connection: "Connection",
  deliveries: "Delivery log",
  events: "Events",
  automations: "Automations",
  automation: "Automation",
  run: "Run",
  tasks: "Tasks",
  triage: "Triage",
  activity: "Activity",
  settings: "Settings",
};

/** Each view names the window, and a change of view moves the focus to its heading (or to the
 *  content while the heading is still loading), where a keyboard or screen-reader user expects
 *  to go on. The first view leaves the focus where the window put it. */
function useViewFocus(route: Route) {
  const where = href(route);
  const shown = useRef<string>(undefined);
  useEffect(() => {
    document.title = `${TITLES[route.view]} — SGEN Integrations`;
    const first = shown.current === undefined;
    shown.current = where;
    if (first) return;
    const frame = requestAnimationFrame(() => {
      const heading = document.querySelector<HTMLElement>("main h1");
      if (heading) heading.tabIndex = -1;
      (heading ?? document.getElementById("content"))?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [where, route.view]);
}
