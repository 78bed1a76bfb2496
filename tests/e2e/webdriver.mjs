// Shared set-up for the real-window tests: a WebDriver session on the built app, and evidence
// screenshots of the whole X display (WebKitWebDriver's own are stale under Xvfb).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// The test packages are installed with the UI's; resolve them from there.
const requireFromUi = createRequire(new URL("../../ui/package.json", import.meta.url));
const { remote } = await import(pathToFileURL(requireFromUi.resolve("webdriverio")).href);

export async function openApp() {
  return remote({
    hostname: "127.0.0.1",
    port: Number(process.env.SGEN_DRIVER_PORT),
    logLevel: "warn",
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: process.env.SGEN_APP, args: ["--data-dir", process.env.SGEN_E2E_DATA] },
    },
  });
}

export async function screenshot(name) {
  // Give X a moment to show what the DOM already has.
  await new Promise((resolve) => setTimeout(resolve, 400));
  execFileSync("import", ["-window", "root", `${process.env.SGEN_ARTIFACTS}/${name}.png`]);
}

/** Waits until `probe` returns a truthy value, and returns it. */
export async function until(browser, probe, message) {
  let value;
  await browser.waitUntil(async () => (value = await probe()), { timeout: 15000, interval: 100, timeoutMsg: message });
  return value;
}
