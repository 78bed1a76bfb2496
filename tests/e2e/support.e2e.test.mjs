// Support through the real window: the demo site exported as a support bundle from the site
// menu, and opened from the same menu, chosen in the system's (GTK's) file dialog: the bundle
// becomes a support workspace beside the data directory and the app starts on it in a second
// process. There the banner says whose copy it
// is, and a failed Brevo delivery replays offline, then with a changed mapping, then against a
// server on this computer standing in for Brevo.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { openApp, screenshot, until } from "./webdriver.mjs";

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers the system's file dialog titled `title` with `path`, as a person typing it would:
 *  in GTK's file chooser, typing a "/" opens its location field. */
async function answerFileDialog(title, path) {
  let dialog;
  for (let i = 0; i < 100 && !dialog; i++) {
    try {
      dialog = execFileSync("xdotool", ["search", "--onlyvisible", "--name", `^${title}$`], { encoding: "utf8" }).trim().split("\n")[0];
    } catch {
      await pause(100);
    }
  }
  assert.ok(dialog, `no "${title}" dialog on the display`);
  execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
  await pause(300);
  // The first "/" opens the field (and may be all it takes in); then the whole path replaces it.
  execFileSync("xdotool", ["type", "/"]);
  await pause(500);
  execFileSync("xdotool", ["key", "ctrl+a"]);
  execFileSync("xdotool", ["type", "--delay", "20", path]);
  await pause(300);
  execFileSync("xdotool", ["key", "Return"]);
}

/** The files under `dir` holding one of the suite's canary secrets in cleartext. */
function canariesIn(dir) {
  const canary = new RegExp(process.env.SGEN_CANARIES);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => canary.test(readFileSync(file, "latin1")));
}

