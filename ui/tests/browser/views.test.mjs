// The built UI in headless Chromium with the IPC mocked: the views render the backend's
// answers, page the delivery log, and show errors by code.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBrowser } from "./harness.mjs";

let browser;
before(async () => (browser = await startBrowser()));
after(() => browser?.close());
const openPage = (hash) => browser.open(hash);

test("the library renders the catalog with its configured badges", async () => {
  const page = await openPage("#/library");
  await page.getByTestId("connector-card").first().waitFor();
  assert.ok((await page.getByTestId("connector-card").count()) >= 20);
  assert.match(await page.locator('[data-testid="connector-card"][data-slug="stripe"]').innerText(), /Configured/);
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
  await page.getByTestId("log-grid").evaluate((el) => (el.scrollTop = el.scrollHeight));
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

test("the notification centre shows the unread count and links each to what it is about", async () => {
  const page = await openPage("#/automations");
  const unread = page.getByTestId("notifications-unread");
  await unread.waitFor();
  assert.match(await unread.innerText(), /^\d+/);
  await page.getByTestId("notifications-open").click();
  const panel = page.getByTestId("notification-panel");
  await panel.waitFor();
  assert.ok((await panel.getByTestId("notification").count()) >= 1);
  assert.match(await panel.innerText(), /Task waiting: Approve the refund/);
  await page.keyboard.press("Escape");
  await panel.waitFor({ state: "detached" });
  await page.close();
});

test("the Tasks inbox offers an approval's choices and counts what waits", async () => {
  const page = await openPage("#/tasks");
  const task = page.getByTestId("task").first();
  await task.waitFor();
  assert.match(await task.innerText(), /Approve the refund[\s\S]*Approve large refunds[\s\S]*Check the order/);
  assert.ok(await task.getByTestId("task-approve").isVisible());
  assert.ok(await task.getByTestId("task-reject").isVisible());
  assert.equal(await page.getByTestId("tasks-pending-count").innerText().then((t) => t.trim().split(/\s/)[0]), "1");
  await page.close();
});

test("the builder and the JSON view edit the same automation", async () => {
  const page = await openPage("#/automations/new");
  await page.getByTestId("builder-flow").waitFor();
  // Trigger, then the template's conditions, then its one action.
  await page.locator(".react-flow__node").nth(2).waitFor();
  assert.equal(await page.locator(".react-flow__node").count(), 3);
  await page.locator(".react-flow__node").nth(1).click();
  await page.getByTestId("builder-conditions").waitFor();
  await page.getByTestId("builder-cel").fill("event.data.object.amount > 5000");
  await page.getByTestId("builder-add-action").click();
  await page.getByTestId("builder-action-kind").selectOption("task");
  await page.getByTestId("builder-param-title").fill("Approve big payments");
  assert.equal(await page.locator(".react-flow__node").count(), 4);
  await page.getByTestId("editor-json").click();
  const json = JSON.parse(await page.getByTestId("automation-json").inputValue());
  assert.equal(json.trigger.conditions, "event.data.object.amount > 5000");
  assert.equal(json.actions[1].type, "task");
  assert.equal(json.actions[1].params.title, "Approve big payments");
  // And back: an edit in the JSON shows in the builder.
  json.name = "Big payments need approval";
  await page.getByTestId("automation-json").fill(JSON.stringify(json));
  await page.getByTestId("editor-builder").click();
  assert.equal(await page.getByTestId("builder-name").inputValue(), "Big payments need approval");
  await page.getByTestId("editor-check").waitFor();
  await page.close();
});

test("the activity log opens a row's changes, filters by kind and pages", async () => {
  const page = await openPage("#/activity");
  await page.getByTestId("activity-row").first().waitFor();
  const row = page.getByTestId("activity-row").filter({ hasText: "settings.retry_schedule" });
  await row.getByRole("button").click();
  const detail = page.getByTestId("activity-detail");
  await detail.getByTestId("activity-changes").waitFor();
  assert.match(await detail.getByTestId("activity-changes").innerText(), /value\s+\[.*\]\s+\[0\]/s);
  assert.match(await detail.innerText(), /Catalog version\s+\d+\.\d+\.\d+/);
  // The kinds offered come from what the log holds, a family first.
  const kinds = await page.getByTestId("activity-action").locator("option").allInnerTexts();
  assert.ok(kinds.includes("All settings actions"), kinds.join(" | "));
  assert.equal(await page.getByTestId("activity-previous").getAttribute("aria-disabled"), "true");
  await page.close();
});

test("who acts is in the top bar, and a Viewer finds what they may not do disabled, saying why", async () => {
  const { fixtures } = await import("./harness.mjs");
  const riley = fixtures.operators_list.find((o) => o.role === "viewer") ?? { ...fixtures.session_get.operator, name: "Riley Chen", role: "viewer", role_name: "Viewer" };
  const viewer = { operator: riley, capabilities: ["view"], family_gates: fixtures.session_get.family_gates };
  const page = await browser.open("#/triage", { answers: { session_get: viewer } });
  await page.getByTestId("triage-delivery").first().waitFor();
  assert.equal(await page.getByTestId("operator-name").innerText(), riley.name);
  const retry = page.getByTestId("triage-retry-all");
  assert.equal(await retry.getAttribute("aria-disabled"), "true");
  assert.match(await retry.getAttribute("title"), /may not do this: it needs retry_deliveries/);
  await page.getByTestId("operator-open").click();
  assert.ok((await page.getByTestId("operator-choice").count()) >= 3);
  await page.close();
});

test("Settings lists the operators, the roles with their capabilities and the family gates", async () => {
  const page = await openPage("#/settings");
  await page.getByTestId("operator-row").first().waitFor();
  assert.ok((await page.getByTestId("role-row").count()) >= 3);
  assert.equal(await page.getByTestId("family-gate-payment_platforms").inputValue(), "manage_payment_credentials");
  // A built-in role is copied into a form with its capabilities ticked, never edited in place.
  await page.getByRole("button", { name: "Copy Editor" }).click();
  await page.getByTestId("role-form").waitFor();
  assert.equal(await page.getByTestId("capability-retry_deliveries").isChecked(), true);
  assert.equal(await page.getByTestId("capability-manage_access").isChecked(), false);
  await page.close();
});

test("a support workspace says whose copy it is in every view, and a failed delivery replays with changes", async () => {
  const { WORKSPACE } = await import("./harness.mjs");
  const page = await browser.open("#/deliveries", { answers: { support_workspace_get: WORKSPACE } });
  const banner = page.getByTestId("support-banner");
  await banner.waitFor();
  assert.match(await banner.innerText(), /Support workspace — a copy of Acme Outdoor \(acme-outdoor\.example\), exported .* by Riley Chen/);
  await page.getByTestId("log-row").first().click();
  // Changes are refused in a copy, saying why; the replay is not a change.
  assert.match(await page.getByTestId("attempt-retry").getAttribute("title"), /support workspace, a copy of Acme Outdoor/);
  await page.getByTestId("replay-start").click();
  await page.getByTestId("replay-timelines").waitFor();
  assert.match(await page.getByTestId("replay-verdict").innerText(), /outcome/);
  const rows = await page.getByTestId("replay-timelines").locator("tbody tr").count();
  assert.ok(rows >= 1);
  await page.getByTestId("replay-changes-open").click();
  await page.getByTestId("replay-schedule").fill("0, 5s, nonsense");
  assert.match(await page.getByRole("alert").innerText(), /"nonsense" is not a wait/);
  await page.getByTestId("replay-schedule").fill("0, 5s");
  await page.getByTestId("replay-mapping").fill('{"to.0.email": "object"}');
  await page.getByTestId("replay-with-changes").click();
  await page.getByTestId("replay-timelines").waitFor();
  // Every view keeps the banner.
  await page.getByTestId("nav-settings").click();
  await page.getByTestId("operator-row").first().waitFor();
  assert.ok(await page.getByTestId("support-banner").isVisible());
  // A copy is not exported again.
  await page.getByTestId("site-menu-open").click();
  assert.ok(await page.getByTestId("support-bundle-export").isDisabled());
  await page.close();
});

test("the site menu exports the site and opens a customer's bundle, saying what went wrong with a bad one", async () => {
  const page = await openPage("#/library");
  await page.getByTestId("connector-card").first().waitFor();
  await page.getByTestId("site-menu-open").click();
  assert.ok(await page.getByTestId("support-bundle-export").isEnabled());
  await page.getByTestId("support-bundle-export").click();
  assert.match(await page.getByTestId("support-bundle-done").innerText(), /Written to .*sgen-support/);
  await page.getByTestId("open-bundle-path").fill("/home/pat/Downloads/broken.zip");
  await page.getByTestId("open-bundle-submit").click();
  assert.match(await page.getByRole("alert").innerText(), /broken\.zip: is not a support bundle/);
  await page.getByTestId("open-bundle-path").fill("/home/pat/Downloads/acme.zip");
  await page.getByTestId("open-bundle-submit").click();
  assert.match(await page.getByTestId("open-bundle-done").innerText(), /Opened a copy of Acme Outdoor .* in a new window/);
  // The copies kept on this computer: removing one asks once more.
  const kept = page.getByTestId("kept-workspace").first();
  assert.match(await kept.innerText(), /Acme Outdoor[\s\S]*MiB/);
  await kept.getByTestId("kept-remove").click();
  assert.match(await kept.innerText(), /Remove this copy of Acme Outdoor from this computer\?/);
  await kept.getByTestId("kept-remove-confirm").click();
  await page.getByTestId("kept-reopen").first().waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await page.getByTestId("site-menu").count(), 0);
  await page.close();
});
