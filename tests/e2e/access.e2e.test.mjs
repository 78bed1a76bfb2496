// Operators, roles and the activity log through the real window: the top bar says who acts; a
// Viewer finds disconnecting disabled with the reason; an Administrator adds a profile with a
// passphrase in Settings, and switching to it asks for it (a wrong one is refused and
// recorded); the Activity view finds those tries, opens one, and exports the set as CSV.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

let browser;
before(async () => {
  browser = await openApp();
  await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
});
after(async () => browser?.deleteSession());

const text = (selector) => browser.$(selector).getText();

/** Chooses `name` in the top bar's switcher (and types `passphrase` if it asks). */
async function actAs(name, passphrase) {
  await browser.$('[data-testid="operator-open"]').click();
  await until(browser, async () => (await browser.$$('[data-testid="operator-choice"]')).length >= 4, "no profiles to switch to");
  await browser.execute((wanted) => {
    [...document.querySelectorAll('[data-testid="operator-choice"]')].find((b) => b.querySelector("strong").textContent === wanted).click();
  }, name);
  if (passphrase !== undefined) {
    await until(browser, async () => browser.$('[data-testid="operator-passphrase-input"]').isExisting(), "no passphrase asked");
    await browser.$('[data-testid="operator-passphrase-input"]').setValue(passphrase);
    await browser.$('[data-testid="operator-passphrase-submit"]').click();
  }
}

test("a Viewer finds what their role refuses disabled, with the reason", async () => {
  assert.match(await text('[data-testid="operator-role"]'), /Administrator/);
  await actAs("Riley Chen");
  await until(browser, async () => (await text('[data-testid="operator-name"]')) === "Riley Chen", "still acting as someone else");
  await browser.execute(() => (window.location.hash = "#/connections"));
  await until(browser, async () => (await browser.$$('[data-testid="connection-row"]')).length > 0, "no connections");
  await browser.$('[data-testid="connections-filter"]').setValue("Stripe — Acme");
  await until(browser, async () => (await browser.$$('[data-testid="connection-row"]')).length === 1, "no Stripe row");
  await browser.$("=Stripe — Acme Outdoor").click();
  const disconnect = await until(browser, async () => {
    const el = browser.$('[data-testid="action-disconnect"]');
    return (await el.isExisting()) && el;
  }, "no connection page");
  assert.equal(await disconnect.getAttribute("aria-disabled"), "true");
  assert.match(await disconnect.getAttribute("title"), /Riley Chen \(Viewer\) may not do this: it needs disconnect_connections/);
  assert.equal(await browser.$('[data-testid="action-test"]').getAttribute("aria-disabled"), "true");
  await screenshot(browser, "35-viewer-cannot-disconnect");
});

test("an Administrator adds a profile with a passphrase; switching to it asks, and a wrong one is refused", async () => {
  const me = await browser.execute(() => document.querySelector('[data-testid="operator-open"]') && true);
  assert.ok(me);
  // Back to the OS user's own profile (the first in the list that is an Administrator and not Dana).
  await browser.$('[data-testid="operator-open"]').click();
  await until(browser, async () => (await browser.$$('[data-testid="operator-choice"]')).length >= 4, "no profiles");
  await browser.execute(() => {
    [...document.querySelectorAll('[data-testid="operator-choice"]')].find((b) => /this computer|Administrator/.test(b.textContent) && !/Dana/.test(b.textContent)).click();
  });
  await until(browser, async () => /Administrator/.test(await text('[data-testid="operator-role"]')), "not an Administrator again");

  await browser.execute(() => (window.location.hash = "#/settings"));
  await until(browser, async () => (await browser.$$('[data-testid="operator-row"]')).length >= 4, "no operators in Settings");
  await browser.$('[data-testid="operator-add"]').click();
  await browser.$('[data-testid="profile-name"]').setValue("Pat Support");
  await browser.$('[data-testid="profile-role"]').selectByAttribute("value", "editor");
  await browser.$('[data-testid="profile-passphrase"]').setValue("correct horse battery");
  await browser.$('[data-testid="operator-save"]').click();
  await until(browser, async () => (await browser.$$('[data-testid="operator-row"]')).length >= 5, "the new profile is not listed");
  assert.match(await text('[data-testid="operators-table"]'), /Pat Support\s*Editor\s*set/);
  // The site's encryption key: rotated, every secret re-encrypted under the new one.
  await browser.$('[data-testid="site-key-rotate"]').click();
  const rotated = await until(browser, async () => {
    const el = browser.$('[data-testid="site-key-rotated"]');
    return (await el.isExisting()) && el;
  }, "the key was not rotated");
  assert.match(await rotated.getText(), /^\d+ secrets re-encrypted under site-data-key\/.+\/1\.$/);
  await browser.execute(() => document.querySelector('[data-testid="access-settings"]').scrollIntoView({ block: "start" }));
  await screenshot(browser, "36-settings-operators-and-roles");

  await actAs("Pat Support", "not the passphrase");
  await until(browser, async () => {
    const el = browser.$('[data-testid="operator-panel"] [role="alert"]');
    return (await el.isExisting()) && (await el.getAttribute("data-code")) === "wrong_passphrase";
  }, "a wrong passphrase was not refused");
  assert.match(await text('[data-testid="operator-panel"] [role="alert"]'), /4 more tries/);
  await screenshot(browser, "37-wrong-passphrase");
  await browser.$('[data-testid="operator-passphrase-input"]').setValue("correct horse battery");
  await browser.$('[data-testid="operator-passphrase-submit"]').click();
  await until(browser, async () => (await text('[data-testid="operator-name"]')) === "Pat Support", "the right passphrase did not switch");
});

test("the Activity view finds the tries, opens one, and exports what it shows as CSV", async () => {
  await browser.execute(() => (window.location.hash = "#/activity"));
  await until(browser, async () => (await browser.$$('[data-testid="activity-row"]')).length > 0, "no activity");
  await browser.$('[data-testid="activity-action"]').selectByAttribute("value", "operator.switch");
  await until(browser, async () => {
    const rows = await browser.$$('[data-testid="activity-row"]');
    return rows.length >= 3 && (await rows[0].getText()).includes("operator.switch");
  }, "the switches are not listed");
  const listed = await text('[data-testid="activity-table"]');
  assert.match(listed, /Pat Support\s*operator\.switch\s*—\s*Failure/);
  await browser.execute(() => document.querySelector('[data-testid="activity-row"] button').click());
  await until(browser, async () => browser.$('[data-testid="activity-detail"]').isExisting(), "no detail");
  assert.match(await text('[data-testid="activity-detail"]'), /Catalog version/);
  await browser.$('[data-testid="activity-export-start"]').click();
  const done = await until(browser, async () => {
    const el = browser.$('[data-testid="activity-export-done"]');
    return (await el.isExisting()) && el;
  }, "the export never finished");
  const path = await done.$("code").getText();
  const csv = readFileSync(path, "utf8").split("\n");
  assert.match(csv[0], /^id,at,operator,action,outcome/);
  assert.ok(csv.slice(1).filter(Boolean).every((line) => line.includes("operator.switch")), csv.slice(0, 4).join("\n"));
  await screenshot(browser, "38-activity");
});
