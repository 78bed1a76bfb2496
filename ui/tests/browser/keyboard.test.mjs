// The window by keyboard alone: every control is a Tab stop and the focus never falls to the
// page body; the delivery log is one Tab stop moved with the arrows (the grid pattern), its
// detail opens with Enter and closes with Escape; segmented controls move with the arrows;
// after an action, a page turn or a change of view the focus is somewhere that makes sense.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fixtures, startBrowser, VIEWS } from "./harness.mjs";

let browser;
before(async () => (browser = await startBrowser()));
after(() => browser?.close());

const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return { tag: e?.tagName, id: e?.id, kb: e?.getAttribute("data-kb"), testid: e?.getAttribute("data-testid"), text: e?.textContent?.trim().slice(0, 40) };
  });

for (const [name, hash, rendered] of VIEWS) {
  test(`${name}: Tab reaches every control, in a cycle that never lands on the body`, async () => {
    const page = await browser.open(hash);
    await page.locator(rendered).first().waitFor();
    // Number every control a person can Tab to now: not the other options of a radio group
    // (native or ARIA), which the arrows choose among.
    const controls = await page.evaluate(() => {
      const all = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]')];
      const otherOption = (e) =>
        e.getAttribute("tabindex") === "-1" ||
        (e.type === "radio" && !e.checked && document.querySelector(`input[type=radio][name="${e.name}"]:checked`));
      const operable = all.filter((e) => !e.disabled && !otherOption(e) && e.getClientRects().length > 0 && !e.closest("[inert]"));
      operable.forEach((e, i) => e.setAttribute("data-kb", String(i)));
      return operable.length;
    });
    // Round the whole cycle: past the last control the focus leaves the page (the browser's
    // own chrome, the body meanwhile), then comes back to the first.
    const reached = new Set();
    let first;
    let left = false;
    for (let presses = 0; presses < controls + 40; presses++) {
      await page.keyboard.press("Tab");
      const at = await focused(page);
      if (at.tag === "BODY") {
        assert.ok(first !== undefined && !left, `Tab ${presses + 1} left the focus on the page body mid-cycle`);
        left = true;
        continue;
      }
      if (at.kb === first) break;
      assert.ok(!left || first === undefined, `the cycle restarted at ${at.testid ?? at.text}, not at the first control`);
      first ??= at.kb;
      reached.add(at.kb);
    }
    const missed = await page.evaluate(
      (reached) =>
        [...document.querySelectorAll("[data-kb]")]
          .filter((e) => !reached.includes(e.getAttribute("data-kb")))
          .map((e) => `${e.tagName} ${e.getAttribute("data-testid") ?? e.getAttribute("aria-label") ?? e.textContent.trim().slice(0, 30)}`),
      [...reached],
    );
    assert.deepEqual(missed, [], "controls Tab never reached");
    await page.close();
  });
}

test("the delivery log is one Tab stop: arrows move, Enter opens the detail, Escape gives the focus back", async () => {
  const page = await browser.open("#/deliveries");
  await page.getByTestId("log-row").first().waitFor();
  const grid = page.getByTestId("log-grid");
  await grid.focus();
  const activeRow = () => grid.getAttribute("aria-activedescendant");
  const rows = await page.getByTestId("log-row").evaluateAll((all) => all.map((r) => r.id));
  assert.equal(await activeRow(), rows[0]);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
  assert.equal(await activeRow(), rows[3]);
  await page.keyboard.press("ArrowUp");
  assert.equal(await activeRow(), rows[2]);

  // To the last loaded row: it is rendered, and moving there loaded nothing more.
  await page.keyboard.press("End");
  const last = await activeRow();
  assert.ok(await page.locator(`#${last}`).isVisible(), "the active row is rendered and in view");
  assert.match(await page.getByTestId("log-count").innerText(), /^100 entries loaded/);
  await page.keyboard.press("PageUp");
  assert.notEqual(await activeRow(), last);

  await page.keyboard.press("Enter");
  await page.getByTestId("attempt-detail").waitFor();
  assert.equal((await focused(page)).id, "attempt-detail-title", "the detail takes the focus");
  await page.keyboard.press("Escape");
  await page.getByTestId("attempt-detail").waitFor({ state: "detached" });
  assert.equal((await focused(page)).testid, "log-grid", "the focus is back on the log");
  assert.notEqual(await activeRow(), last);

  // One Tab from the log is past it: the next control is the pager's.
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).testid, "log-more");
  await page.close();
});

test("a segmented control is one Tab stop and the arrows choose", async () => {
  const page = await browser.open("#/library");
  await page.getByTestId("connector-card").first().waitFor();
  await page.getByTestId("env-live").focus();
  await page.keyboard.press("ArrowRight");
  assert.equal((await focused(page)).testid, "env-staging");
  assert.equal(await page.getByTestId("env-staging").getAttribute("aria-checked"), "true");
  assert.equal(await page.getByTestId("env-live").getAttribute("tabindex"), "-1");
  await page.keyboard.press("Tab");
  assert.notEqual((await focused(page)).testid, "env-live", "Tab leaves the group");
  await page.close();
});

test("after a page turn, a confirm, a change of view, the focus is where the person is", async () => {
  const page = await browser.open("#/connections");
  await page.getByTestId("connection-row").first().waitFor();
  // Paging to the end keeps the focus on the pager.
  await page.getByTestId("connections-next").focus();
  const pages = Math.ceil(fixtures.connections_list.total / 10);
  for (let i = 1; i < pages; i++) await page.keyboard.press("Enter");
  assert.equal(await page.getByTestId("connections-next").getAttribute("aria-disabled"), "true");
  assert.equal((await focused(page)).testid, "connections-next");

  // A change of view names the window and moves the focus to its heading.
  await page.getByTestId("nav-deliveries").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.tagName === "H1");
  assert.equal(await page.title(), "Delivery log — SGEN Integrations");

  // An action keeps the focus on its button while it runs and after it answers (here with
  // an error: the mocked backend has no answer for a test call).
  await page.goto(page.url().replace(/#.*/, `#/connections/${fixtures.connection_get.row.record.id}`));
  await page.getByTestId("action-test").focus();
  await page.keyboard.press("Enter");
  await page.getByRole("alert").waitFor();
  assert.equal((await focused(page)).testid, "action-test");

  // Disconnect asks first: the safe choice has the focus, Escape takes it back.
  await page.getByTestId("action-disconnect").focus();
  await page.keyboard.press("Enter");
  assert.equal((await focused(page)).text, "Cancel");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "action-disconnect");
  await page.close();
});
