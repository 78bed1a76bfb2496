// The four primary views through the real window, on the seeded demo site.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

let browser;
before(async () => {
  browser = await openApp();
  await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
});
after(async () => browser?.deleteSession());

// WebdriverIO's element arrays map asynchronously; read them one element at a time.
async function each(selector, read) {
  const values = [];
  for (const element of await browser.$$(selector)) values.push(await read(element));
  return values;
}
const texts = (selector) => each(selector, (e) => e.getText());
const attrs = (selector, name) => each(selector, (e) => e.getAttribute(name));
const count = async (selector) => (await browser.$$(selector)).length;

/** Empties a text box the way a person does, so React sees the change. */
async function clearInput(selector) {
  await browser.$(selector).click();
  await browser.keys(["Control", "a"]);
  await browser.keys(["Backspace"]);
}

test("the library shows every family and filters by family, auth flow and name", async () => {
  assert.equal(await count('[data-testid="family-group"]'), 6);
  assert.ok((await count('[data-testid="connector-card"]')) >= 20);
  await screenshot(browser, "01-library");

  await browser.$('[data-testid="library-family"]').selectByAttribute("value", "payment_platforms");
  await until(browser, async () => (await count('[data-testid="family-group"]')) === 1, "family filter");
  assert.deepEqual((await attrs('[data-testid="connector-card"]', "data-slug")).sort(), ["paypal", "square", "stripe"]);

  await browser.$('[data-testid="library-flow"]').selectByAttribute("value", "oauth2");
  await until(browser, async () => (await count('[data-testid="connector-card"]')) === 1, "flow filter");
  assert.deepEqual(await attrs('[data-testid="connector-card"]', "data-slug"), ["square"]);

  await browser.$('[data-testid="library-family"]').selectByAttribute("value", "");
  await browser.$('[data-testid="library-flow"]').selectByAttribute("value", "");
  await browser.$('[data-testid="library-search"]').setValue("hub");
  await until(browser, async () => (await count('[data-testid="connector-card"]')) === 1, "name search");
  await browser.$('[data-testid="connector-card"]').click();
  await until(browser, async () => browser.$('[data-testid="scopes-table"]').isExisting(), "connector page");
  assert.match(await browser.$('[data-testid="scopes-table"]').getText(), /crm\.objects\.contacts\.write/);
  await screenshot(browser, "02-connector-page");
});

test("the connections list sorts, filters by state and text, and pages", async () => {
  await browser.$('[data-testid="nav-connections"]').click();
  await until(browser, async () => (await count('[data-testid="connection-row"]')) === 10, "first page of 10");
  assert.equal(await browser.$('[data-testid="connections-range"]').getText(), "1–10 of 16");
  await screenshot(browser, "03-connections");

  await browser.$('[data-testid="connections-next"]').click();
  await until(browser, async () => (await browser.$('[data-testid="connections-range"]').getText()) === "11–16 of 16", "second page");

  await browser.$('[data-testid="connections-state"]').selectByAttribute("value", "paused");
  await until(browser, async () => (await browser.$('[data-testid="connections-range"]').getText()) === "1–2 of 2", "state filter");
  const states = await attrs('[data-testid="connection-row"] [data-state]', "data-state");
  assert.deepEqual(states, ["paused", "paused"]);

  await browser.$('[data-testid="connections-state"]').selectByAttribute("value", "");
  await browser.$('[data-testid="connections-filter"]').setValue("pipedrive");
  await until(browser, async () => (await browser.$('[data-testid="connections-range"]').getText()) === "1–1 of 1", "text filter");
  await clearInput('[data-testid="connections-filter"]');

  await browser.$('[data-sort="display_name"]').click(); // now descending
  await until(browser, async () => (await browser.$('[data-testid="connections-range"]').getText()) === "1–10 of 16", "unfiltered");
  const names = await texts('[data-testid="connection-row"] .strong');
  const sorted = [...names].sort((a, b) => b.localeCompare(a, undefined, { sensitivity: "base" }));
  assert.deepEqual(names, sorted);
});

