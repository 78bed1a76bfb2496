import { describe, expect, it } from "vitest";
import type { ConnectorSummary } from "../../src/bindings/ConnectorSummary";
import { authFlowLabel, formatLatency, formatRelative } from "../../src/components/format";
import { rangeBounds } from "../../src/components/dateRange";
import { filterLibrary } from "../../src/features/library/LibraryView";
import { href, parseRoute } from "../../src/router";

const connector = (slug: string, family: string, family_label: string, auth_flows: string[]): ConnectorSummary => ({
  slug,
  display_name: slug.toUpperCase(),
  family,
  family_label,
  summary: "",
  auth_flows,
  scopes: [],
  configured: false,
});

describe("library filtering", () => {
  const all = [
    connector("stripe", "payment_platforms", "Payment platforms", ["api_key"]),
    connector("square", "payment_platforms", "Payment platforms", ["oauth2"]),
    connector("hubspot", "crm", "CRM", ["oauth2"]),
  ];
  it("groups by family in catalog order", () => {
    expect(filterLibrary(all, { family: "", flow: "", text: "" }).map(([label, items]) => [label, items.length])).toEqual([
      ["Payment platforms", 2],
      ["CRM", 1],
    ]);
  });
  it("filters by family, auth flow and name together", () => {
    const slugs = (f: { family: string; flow: string; text: string }) =>
      filterLibrary(all, f).flatMap(([, items]) => items.map((c) => c.slug));
    expect(slugs({ family: "payment_platforms", flow: "oauth2", text: "" })).toEqual(["square"]);
    expect(slugs({ family: "", flow: "", text: "HUB" })).toEqual(["hubspot"]);
    expect(slugs({ family: "crm", flow: "api_key", text: "" })).toEqual([]);
  });
});

describe("routes", () => {
  it("round-trip through the hash", () => {
    for (const route of [
      { view: "library" },
      { view: "connector", slug: "ga4-measurement-protocol" },
      { view: "connections" },
      { view: "connection", id: "con_0a1b" },
      { view: "deliveries" },
    ] as const) {
      expect(parseRoute(href(route))).toEqual(route);
    }
  });
  it("sends unknown hashes to the library", () => {
    expect(parseRoute("#/nowhere")).toEqual({ view: "library" });
    expect(parseRoute("")).toEqual({ view: "library" });
  });
});

describe("date ranges", () => {
  const now = Date.UTC(2026, 10, 22, 12);
  it("presets count back from now", () => {
    expect(rangeBounds("7d", "", "", now)).toEqual({ since: now - 7 * 86_400_000 });
    expect(rangeBounds("all", "", "", now)).toEqual({});
  });
  it("a custom range includes the whole last day", () => {
    const { since, until } = rangeBounds("custom", "2026-11-01", "2026-11-02", now);
    expect(until! - since!).toBe(2 * 86_400_000);
  });
});

describe("formatting", () => {
  it("reads like a person writes", () => {
    expect(formatRelative(null)).toBe("never");
    expect(formatRelative(1_000, 61_000)).toBe("1 min ago");
    expect(formatRelative(3 * 86_400_000, 0)).toBe("in 3 d");
    expect(formatLatency(30_000)).toBe("30.0 s");
    expect(formatLatency(120)).toBe("120 ms");
    expect(authFlowLabel("api_key")).toBe("API key");
  });
});
