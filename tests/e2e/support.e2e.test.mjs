// Support through the real window: the demo site exported as a support bundle from Settings,
// the bundle opened as a support workspace, and a second app process on that workspace: the
// banner says whose copy it is, and a failed Brevo delivery replays offline, then with a
// changed mapping.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

test("a site exported from Settings opens as a support workspace where a failed delivery replays offline", async () => {
  let browser = await openApp();
  let bundle;
  try {
    await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
    await browser.execute(() => (window.location.hash = "#/settings"));
    await until(browser, async () => browser.$('[data-testid="support-bundle-export"]').isExisting(), "no support bundle panel");
    await browser.execute(() => [...document.querySelectorAll('[data-testid="support-bundle"] button')].find((b) => b.textContent === "All history").click());
    await browser.$('[data-testid="support-bundle-export"]').click();
    const done = await until(browser, async () => {
      const found = await browser.$$('[data-testid="support-bundle-done"]');
      return found.length > 0 && found[0];
    }, "the export never finished");
    await done.scrollIntoView();
    bundle = await done.$("code").getText();
    assert.ok(existsSync(bundle), `${bundle} is not there`);
    await screenshot(browser, "39-support-bundle-exported");
  } finally {
    await browser.deleteSession();
  }

  // Opened on "another machine": a data directory of its own, then the app on it.
  const workspace = join(mkdtempSync(join(tmpdir(), "sgen-support-")), "workspace");
  const cli = join(process.env.CARGO_TARGET_DIR, "debug", "sgen-integrations-cli");
  const imported = JSON.parse(execFileSync(cli, ["--data-dir", workspace, "bundle", "import", bundle, "--json"], { encoding: "utf8" }));
  assert.equal(imported.workspace.site_name, "Acme Outdoor");
  browser = await openApp(workspace);
  try {
    const banner = await until(browser, async () => {
      const found = await browser.$$('[data-testid="support-banner"]');
      return found.length > 0 && found[0];
    }, "no support workspace banner");
    assert.match(await banner.getText(), /Support workspace — a copy of Acme Outdoor/);
    await screenshot(browser, "40-support-workspace");

    await browser.execute(() => (window.location.hash = "#/deliveries"));
    await until(browser, async () => (await browser.$$('[data-testid="log-row"]')).length > 0, "no delivery log");
    await browser.$('[data-testid="log-outcome"]').selectByAttribute("value", "failed");
    await browser.$('[data-testid="log-search"]').setValue("password.reset");
    await until(browser, async () => (await browser.$$('[data-testid="log-row"]')).length > 0, "no failed Brevo delivery");
    await browser.$('[data-testid="log-row"]').click();
    const start = await until(browser, async () => {
      const found = await browser.$$('[data-testid="replay-start"]');
      return found.length > 0 && found[0];
    }, "no replay in the delivery's detail");
    await start.click();
    const verdict = await until(browser, async () => {
      const found = await browser.$$('[data-testid="replay-verdict"]');
      return found.length > 0 && found[0];
    }, "the replay never answered");
    assert.match(await verdict.getText(), /outcome/);
    await browser.$('[data-testid="replay-timelines"]').scrollIntoView({ block: "end" });
    await screenshot(browser, "41-replay-offline");

    await browser.$('[data-testid="replay-changes-open"]').click();
    await browser.$('[data-testid="replay-mapping"]').setValue('{"to.0.email": "object", "templateId": "\\"7\\""}');
    await browser.$('[data-testid="replay-with-changes"]').click();
    const request = await until(browser, async () => {
      const found = await browser.$$('[data-testid="replay-request"]');
      return found.length > 0 && found[0];
    }, "the replay with changes never answered");
    assert.match(await request.getText(), /"templateId":"7"/);
    // What was typed stays for the next try.
    assert.match(await browser.$('[data-testid="replay-mapping"]').getValue(), /templateId/);
    await browser.$('[data-testid="replay-timelines"]').scrollIntoView({ block: "end" });
    await screenshot(browser, "42-replay-with-a-changed-mapping");
  } finally {
    await browser.deleteSession();
  }
});
