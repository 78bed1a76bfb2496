// Names that are markup render as text. A connection's name is typed by an operator, its vendor
// account comes from the vendor's answer and an event identifier from the website: any of them
// may be `<img src=x onerror=…>`. The window must show the characters and run nothing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

const HOSTILE = `<img src=x onerror="window.__xss=(window.__xss||0)+1">`;
const KEY = "xkeysib-0000000000000000000000000000000000000000000000000000000000000000-Hostile000000001";
const data = process.env.SGEN_E2E_DATA;
const cli = (args, input) =>
  execFileSync(`${process.env.SGEN_APP}-cli`, ["--data-dir", data, ...args], { input, encoding: "utf8", stdio: "pipe" });

let browser;
before(async () => {
  // Before the window opens (the app holds the data directory while it runs): a connection
  // named with markup, an event identifier that is markup, and a vendor that answered with
  // markup for its account name (written where its test call's answer goes).
  const created = JSON.parse(
    cli(["connections", "create", "--connector", "brevo", "--name", HOSTILE, "--api-base", "sandbox", "--json"], `${KEY}\n`),
  );
  const id = created.row.record.id;
  const event = join(mkdtempSync(join(tmpdir(), "sgen-xss-")), "event.json");
  writeFileSync(
    event,
    JSON.stringify({
      originating_module: "notifications",
      event_identifier: `password.reset ${HOSTILE}`,
      payload: { to: [{ email: "ada@example.com" }], templateId: 7 },
    }),
  );
  cli(["deliveries", "send", "--connection", id, "--action", "send_transactional_email", "--event", event, "--json"]);
  execFileSync("sqlite3", [join(data, "sgen.sqlite3"), `UPDATE connections SET vendor_account_id = '${HOSTILE.replaceAll("'", "''")}' WHERE id = '${id}'`]);

  browser = await openApp();
  await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
});
after(async () => browser?.deleteSession());

/** Nothing was injected: no element from the markup, no handler run. */
async function nothingRan() {
  assert.equal((await browser.$$('img[src="x"]')).length, 0, "an <img> from a name is in the page");
  assert.equal(await browser.execute(() => window.__xss ?? 0), 0, "a handler from a name ran");
}

test("a connection, its vendor account and an event identifier made of markup show as text", async () => {
  await browser.$('[data-testid="nav-connections"]').click();
  // Typed until the field holds it: the view moves the focus to its heading a frame after it
  // opens, and keystrokes sent in that frame are lost.
  await until(browser, async () => {
    await browser.$('[data-testid="connections-filter"]').setValue("onerror");
    return (await browser.$('[data-testid="connections-filter"]').getValue()) === "onerror";
  }, "the filter was never typed whole");
  await until(browser, async () => (await browser.$$('[data-testid="connection-row"]')).length === 1, "the hostile row");
  assert.match(await browser.$('[data-testid="connection-row"]').getText(), /<img src=x onerror=/);
  await nothingRan();

  await browser.$('[data-testid="connection-row"]').click();
  await until(browser, async () => browser.$('[data-testid="connection-detail"]').isExisting(), "detail view");
  const fields = await browser.$('[data-testid="connection-fields"]').getText();
  assert.ok(fields.split(HOSTILE).length >= 2, `the vendor account is not shown as text: ${fields}`);
  // The app's worker delivers the queued event; its attempt lists the identifier as text.
  await until(browser, async () => (await browser.$$('[data-testid="log-row"]')).length > 0, "the event's attempt");
  const identifier = await browser.$('[data-testid="log-row"] .mono.ellipsis').getAttribute("title");
  assert.equal(identifier, `password.reset ${HOSTILE}`);
  await browser.$('[data-testid="log-row"]').click();
  await until(browser, async () => browser.$('[data-testid="attempt-detail"]').isExisting(), "attempt detail");
  assert.match(await browser.$('[data-testid="attempt-detail"]').getText(), /password\.reset <img src=x/);
  await nothingRan();
  await browser.$('[data-testid="connection-detail"]').scrollIntoView();
  await screenshot(browser, "17-markup-as-text");
});