/** The app processes running on `dataDir` (not WebDriver's: started by the app itself). */
function appsOn(dataDir) {
  try {
    return execFileSync("pgrep", ["-f", "--", `sgen-integrations --data-dir ${dataDir}$`], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

test("a site exported from the site menu opens from it as a support workspace in a second app, where a failed delivery replays offline", async () => {
  let browser = await openApp();
  let bundle;
  let workspace;
  try {
    await until(browser, async () => (await browser.$$('[data-testid="connector-card"]')).length > 0, "library never rendered");
    await browser.$('[data-testid="site-menu-open"]').click();
    await until(browser, async () => browser.$('[data-testid="support-bundle-export"]').isExisting(), "no support bundle in the site menu");
    await browser.execute(() => [...document.querySelectorAll('[data-testid="support-bundle"] button')].find((b) => b.textContent === "All history").click());
    await browser.$('[data-testid="support-bundle-export"]').click();
    const done = await until(browser, async () => {
      const found = await browser.$$('[data-testid="support-bundle-done"]');
      return found.length > 0 && found[0];
    }, "the export never finished");
    bundle = await done.$("code").getText();
    assert.ok(existsSync(bundle), `${bundle} is not there`);
    await screenshot(browser, "39-support-bundle-exported");

    // Opened from the same menu, the bundle chosen in the system's file dialog.
    await browser.$('[data-testid="open-bundle-choose"]').click();
    await answerFileDialog("Open support bundle", bundle);
    const opened = await until(browser, async () => {
      const found = await browser.$$('[data-testid="open-bundle-done"]');
      return found.length > 0 && found[0];
    }, "the bundle never opened");
    assert.match(await opened.getText(), /Opened a copy of Acme Outdoor .* in a new window/);
    workspace = await opened.$("code").getText();
    assert.ok(workspace.startsWith(`${process.env.SGEN_E2E_DATA}.support/`), workspace);
    assert.ok(existsSync(join(workspace, "support-workspace.json")), `${workspace} is no support workspace`);
    // The second app, started by the first on the workspace: its window is on the display.
    await until(browser, async () => appsOn(workspace).length === 1, "no second app on the workspace");
    await new Promise((painted) => setTimeout(painted, 4000));
    await screenshot(browser, "40-support-workspace-opened-in-a-second-app");
  } finally {
    await browser.deleteSession();
    // WebDriver stops the app it started, not the one that app started.
    for (const pid of workspace ? appsOn(workspace) : []) process.kill(pid);
  }
  for (let i = 0; i < 50 && appsOn(workspace).length > 0; i++) await new Promise((gone) => setTimeout(gone, 100));

  // The same workspace again, under WebDriver this time, to drive it.
  browser = await openApp(workspace);
  try {
    const banner = await until(browser, async () => {
      const found = await browser.$$('[data-testid="support-banner"]');
      return found.length > 0 && found[0];
    }, "no support workspace banner");
    assert.match(await banner.getText(), /Support workspace — a copy of Acme Outdoor/);
    await screenshot(browser, "41-support-workspace");

    await browser.execute(() => (window.location.hash = "#/deliveries"));
    await until(browser, async () => (await browser.$$('[data-testid="log-row"]')).length > 0, "no delivery log");
    await browser.$('[data-testid="log-outcome"]').selectByAttribute("value", "failed");
    await browser.$('[data-testid="log-search"]').setValue("password.reset");
    // The rows of before the search stay until its answer comes: wait for the answer's (a
    // password reset is sent by the site's notifications module).
    await until(browser, async () => {
      const rows = await browser.$$('[data-testid="log-row"]');
      return rows.length > 0 && /notifications\s*Failed/.test(await rows[0].getText());
    }, "no failed Brevo delivery");
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
    await screenshot(browser, "42-replay-offline");

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
    await screenshot(browser, "43-replay-with-a-changed-mapping");

    // "Would it have gone through to a server that answers?" A stand-in for Brevo on loopback.
    const received = [];
    const standIn = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ url: req.url, body });
        res.writeHead(201, { "content-type": "application/json" }).end('{"messageId":"<stand-in@local>"}');
      });
    });
    await new Promise((listening) => standIn.listen(0, "127.0.0.1", listening));
    try {
      await browser.$('[data-testid="replay-address"]').setValue(`http://127.0.0.1:${standIn.address().port}/v3`);
      await browser.$('[data-testid="replay-with-changes"]').click();
      const verdict = await until(browser, async () => {
        const text = await browser.$('[data-testid="replay-verdict"]').getText();
        return /Delivered now/.test(text) && text;
      }, "the stand-in's answer did not change the outcome").catch(async (e) => {
        const notices = await browser.execute(() => [...document.querySelectorAll('[role="alert"]')].map((n) => n.textContent));
        throw new Error(`${e.message}: ${await browser.$('[data-testid="replay-verdict"]').getText()} ${notices.join(" | ")}`);
      });
      assert.match(verdict, /Different outcome: Failed then, Delivered now, from attempt 1/);
      assert.equal(received.length, 1);
      // The connector's path past Brevo's own base (`https://api.brevo.com/v3`), under the stand-in's.
      assert.match(received[0].url, /^\/v3\/[a-z]/);
      assert.ok((await browser.$('[data-testid="replay-request"]').getText()).includes(`127.0.0.1:${standIn.address().port}${received[0].url}`));
      assert.match(received[0].body, /"templateId":"7"/);
      await browser.$('[data-testid="replay-timelines"]').scrollIntoView({ block: "end" });
      await screenshot(browser, "44-replay-against-a-stand-in-address");
    } finally {
      standIn.close();
    }
  } finally {
    await browser.deleteSession();
  }

  // Back in the operator's own window: the workspace is kept, opens again, and is removed.
  browser = await openApp();
  try {
    await browser.$('[data-testid="site-menu-open"]').click();
    const kept = await until(browser, async () => {
      const found = await browser.$$('[data-testid="kept-workspace"]');
      return found.length === 1 && found[0];
    }, "the workspace is not listed");
    assert.match(await kept.getText(), /Acme Outdoor/);
    await kept.$('[data-testid="kept-reopen"]').click();
    await until(browser, async () => appsOn(workspace).length === 1, "the workspace did not open again");
    for (const pid of appsOn(workspace)) process.kill(pid);
    for (let i = 0; i < 50 && appsOn(workspace).length > 0; i++) await pause(100);
    // A copy of a site where a key was typed and tokens were issued: none of them in it.
    assert.deepEqual(canariesIn(workspace), []);
    await kept.$('[data-testid="kept-remove"]').click();
    await kept.$('[data-testid="kept-remove-confirm"]').click();
    await until(browser, async () => (await browser.$$('[data-testid="kept-workspace"]')).length === 0, "the workspace was not removed");
    assert.ok(!existsSync(workspace), `${workspace} is still there`);
  } finally {
    await browser.deleteSession();
    for (const pid of appsOn(workspace)) process.kill(pid);
  }
});
