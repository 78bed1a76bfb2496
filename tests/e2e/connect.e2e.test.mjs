// Connecting for real through the window: a Brevo key against the sandbox vendor, with the
// site data key in the real Secret Service (run.sh runs inside scripts/with-keyring.sh).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

const KEY = "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";

let browser;
before(async () => {
  browser = await openApp();
  await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
});
after(async () => browser?.deleteSession());

const headerState = () => browser.$('#connection-title [data-state]').getAttribute("data-state");
const waitForState = (state) => until(browser, async () => (await headerState()) === state, `state never became ${state}`);
/** Waits for the detail view after Connect; fails with the form's message if it shows one. */
async function connected(what) {
  const outcome = await until(browser, async () => {
    if (await browser.$('[data-testid="connection-detail"]').isExisting()) return "detail";
    const alert = browser.$('[data-testid="connect-form"] [role="alert"]');
    return (await alert.isExisting()) && `error: ${await alert.getText()}`;
  }, `${what}: neither the detail view nor an error appeared`);
  if (outcome !== "detail") {
    await screenshot(browser, `failed-${what.replace(/\W+/g, "-")}`);
    assert.fail(`${what}: ${outcome}`);
  }
}
const result = () => until(browser, async () => {
  const el = browser.$('[data-testid="action-result"]');
  return (await el.isExisting()) && (await el.getText());
}, "no action result");
/** Waits for an action result that matches (an earlier result may still be on screen). */
const resultMatching = (pattern) => until(browser, async () => {
  const el = browser.$('[data-testid="action-result"]');
  return (await el.isExisting()) && pattern.test(await el.getText());
}, `no action result matching ${pattern}`);

