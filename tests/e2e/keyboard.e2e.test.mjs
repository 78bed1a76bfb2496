// One journey through the real window with the keyboard alone: to the delivery log, down its
// rows with the arrows to a failed attempt whose delivery can be retried (stopped, or waiting
// for its next attempt), open it, retry it, close it. No click anywhere.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

const cli = (args, input) =>
  execFileSync(`${process.env.SGEN_APP}-cli`, ["--data-dir", process.env.SGEN_E2E_DATA, ...args], { input, encoding: "utf8", stdio: "pipe" });

/** A sandbox vendor in a process of its own, as `sandbox start` serves it until stdin closes. */
async function sandboxVendor(slug) {
  const vendor = spawn(`${process.env.SGEN_APP}-cli`, ["sandbox", "start", slug, "--json"], { stdio: ["pipe", "pipe", "ignore"] });
  let printed = "";
  for await (const chunk of vendor.stdout) {
    printed += chunk;
    if (printed.trimEnd().endsWith("]")) break;
  }
  return { apiBase: JSON.parse(printed)[0].api_base, stop: () => vendor.stdin.end() };
}

let browser;
before(async () => {
  // While the app was closed, a Brevo connection was made to a vendor that has since gone
  // away, and the site sent it an event: its first attempt failed, and the delivery waits for
  // its next one (which fails too: nothing listens there any more).
  const vendor = await sandboxVendor("brevo");
  const key = "xkeysib-1111111111111111111111111111111111111111111111111111111111111111-Keyboard00000001";
  const created = JSON.parse(cli(["connections", "create", "--connector", "brevo", "--name", "Brevo (gone away)", "--api-base", vendor.apiBase, "--json"], `${key}\n`));
  vendor.stop();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const event = join(mkdtempSync(join(tmpdir(), "sgen-kb-")), "event.json");
  writeFileSync(
    event,
    JSON.stringify({ originating_module: "notifications", event_identifier: "password.reset usr_kb", payload: { to: [{ email: "ada@example.com" }], templateId: 7 } }),
  );
  cli(["deliveries", "send", "--connection", created.row.record.id, "--action", "send_transactional_email", "--event", event, "--json"]);
  browser = await openApp();
  await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
});
after(async () => browser?.deleteSession());

const focusedTestId = () => browser.execute(() => document.activeElement?.getAttribute("data-testid"));

/** Presses Tab until the control `testId` has the focus (at most `limit` times). */
async function tabTo(testId, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await browser.keys(["Tab"]);
    if ((await focusedTestId()) === testId) return;
  }
  throw new Error(`${limit} Tabs never reached ${testId}`);
}

/** The log's active row: its outcome, and whether it is the one the focus is on. */
const activeRow = () =>
  browser.execute(() => {
    const grid = document.querySelector('[data-testid="log-grid"]');
    const row = document.getElementById(grid.getAttribute("aria-activedescendant"));
    return { id: row?.id, outcome: row?.dataset.outcome };
  });

test("by keyboard alone: to the log, down to a failed delivery, open, retry, close", async () => {
  await tabTo("nav-deliveries");
  await browser.keys(["Enter"]);
  await until(browser, async () => (await browser.$$('[data-testid="log-row"]')).length > 0, "log rows");
  await tabTo("log-grid");

  // Down the rows to a failed attempt whose delivery can be retried (its detail has Retry).
  let retried = false;
  for (let moves = 0; moves < 300 && !retried; moves++) {
    if (moves > 0) await browser.keys(["ArrowDown"]);
    // A failed attempt: the last one (failed) or one the schedule retries (retried).
    if (!["failed", "retried"].includes((await activeRow()).outcome)) continue;
    await browser.keys(["Enter"]);
    await until(browser, async () => (await browser.$('[data-testid="delivery-status"]').getText()) !== "…", "delivery detail");
    assert.equal(await browser.execute(() => document.activeElement?.id), "attempt-detail-title");
    if (await browser.$('[data-testid="attempt-retry"]').isExisting()) {
      await tabTo("attempt-retry", 10);
      await screenshot(browser, "18-keyboard-retry");
      await browser.keys(["Enter"]);
      await until(browser, async () => browser.$('[data-testid="attempt-retry-result"]').isExisting(), "retry result");
      retried = true;
    }
    const row = (await activeRow()).id;
    await browser.keys(["Escape"]);
    await until(browser, async () => !(await browser.$('[data-testid="attempt-detail"]').isExisting()), "detail closed");
    assert.equal(await focusedTestId(), "log-grid", "Escape gives the focus back to the log");
    assert.equal((await activeRow()).id, row, "on the row it was opened from");
  }
  assert.ok(retried, "no failed delivery that can be retried in the first 300 rows");
});
