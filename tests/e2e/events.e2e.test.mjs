// Inbound events through the real window: on the demo site's Stripe connection, emit a signed
// sandbox event twice (one event, a duplicate counted), then one signed with a wrong secret
// (refused, with the step that failed), and find both in the Events view. Then one the vendor
// keeps but never sends (as while the app was closed), which "Catch up now" fetches.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

const cli = (args) => execFileSync(`${process.env.SGEN_APP}-cli`, ["--data-dir", process.env.SGEN_E2E_DATA, ...args], { encoding: "utf8" });

let browser;
let stripe;
before(async () => {
  const rows = JSON.parse(cli(["connections", "list", "--json"])).rows;
  stripe = rows.find((r) => r.record.connector_type === "stripe").record;
  browser = await openApp();
  await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
});
after(async () => browser?.deleteSession());

const text = (selector) => browser.$(selector).getText();

async function emit({ twice = false, wrongSecret = false, missed = false }) {
  const before = (await browser.$$('[data-testid="emit-answers"] li')).length ? await text('[data-testid="emit-answers"]') : "";
  for (const [id, wanted] of [
    ["emit-twice", twice],
    ["emit-wrong-secret", wrongSecret],
    ["emit-missed", missed],
  ]) {
    const box = browser.$(`[data-testid="${id}"]`);
    if ((await box.isSelected()) !== wanted) await box.click();
  }
  await browser.$('[data-testid="emit-submit"]').click();
  return until(
    browser,
    async () => {
      const answers = (await browser.$$('[data-testid="emit-answers"] li')).length ? await text('[data-testid="emit-answers"]') : "";
      return answers && answers !== before ? answers : false;
    },
    "the emitter never answered",
  );
}

test("a signed sandbox event is verified and stored once; a wrong secret is refused with its reason", async () => {
  await browser.execute((id) => (window.location.hash = `#/connections/${id}`), stripe.id);
  await until(browser, async () => browser.$('[data-testid="emit-event"]').isExisting(), "no emitter on the Stripe connection");
  assert.match(await text('[data-testid="event-secrets-active"]'), /One, sealed/);
  await browser.$('[data-testid="emit-type"]').selectByVisibleText("invoice.paid");

  const twice = await emit({ twice: true });
  assert.match(twice, /200: stored as ine_/);
  assert.match(twice, /200: a duplicate of ine_/);
  await browser.execute(() => document.querySelector('[data-testid="emit-event"]').scrollIntoView({ block: "center" }));
  await screenshot(browser, "20-emit-event");

  const refused = await emit({ wrongSecret: true });
  assert.match(refused, /400: refused — no active secret gives this signature/);

  await browser.$('[data-testid="connection-events-link"]').click();
  await until(browser, async () => (await browser.$$('[data-testid="event-row"]')).length > 0, "no events listed");
  await screenshot(browser, "21-events-view");
  // The row's text as the page has it (WebKit's driver leaves out cells that clip their text).
  const first = await browser.execute(() => document.querySelector('[data-testid="event-row"]').textContent);
  assert.match(first, /invoice\.paid/);
  assert.equal(await browser.$('[data-testid="event-copies"]').getText(), "×2");
  await browser.$('[data-testid="event-open"]').click();
  await until(browser, async () => browser.$('[data-testid="event-verified"]').isExisting(), "no event detail");
  assert.match(await text('[data-testid="event-verified"]'), /Verified.*Stripe-Signature/);
  assert.match(await text('[data-testid="event-payload"]'), /"type": "invoice.paid"/);
  await screenshot(browser, "22-event-detail");

  await browser.$('[data-testid="events-tab-refused"]').click();
  await until(browser, async () => (await browser.$$('[data-testid="refused-request"]')).length > 0, "no refused request listed");
  assert.match(await text('[data-testid="refused-request"]'), /No secret matched/);
  await screenshot(browser, "23-refused-requests");
});

test("an event the app missed is fetched by catching up, once", async () => {
  await browser.execute((id) => (window.location.hash = `#/connections/${id}`), stripe.id);
  await until(browser, async () => browser.$('[data-testid="emit-event"]').isExisting(), "no emitter on the Stripe connection");
  await browser.$('[data-testid="emit-type"]').selectByVisibleText("charge.refunded");
  // The demo has pulled refunds of its own.
  const refundsPulled = () =>
    JSON.parse(cli(["events", "list", "--connection", stripe.id, "--arrival", "pulled", "--json"])).rows.filter((r) => r.event_type === "charge.refunded")
      .length;
  const before = refundsPulled();
  const kept = await emit({ missed: true });
  assert.match(kept, /Kept in the vendor's events list, not sent/);

  await browser.$('[data-testid="catch-up"]').click();
  const status = await until(
    browser,
    async () => {
      const shown = await browser.$('[data-testid="catch-up-result"]');
      return (await shown.isExisting()) && (await shown.getText());
    },
    "catching up never answered",
  );
  assert.match(status, /\d+ listed, [01] new/);
  await until(browser, async () => (await text('[data-testid="caught-up"]')) !== "Not yet", "no catch-up time shown");
  assert.doesNotMatch(await text('[data-testid="caught-up"]'), /failed/);
  await browser.execute(() => document.querySelector('[data-testid="event-source"]').scrollIntoView({ block: "start" }));
  await screenshot(browser, "24-caught-up");
  // Fetched once, by this catch-up or the app's own at start.
  assert.equal(refundsPulled(), before + 1);
});