test("connect a key, test it, pause and resume, break the vendor, disconnect", async () => {
  await browser.execute(() => (window.location.hash = "#/library/brevo"));
  await until(browser, async () => browser.$('[data-testid="connect-form"]').isExisting(), "connect form");
  // The view moves the focus to its heading a frame after the route changes; keystrokes sent
  // in that frame land there. Typed again until the field holds the whole key.
  await until(browser, async () => {
    await browser.$('input[name="api_key"]').setValue(KEY);
    return (await browser.$('input[name="api_key"]').getValue()) === KEY;
  }, "the key was never typed whole");
  await screenshot(browser, "10-connect-form");
  await browser.$('[data-testid="connect-submit"]').click();

  await connected("key connect");
  await waitForState("active");
  const facts = await browser.$('[data-testid="connection-fields"]').getText();
  assert.match(facts, /sbx-brevo-/);
  assert.match(facts, /Sandbox vendor on this computer/);
  assert.doesNotMatch(await browser.$("body").getText(), /ca11ab1e/);

  await browser.$('[data-testid="action-test"]').click();
  assert.match(await result(), /Connected to sbx-brevo-/);

  await browser.$('[data-testid="action-pause"]').click();
  await waitForState("paused");
  await browser.$('[data-testid="action-resume"]').click();
  await waitForState("active");

  // A test event goes through; a destination that answers 410 Gone fails it at once, and once
  // healed a retry by hand delivers it with the same id.
  const sendResult = (pattern) => until(browser, async () => {
    const el = browser.$('[data-testid="send-test-event-result"]');
    return (await el.isExisting()) && pattern.test(await el.getText());
  }, `no send result matching ${pattern}`);
  // A field mapping with a constant: saved, and the next test event is made with it.
  await browser.$('[data-testid="field-mapping-text"]').setValue('templateId = "7"');
  await browser.$('[data-testid="field-mapping-save"]').click();
  await until(browser, async () => {
    const el = browser.$('[data-testid="field-mapping-saved"]');
    return (await el.isExisting()) && /Mapping saved/.test(await el.getText());
  }, "the field mapping was not saved");
  await browser.$('[data-testid="send-test-event-submit"]').click();
  await sendResult(/1 delivered/);
  await browser.$('[data-testid="fault-status"]').selectByAttribute("value", "410");
  await browser.$('[data-testid="fault-apply"]').click();
  await browser.$('[data-testid="send-test-event-submit"]').click();
  await sendResult(/1 failed/);
  await waitForState("error");
  assert.match(await browser.$('[data-testid="health-summary"]').getText(), /% of \d+ attempts delivered/);

  // The triage view lists the stopped delivery with what to do, and the connection in error.
  const detailUrl = await browser.getUrl();
  await browser.execute(() => (window.location.hash = "#/triage"));
  const stopped = await until(browser, async () => {
    const items = await browser.$$('[data-testid="triage-delivery"]');
    return items.length > 0 && (await items[0].getText());
  }, "the stopped delivery is not in the triage queue");
  assert.match(stopped, /gone \(410\)/);
  assert.match(await browser.$('[data-testid="triage-connections"]').getText(), /Brevo/);
  await screenshot(browser, "11b-triage");
  await browser.url(detailUrl);
  await waitForState("error");
  await browser.$('[data-testid="fault-status"]').selectByAttribute("value", "");
  await browser.$('[data-testid="fault-apply"]').click();
  const failedRow = await until(browser, async () => {
    for (const row of await browser.$$('[data-testid="log-row"]')) {
      if (/failed/i.test(await row.getText())) return row;
    }
    return false;
  }, "the failed attempt is not in the log");
  await failedRow.click();
  await until(browser, async () => /stopped/.test(await browser.$('[data-testid="delivery-next"]').getText()), "the delivery detail does not say it stopped");
  await browser.$('[data-testid="attempt-retry"]').click();
  const retried = await until(browser, async () => {
    const el = browser.$('[data-testid="attempt-retry-result"]');
    return (await el.isExisting()) && (await el.getText());
  }, "the retry gave no result");
  if (!/Retried: delivered/.test(retried)) await screenshot(browser, "failed-retry");
  assert.match(retried, /Retried: delivered/);
  assert.match(await browser.$('[data-testid="delivery-status"]').getText(), /Delivered/);
  await screenshot(browser, "11a-delivery-retried");

  await browser.$('[data-testid="fault-offline"]').click();
  await browser.$('[data-testid="action-test"]').click();
  await resultMatching(/could not reach/i);
  await browser.$('[data-testid="fault-offline"]').click();

  await browser.$('[data-testid="fault-revoked"]').click();
  await browser.$('[data-testid="fault-apply"]').click();
  await browser.$('[data-testid="action-test"]').click();
  await waitForState("auth_revoked");
  assert.match(await result(), /refused the credential/);
  assert.match(await browser.$('[data-testid="state-history"]').getText(), /test call: the vendor refused/);
  await screenshot(browser, "11-connection-revoked");

  await browser.$('[data-testid="action-disconnect"]').click();
  await browser.$('[data-testid="action-disconnect-confirm"]').click();
  await until(browser, async () => (await browser.getUrl()).endsWith("#/connections"), "back to the list after disconnect");
});

test("an Administrator sets the allow-list, the retry schedule and the retention", async () => {
  await browser.execute(() => (window.location.hash = "#/settings"));
  await until(browser, async () => browser.$('[data-testid="allow-list"]').isExisting(), "settings view");
  const saved = (pattern) => until(browser, async () => {
    const el = browser.$('[data-testid="settings-saved"]');
    return (await el.isExisting()) && pattern.test(await el.getText());
  }, `no saved notice matching ${pattern}`);
  await browser.$('[data-testid="allow-list"]').setValue("hooks.internal.example, 10.0.0.7");
  await browser.$('[data-testid="allow-list-save"]').click();
  await saved(/Allow-list saved/);
  assert.equal(await browser.$('[data-testid="allow-list"]').getValue(), "hooks.internal.example\n10.0.0.7");
  assert.equal(await browser.$('[data-testid="retry-schedule"]').getValue(), "0, 5s, 5m, 30m, 2h, 5h, 10h, 10h");
  await browser.$('[data-testid="retention-days"]').setValue("30");
  await browser.$('[data-testid="retention-save"]').click();
  await saved(/Retention saved/);
  await browser.$('[data-testid="allow-list"]').setValue("https://x.example/path");
  await browser.$('[data-testid="allow-list-save"]').click();
  await until(browser, async () => {
    const el = browser.$('[data-testid="settings"] [role="alert"]');
    return (await el.isExisting()) && /not a host name/.test(await el.getText());
  }, "a URL in the allow-list was not refused with the reason");
  await screenshot(browser, "16-settings");
});