test("a connection's detail view shows its record, state history and delivery log", async () => {
  await browser.$('[data-testid="connections-filter"]').setValue("brevo");
  await until(browser, async () => (await count('[data-testid="connection-row"]')) === 1, "brevo row");
  await browser.$('[data-testid="connection-row"]').click();
  await until(browser, async () => browser.$('[data-testid="connection-detail"]').isExisting(), "detail view");
  const history = await browser.$('[data-testid="state-history"]').getText();
  assert.match(history, /consecutive delivery failures/);
  assert.match(await browser.$('[data-testid="connection-fields"]').getText(), /Operator of record/);
  await until(browser, async () => (await count('[data-testid="log-row"]')) > 0, "per-connection log rows");
  await screenshot(browser, "04-connection-detail");
  // Its delivery health over the demo's history: bars per day and a success rate.
  const health = browser.$('[data-testid="delivery-health"]');
  await health.$("button=90 days").click();
  await until(browser, async () => /% of [\d,]+ attempts delivered/.test(await browser.$('[data-testid="health-summary"]').getText()), "health summary");
  await health.scrollIntoView();
  await screenshot(browser, "04b-connection-health");
});

test("the delivery log filters by outcome, date range and search, and pages", async () => {
  await browser.$('[data-testid="nav-deliveries"]').click();
  await until(browser, async () => (await count('[data-testid="log-row"]')) > 10, "log rows");
  await until(browser, async () => /^100 entries loaded/.test(await browser.$('[data-testid="log-count"]').getText()), "first page");
  await screenshot(browser, "05-delivery-log");

  await browser.$('[data-testid="log-more"]').click();
  await until(browser, async () => /^200 entries loaded/.test(await browser.$('[data-testid="log-count"]').getText()), "second page");

  await browser.$('[data-testid="log-outcome"]').selectByAttribute("value", "failed");
  await until(browser, async () => {
    const outcomes = await attrs('[data-testid="log-row"]', "data-outcome");
    return outcomes.length > 0 && outcomes.every((o) => o === "failed");
  }, "outcome filter");

  await browser.$('[data-testid="log-range"]').selectByAttribute("value", "7d");
  const weekAgo = Date.now() - 7 * 86_400_000;
  await until(browser, async () => {
    const times = (await attrs('[data-testid="log-row"]', "data-attempted-at")).map(Number);
    return times.length > 0 && times.every((t) => t >= weekAgo - 60_000);
  }, "date range");

  await browser.$('[data-testid="log-outcome"]').selectByAttribute("value", "");
  await browser.$('[data-testid="log-range"]').selectByAttribute("value", "all");
  await browser.$('[data-testid="log-search"]').setValue("order.paid");
  await until(browser, async () => {
    // Rows scrolled out of the table have no visible text; the cell's title has the identifier.
    const ids = await attrs('[data-testid="log-row"] .mono.ellipsis', "title");
    return ids.length > 0 && ids.every((id) => id.startsWith("order.paid:"));
  }, "search");
  await browser.$('[data-testid="log-row"]').click();
  await until(browser, async () => browser.$('[data-testid="attempt-detail"]').isExisting(), "attempt detail");
  await screenshot(browser, "06-delivery-log-filtered");
});

test("switching environment and theme changes every view", async () => {
  await browser.$('[data-testid="env-staging"]').click();
  await browser.$('[data-testid="nav-connections"]').click();
  await until(browser, async () => (await browser.$('[data-testid="connections-range"]').getText()) === "1–3 of 3", "staging connections");
  await browser.$('[data-testid="theme-toggle"]').click();
  const theme = await browser.execute(() => document.documentElement.dataset.theme);
  assert.ok(theme === "dark" || theme === "light");
  await screenshot(browser, "07-staging-theme");
});
