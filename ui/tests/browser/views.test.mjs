// The built UI in headless Chromium with the IPC mocked by @tauri-apps/api/mocks: the views
// render the backend's answers, page the delivery log, and show errors by code.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const dist = new URL("../../dist/", import.meta.url).pathname;
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
let server, browser, base;

before(async () => {
  server = createServer((req, res) => {
    const path = req.url === "/" ? "index.html" : req.url.slice(1).split("?")[0];
    try {
      const body = readFileSync(join(dist, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  // Playwright gives every launch a fresh, empty profile of its own.
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});
after(async () => {
  await browser?.close();
  server?.close();
});

// Tauri's own mock, loaded into the page before the app's code runs.
const mocks = readFileSync(new URL("../../node_modules/@tauri-apps/api/mocks.js", import.meta.url), "utf8").replace(/^export \{[^}]*\};?$/m, "");

function backend() {
  const site = { id: "site_1", name: "Acme Outdoor", domain: "acme.example", demo: true, created_at: 0, environments: [{ id: 1, name: "live" }, { id: 2, name: "staging" }] };
  const row = (i) => ({
    id: 1000 - i, delivery_id: `dlv_${i}`, connection_id: "con_1", connector_type: "stripe", connection_display_name: "Stripe",
    originating_module: "commerce", event_identifier: `order.paid:ord_${100000 + i}`, attempt_number: 1, trigger: "scheduled",
    outcome: i % 5 === 0 ? "failed" : "delivered", vendor_response_code: i % 5 === 0 ? 400 : 200, latency_ms: 100 + i,
    attempted_at: Date.now() - i * 60000, next_attempt_at: null, error_class: null, request_summary: "POST …", response_summary: "200 OK",
  });
  return (cmd, args) => {
    switch (cmd) {
      case "app_status": return { state: "ready", data_dir: "/tmp", background: [] };
      case "sites_list": return [site];
      case "operator_active": return { id: "op_1", name: "Dana Whitfield", role: "administrator", created_at: 0 };
      case "catalog_list": return [{ slug: "stripe", display_name: "Stripe", family: "payment_platforms", family_label: "Payment platforms", summary: "Payments", auth_flows: ["api_key"], scopes: [], configured: true }];
      case "deliveries_query": {
        if (args.query.search === "boom") return Promise.reject({ code: "invalid_argument", message: "search is too long" });
        const start = args.query.cursor ? Number(args.query.cursor) : 0;
        const rows = Array.from({ length: args.query.limit }, (_, i) => row(start + i));
        return { rows, next_cursor: start + args.query.limit < 300 ? String(start + args.query.limit) : null };
      }
      default: return Promise.reject({ code: "not_found", message: `no mock for ${cmd}` });
    }
  };
}

async function openPage(hash) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.addInitScript({ content: `${mocks}\nmockIPC(${backend.toString()}(), { shouldMockEvents: true });` });
  await page.goto(base + hash);
  return page;
}

test("the library renders the mocked catalog with its configured badge", async () => {
  const page = await openPage("#/library");
  await page.getByTestId("connector-card").first().waitFor();
  assert.equal(await page.getByTestId("connector-card").count(), 1);
  assert.match(await page.getByTestId("connector-card").innerText(), /Configured/);
  await page.getByTestId("theme-toggle").click();
  assert.ok(["dark", "light"].includes(await page.evaluate(() => document.documentElement.dataset.theme)));
  await page.close();
});

test("the delivery log is virtualised and pages with the cursor", async () => {
  const page = await openPage("#/deliveries");
  await page.getByTestId("log-row").first().waitFor();
  assert.match(await page.getByTestId("log-count").innerText(), /^100 entries loaded · more available/);
  // Only the rows in view (plus overscan) are in the DOM, not all 100.
  assert.ok((await page.getByTestId("log-row").count()) < 60);
  await page.getByTestId("log-scroller").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForFunction(() => /^200 entries/.test(document.querySelector('[data-testid="log-count"]').textContent));
  await page.getByTestId("log-more").click();
  await page.waitForFunction(() => /^300 entries loaded · end of log/.test(document.querySelector('[data-testid="log-count"]').textContent));
  await page.close();
});

test("a backend error is shown with its code", async () => {
  const page = await openPage("#/deliveries");
  await page.getByTestId("log-search").fill("boom");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.equal(await alert.getAttribute("data-code"), "invalid_argument");
  assert.match(await alert.innerText(), /search is too long/);
  await page.close();
});