test("a malformed key is refused with the reason and nothing is stored", async () => {
  await browser.execute(() => (window.location.hash = "#/library/stripe"));
  await until(browser, async () => browser.$('input[name="api_key"]').isExisting(), "stripe form");
  await browser.$('input[name="api_key"]').setValue("sk_test_short");
  await browser.$('[data-testid="connect-submit"]').click();
  const notice = await until(browser, async () => {
    const el = browser.$('[data-testid="connect-form"] [role="alert"]');
    return (await el.isExisting()) && el;
  }, "no error shown");
  assert.equal(await notice.getAttribute("data-code"), "invalid_argument");
  assert.match(await notice.getText(), /does not look like a Stripe/);
  await screenshot(browser, "12-connect-refused");
  await browser.execute(() => (window.location.hash = "#/connections"));
  await until(browser, async () => (await browser.$$('[data-testid="connection-row"]')).length > 0, "connections");
  assert.doesNotMatch(await browser.$("body").getText(), /Stripe — live/);
});

test("connect through the vendor's consent page in the browser, refresh, disconnect", async () => {
  await browser.execute(() => (window.location.hash = "#/library/hubspot"));
  await until(browser, async () => browser.$('[data-testid="scope-picker"]').isExisting(), "oauth form");
  await screenshot(browser, "13-connect-oauth");
  await browser.$('[data-testid="connect-submit"]').click();
  // tests/e2e/fake-browser.py, as $BROWSER, allows access and returns to the app.
  await connected("oauth connect");
  await waitForState("active");
  const facts = await browser.$('[data-testid="connection-fields"]').getText();
  assert.match(facts, /OAuth/);
  assert.match(facts, /crm\.objects\.contacts\.read/);
  await browser.$('[data-testid="action-refresh"]').click();
  assert.match(await result(), /Refreshed: Connected to sbx-hubspot-/);

  // Edit scopes: give one back and ask the vendor again (the fake browser consents).
  await browser.$('[data-testid="edit-scopes"] input[value="crm.objects.deals.write"]').click();
  await browser.$('[data-testid="scopes-reauthorize"]').click();
  const reauthorized = await until(browser, async () => {
    const el = browser.$('[data-testid="scopes-result"]');
    if (await el.isExisting()) return el.getText();
    const alert = browser.$('[data-testid="edit-scopes"] [role="alert"]');
    return (await alert.isExisting()) && `error: ${await alert.getText()}`;
  }, "re-authorization never finished").catch(async (e) => {
    await screenshot(browser, "failed-reauthorize");
    throw e;
  });
  assert.doesNotMatch(reauthorized, /deals\.write/);
  assert.doesNotMatch(await browser.$('[data-testid="connection-fields"]').getText(), /deals\.write/);

  // A scope the vendor stops granting shows up as missing on the next test.
  await browser.$('[data-testid="fault-drop-oauth"]').click();
  await browser.$('[data-testid="fault-apply"]').click();
  await browser.$('[data-testid="action-test"]').click();
  await waitForState("error");
  await resultMatching(/Missing scopes: oauth/);
  await screenshot(browser, "14-oauth-connection");
  await browser.$('[data-testid="action-disconnect"]').click();
  await browser.$('[data-testid="action-disconnect-confirm"]').click();
  await until(browser, async () => (await browser.getUrl()).endsWith("#/connections"), "back to the list after disconnect");
});

