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
