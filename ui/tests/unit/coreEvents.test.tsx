import { QueryClientProvider } from "@tanstack/react-query";
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { TaskStatus } from "../../src/bindings/TaskStatus";
import type { WindowEvents } from "../../src/bindings/WindowEvents";
import { useCoreEvents } from "../../src/data/coreEvents";
import { newQueryClient } from "../../src/data/queryClient";
import { BackgroundHealth } from "../../src/features/startup/BackgroundHealth";
import { TriageView } from "../../src/features/triage/TriageView";
import { ScopeContext } from "../../src/scope";

afterEach(() => clearMocks());

const stopped = {
  delivery: {
    delivery_id: "dlv_1",
    connection_id: "con_1",
    connection_display_name: "Brevo",
    event_identifier: "password.reset usr_7",
    status: "dead_letter",
    attempts_made: 8,
    last_response_code: 503,
    last_error_class: null,
    last_attempted_at: 0,
    connection_state: "active",
  },
  next_step: "The vendor failed or could not be reached: check its status, then retry.",
};

function Workspace() {
  useCoreEvents();
  return <TriageView />;
}

it("a core event refreshes the view that shows what it changed", async () => {
  let queue: unknown[] = [];
  const asked: string[] = [];
  mockIPC(
    (cmd) => {
      asked.push(cmd);
      if (cmd === "triage_queue") return queue;
      if (cmd === "outbox_counts") return { due: 0, scheduled: 0, stopped: queue.length, held: 0 };
      if (cmd === "connections_list") return { rows: [], total: 0 };
      if (cmd === "session_get") return { operator: null, capabilities: ["view", "retry_deliveries"], family_gates: {} };
      if (cmd === "catalog_list") return [];
      throw new Error(`unexpected ${cmd}`);
    },
    { shouldMockEvents: true },
  );
  render(
    <QueryClientProvider client={newQueryClient()}>
      <ScopeContext.Provider value={{ site_id: "site_1", environment: "live" }}>
        <Workspace />
      </ScopeContext.Provider>
    </QueryClientProvider>,
  );
  await screen.findByText("No delivery is waiting for an operator.");
  const before = asked.length;

  // Events arriving from vendors do not touch triage: nothing is read again.
  await emit("core-events", { events: [{ kind: "inbound.recorded", events: 1, duplicates: 0, refused: 0 }], lagged: false } satisfies WindowEvents);
  expect(asked.length).toBe(before);

  // The worker dead-letters a delivery: the queue is read again and shows it.
  queue = [stopped];
  await emit("core-events", {
    events: [{ kind: "delivery.dead_lettered", delivery_id: "dlv_1", connection_id: "con_1" }],
    lagged: false,
  } satisfies WindowEvents);
  await waitFor(() => expect(screen.getAllByTestId("triage-delivery")).toHaveLength(1));
  expect(screen.getByText("password.reset usr_7")).toBeTruthy();
  expect(screen.getByTestId("outbox-counts").textContent).toContain("1 stopped");
});

it("a failing background task shows in the window until it runs again", async () => {
  const worker: TaskStatus = { name: "delivery worker", state: "restarting", restarts: 1, last_failure: "task_panicked: boom" };
  let background = [worker];
  mockIPC(
    (cmd) => {
      if (cmd === "app_status") return { state: "ready", data_dir: "/tmp", background };
      throw new Error(`unexpected ${cmd}`);
    },
    { shouldMockEvents: true },
  );
  function Topbar() {
    useCoreEvents();
    return <BackgroundHealth />;
  }
  render(
    <QueryClientProvider client={newQueryClient()}>
      <Topbar />
    </QueryClientProvider>,
  );
  const badge = await screen.findByTestId("background-health");
  expect(badge.textContent).toBe("The delivery worker failed (task_panicked: boom); restarting");

  const running: TaskStatus = { ...worker, state: "running" };
  background = [running];
  await emit("core-events", { events: [{ kind: "background.changed", status: running }], lagged: false } satisfies WindowEvents);
  await waitFor(() => expect(screen.queryByTestId("background-health")).toBeNull());
});