test("a webhook's signing secret is shown once and the sandbox receiver checks it", async () => {
  await browser.execute(() => (window.location.hash = "#/library/webhook"));
  await until(browser, async () => browser.$('input[name="endpoint_url"]').isExisting(), "webhook form");
  await browser.$('input[name="endpoint_url"]').setValue("https://hooks.example.com/sgen");
  await browser.$('[data-testid="connect-submit"]').click();
  const secret = await until(browser, async () => {
    const el = browser.$('[data-testid="signing-secret-value"]');
    return (await el.isExisting()) && (await el.getText());
  }, "the secret was never shown");
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);

  // Not registered yet: the receiver refuses the signature and nothing is stored.
  await browser.$('[data-testid="signing-secret-finish"]').click();
  const refused = await until(browser, async () => {
    const el = browser.$('[data-testid="signing-secret"] [role="alert"]');
    return (await el.isExisting()) && (await el.getText());
  }, "no refusal shown");
  assert.match(refused, /refused/);
  await screenshot(browser, "13-signing-secret");

  await browser.$('[data-testid="signing-secret-register"]').click();
  await until(browser, async () => (await browser.$('[data-testid="signing-secret-register"]').getAttribute("aria-disabled")) === "true", "registration");
  await browser.$('[data-testid="signing-secret-finish"]').click();
  await until(browser, async () => browser.$('[data-testid="connection-detail"]').isExisting(), "detail after the test message");
  await waitForState("active");
  assert.ok(!(await browser.$("body").getText()).includes(secret.slice(6)), "the secret is shown again");
  await browser.$('[data-testid="action-test"]').click();
  assert.match(await result(), /Connected/);

  // Rotation: a new secret, shown once, while the old one keeps signing; then finished.
  await browser.$('[data-testid="rotate-secret-start"]').click();
  const rotated = await until(browser, async () => {
    const el = browser.$('[data-testid="rotate-secret-value"]');
    return (await el.isExisting()) && (await el.getText());
  }, "the new secret was never shown");
  assert.match(rotated, /^whsec_/);
  assert.notEqual(rotated, secret);
  assert.match(await browser.$('[data-testid="rotate-secret-overlap"]').getText(), /both signatures until/);
  await browser.$('[data-testid="rotate-secret-finish"]').click();
  await until(browser, async () => /Rotation finished/.test(await browser.$('[data-testid="rotate-secret-overlap"]').getText()), "rotation not finished");
  await screenshot(browser, "13b-secret-rotated");
});

test("a vendor that refuses loopback comes back through the app link to the running app", async () => {
  await browser.execute(() => (window.location.hash = "#/library/square"));
  await until(browser, async () => browser.$('[data-testid="scope-picker"]').isExisting(), "square form");
  await browser.$('[data-testid="connect-submit"]').click();
  // The fake browser consents; the vendor redirects to sgen-integrations://callback/square, which
  // starts a second app process that hands the link to this one and exits.
  await connected("app-link connect");
  await waitForState("active");
  assert.match(await browser.$('[data-testid="connection-fields"]').getText(), /sbx-square-/);
  await screenshot(browser, "15-app-link-connection");
});

test("connect through another authorization server: the oidc-provider package", async () => {
  // A real OAuth server written by others, on loopback; its sign-in and consent pages are
  // played by the fake browser.
  const script = fileURLToPath(new URL("../oauth/oidc-server.mjs", import.meta.url));
  const oidc = spawn("node", [script], { stdio: ["pipe", "pipe", "ignore"] });
  try {
    const first = await new Promise((resolve) => createInterface({ input: oidc.stdout }).once("line", resolve));
    const server = JSON.parse(first);
    await browser.execute(() => (window.location.hash = "#/library/salesforce"));
    await until(browser, async () => browser.$('[data-testid="scope-picker"]').isExisting(), "salesforce form");
    await browser.$('[data-testid="vendor-custom"]').click();
    await browser.$('input[name="api_address"]').setValue(server.issuer);
    await browser.$('input[name="oauth_authorize_url"]').setValue(server.authorize_url);
    await browser.$('input[name="oauth_token_url"]').setValue(server.token_url);
    await browser.$('input[name="oauth_revoke_url"]').setValue(server.revoke_url);
    await browser.$('input[name="oauth_issuer"]').setValue(server.issuer);
    await browser.$('input[name="oauth_client_id"]').setValue("sgen-desktop");
    await screenshot(browser, "16-connect-other-server");
    await browser.$('[data-testid="connect-submit"]').click();
    await connected("oidc-provider connect");
    await waitForState("active");
    assert.ok((await browser.$('[data-testid="connection-fields"]').getText()).includes(server.authorize_url));
    await browser.$('[data-testid="action-refresh"]').click();
    await resultMatching(/Refreshed: Connected/);
    await browser.$('[data-testid="action-disconnect"]').click();
    await browser.$('[data-testid="action-disconnect-confirm"]').click();
    await until(browser, async () => (await browser.getUrl()).endsWith("#/connections"), "back to the list after disconnect");
  } finally {
    oidc.stdin.end();
    oidc.kill();
  }
});
