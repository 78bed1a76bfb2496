// The built UI in headless Chromium with the IPC mocked by @tauri-apps/api/mocks, answering
// with the backend's own answers on the demo site (`fixtures.json`, written and kept in shape
// by the IPC test `window_fixtures`).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { chromium } from "playwright-core";

const dist = new URL("../../dist/", import.meta.url).pathname;
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
export const fixtures = JSON.parse(readFileSync(new URL("./fixtures.json", import.meta.url), "utf8"));
const connection = fixtures.connection_get.row.record.id;

/** Each view, and what shows it has rendered its data. */
/** What a support workspace says it is a copy of (the fixtures are the demo's own site). */
export const WORKSPACE = {
  site_id: "site_1",
  site_name: "Acme Outdoor",
  site_domain: "acme-outdoor.example",
  exported_at: 1795000000000,
  exported_by: "Riley Chen (Administrator)",
  app_version: "0.1.0",
  catalog_version: "1.0.0",
  platform: "linux x86_64",
  since: 0,
  imported_at: 1795000600000,
  bundle_sha256: "ab".repeat(32),
};

export const VIEWS = [
  ["library", "#/library", '[data-testid="connector-card"]'],
  ["connector page", "#/library/hubspot", '[data-testid="scopes-table"]'],
  ["connections", "#/connections", '[data-testid="connection-row"]'],
  ["connection detail", `#/connections/${connection}`, '[data-testid="connection-fields"]'],
  ["delivery log", "#/deliveries", '[data-testid="log-row"]'],
  ["events", "#/events", '[data-testid="event-row"]'],
  ["automations", "#/automations", '[data-testid="run-row"]'],
  ["automation", `#/automations/${fixtures.automation_get.summary.id}`, '[data-testid="automation-cel"]'],
  ["run", `#/runs/${fixtures.run_waiting_on_task.run.id}`, '[data-testid="run-task"]'],
  ["tasks", "#/tasks", '[data-testid="task"]'],
  ["triage", "#/triage", '[data-testid="triage-delivery"]'],
  ["activity", "#/activity", '[data-testid="activity-row"]'],
  ["settings", "#/settings", '[data-testid="operator-row"]'],
];

// Tauri's own mock, loaded into the page before the app's code runs.
const mocks = readFileSync(new URL("../../node_modules/@tauri-apps/api/mocks.js", import.meta.url), "utf8").replace(/^export \{[^}]*\};?$/m, "");

/** Serves `dist/` and starts Chromium; `close()` stops both. */
export async function startBrowser() {
  const server = createServer((req, res) => {
    const path = req.url === "/" ? "index.html" : req.url.slice(1).split("?")[0];
    try {
      const body = readFileSync(join(dist, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}/`;
  // Playwright gives every launch a fresh, empty profile of its own.
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return {
    /** A page on `hash`, in `theme` ("light" or "dark"); `answers` replace fixtures by command. */
    async open(hash, { theme = "light", answers = {} } = {}) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
      await page.addInitScript({
        content: `${mocks}
          localStorage.setItem("sgen.theme", ${JSON.stringify(theme)});
          const FIXTURES = ${JSON.stringify({ ...fixtures, ...answers })};
          mockIPC((cmd, args) => (${answer.toString()})(FIXTURES, cmd, args), { shouldMockEvents: true });`,
      });
      await page.goto(base + hash);
      return page;
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** What the mocked backend answers (runs in the page). The delivery log has 300 rows, made
 *  from the fixture's 100, paged by a numeric cursor; a search for "boom" fails, and so does
 *  opening a bundle whose path says "broken". */
function answer(f, cmd, args) {
  switch (cmd) {
    case "catalog_get":
      return f.catalog_get[args.slug] ?? f.catalog_get.hubspot;
    case "deliveries_query": {
      if (args.query.search === "boom") return Promise.reject({ code: "invalid_argument", message: "search is too long" });
      const base = f.deliveries_query.rows;
      const start = args.query.cursor ? Number(args.query.cursor) : 0;
      const rows = Array.from({ length: args.query.limit }, (_, i) => ({ ...base[(start + i) % base.length], id: 1_000_000 - start - i }));
      return { rows, next_cursor: start + args.query.limit < 300 ? String(start + args.query.limit) : null };
    }
    case "support_workspace_reopen":
    case "support_workspace_remove":
      return null;
    case "support_bundle_open":
      if (args.path?.includes("broken")) return Promise.reject({ code: "bad_bundle", message: `${args.path}: is not a support bundle, or it was cut short` });
      return f.support_bundle_open;
    case "run_get":
      return args.id === f.run_waiting_on_task.run.id ? f.run_waiting_on_task : f.run_get;
    default:
      return cmd in f ? f[cmd] : Promise.reject({ code: "not_found", message: `no mock for ${cmd}` });
  }
}
