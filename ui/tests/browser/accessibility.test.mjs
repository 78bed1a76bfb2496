// axe-core on every view, in both themes, with the backend's own answers: no critical or
// serious violation (contrast, names, roles, structure) may land.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { startBrowser, VIEWS, WORKSPACE } from "./harness.mjs";

const axe = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
before(async () => (browser = await startBrowser()));
after(() => browser?.close());

async function audit(page) {
  await page.addScriptTag({ content: axe });
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} — ${n.failureSummary.replaceAll("\n", " ")}`).join("\n    ")}`);
}

for (const theme of ["light", "dark"]) {
  for (const [name, hash, rendered] of VIEWS) {
    test(`${name}, ${theme} theme: no serious accessibility violation`, async () => {
      const page = await browser.open(hash, { theme });
      await page.locator(rendered).first().waitFor();
      assert.deepEqual(await audit(page), []);
      await page.close();
    });
  }

  test(`the delivery detail panel, ${theme} theme: no serious accessibility violation`, async () => {
    const page = await browser.open("#/deliveries", { theme });
    await page.getByTestId("log-row").first().click();
    await page.getByTestId("delivery-attempts").waitFor();
    assert.deepEqual(await audit(page), []);
    await page.close();
  });

  test(`a support workspace's banner and an offline replay, ${theme} theme: no serious accessibility violation`, async () => {
    const page = await browser.open("#/deliveries", { theme, answers: { support_workspace_get: WORKSPACE } });
    await page.getByTestId("support-banner").waitFor();
    await page.getByTestId("log-row").first().click();
    await page.getByTestId("replay-start").click();
    await page.getByTestId("replay-timelines").waitFor();
    await page.getByTestId("replay-changes-open").click();
    assert.deepEqual(await audit(page), []);
    await page.close();
  });

  test(`the site menu's support bundles, exported and opened, ${theme} theme: no serious accessibility violation`, async () => {
    const page = await browser.open("#/library", { theme });
    await page.getByTestId("connector-card").first().waitFor();
    await page.getByTestId("site-menu-open").click();
    await page.getByTestId("support-bundle-export").click();
    await page.getByTestId("open-bundle-path").fill("/home/pat/Downloads/acme.zip");
    await page.getByTestId("open-bundle-submit").click();
    await page.getByTestId("open-bundle-done").waitFor();
    assert.deepEqual(await audit(page), []);
    await page.close();
  });
}
