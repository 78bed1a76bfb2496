import { QueryClientProvider } from "@tanstack/react-query";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import { newQueryClient } from "../../src/data/queryClient";
import { LibraryView } from "../../src/features/library/LibraryView";
import { ScopeContext } from "../../src/scope";

afterEach(() => clearMocks());

/** The library on `scope`, as the window mounts it: under a query client of its own. */
function renderLibrary(scope: { site_id: string; environment: "live" | "staging" }) {
  render(
    <QueryClientProvider client={newQueryClient()}>
      <ScopeContext.Provider value={scope}>
        <LibraryView />
      </ScopeContext.Provider>
    </QueryClientProvider>,
  );
}

const catalog = [
  { slug: "stripe", display_name: "Stripe", family: "payment_platforms", family_label: "Payment platforms", summary: "Payments", auth_flows: ["api_key"], scopes: [], configured: true },
  { slug: "hubspot", display_name: "HubSpot", family: "crm", family_label: "CRM", summary: "CRM", auth_flows: ["oauth2"], scopes: [{ id: "oauth", description: "Basic" }], configured: false },
];

it("asks the backend for the scope's library and filters it", async () => {
  const calls: unknown[] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd === "catalog_list") return catalog;
    throw new Error(`unexpected ${cmd}`);
  });
  renderLibrary({ site_id: "site_1", environment: "staging" });
  await waitFor(() => expect(screen.getAllByTestId("connector-card")).toHaveLength(2));
  expect(calls[0]).toEqual(["catalog_list", { scope: { site_id: "site_1", environment: "staging" } }]);
  expect(screen.getByText("Configured")).toBeTruthy();
  fireEvent.change(screen.getByTestId("library-flow"), { target: { value: "oauth2" } });
  expect(screen.getAllByTestId("connector-card").map((c) => c.dataset.slug)).toEqual(["hubspot"]);
});

it("shows the backend's error code and message", async () => {
  mockIPC(() => Promise.reject({ code: "not_found", message: "site `site_x` was not found" }));
  renderLibrary({ site_id: "site_x", environment: "live" });
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("site `site_x` was not found");
  expect(alert.dataset.code).toBe("not_found");
});
