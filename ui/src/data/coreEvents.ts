// The core's events, as the shell forwards them (`core-events`), turned into refetches of the
// answers they change. The table is exhaustive over the event kinds the Rust side declares, so
// a new kind does not type-check until someone says what it refreshes.
import type { QueryClient } from "@tanstack/react-query";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { CoreEvent } from "../bindings/CoreEvent";
import { onCoreEvents, type Commands } from "../ipc";
import { refetch } from "./refetch";

// A connection's state change is also an event in the event log.
const CONNECTION_VIEWS: (keyof Commands)[] = [
  "connections_list",
  "connection_get",
  "catalog_list",
  "catalog_get",
  "triage_queue",
  "outbox_counts",
  "event_source_get",
  "events_query",
  // Each change to a connection is an activity row.
  "activity_query",
];
const DELIVERY_VIEWS: (keyof Commands)[] = [
  "deliveries_query",
  "delivery_timeline",
  "delivery_health",
  "triage_queue",
  "outbox_counts",
  "connection_get",
  "connections_list",
];

export const REFRESHED_BY: Record<CoreEvent["kind"], (keyof Commands)[]> = {
  "connection.state_changed": CONNECTION_VIEWS,
  "connection.changed": CONNECTION_VIEWS,
  "delivery.queued": DELIVERY_VIEWS,
  "delivery.requeued": DELIVERY_VIEWS,
  "delivery.recorded": DELIVERY_VIEWS,
  "delivery.dead_lettered": DELIVERY_VIEWS,
  "inbound.recorded": ["events_query", "rejections_query"],
  // Settings, operators, roles and family gates are all settings; each change is an activity row.
  "settings.changed": [
    "delivery_settings_get",
    "inbound_status",
    "access_overview",
    "session_get",
    "operators_list",
    "activity_query",
    "activity_actions",
  ],
  "background.changed": ["app_status", "inbound_status"],
  "automations.changed": ["automations_list", "automation_get"],
  // A run's end changes its automation's last run and success rate.
  "runs.changed": ["runs_query", "run_get", "automations_list"],
  "tasks.changed": ["tasks_list", "run_get"],
  "notification.raised": ["notification_centre", "notifications_list"],
  "notifications.read": ["notification_centre", "notifications_list"],
  // The export's progress is shown by the view that started it.
  "activity.export_progress": [],
  "bundle.export_progress": [],
  "bundle.import_progress": [],
  // Who acts, and so what the window offers, changed.
  "session.changed": ["session_get", "access_overview", "activity_query"],
};

/** Refetches what `events` changed; everything when some were missed. */
export function refresh(client: QueryClient, events: CoreEvent[], lagged: boolean): void {
  if (lagged) {
    void client.invalidateQueries();
    return;
  }
  refetch(client, new Set(events.flatMap((event) => REFRESHED_BY[event.kind])));
}

/** Listens for the core's events while the workspace is open. */
export function useCoreEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    let stop: (() => void) | undefined;
    let stopped = false;
    onCoreEvents(({ events, lagged }) => refresh(client, events, lagged)).then(
      (unlisten) => {
        if (stopped) unlisten();
        else stop = unlisten;
      },
      // Views still load and refresh after their own actions; they just do not follow changes
      // made elsewhere. Nothing on screen can fix this, so it goes to the console.
      (e: unknown) => console.error("cannot listen for the core's events", e),
    );
    return () => {
      stopped = true;
      stop?.();
    };
  }, [client]);
}
