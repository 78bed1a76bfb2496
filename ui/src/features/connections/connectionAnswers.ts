// What an action on one connection changes on screen, refetched as soon as it succeeds: its
// detail, its delivery log and health, and its row in the list.
import type { Commands } from "../../ipc";

export const CONNECTION_ANSWERS: (keyof Commands)[] = ["connection_get", "deliveries_query", "delivery_health", "connections_list"];
