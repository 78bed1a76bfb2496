// Shared set-up for the real-window tests: a WebDriver session on the built app, and evidence
// screenshots of the whole X display (WebKitWebDriver's own are stale under Xvfb).
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// The test packages are installed with the UI's; resolve them from there.
const requireFromUi = createRequire(new URL("../../ui/package.json", import.meta.url));
const { remote } = await import(pathToFileURL(requireFromUi.resolve("webdriverio")).href);

/** A session on the app, on the suite's data directory or on `dataDir`. */
export async function openApp(dataDir = process.env.SGEN_E2E_DATA) {
  return remote({
    hostname: "127.0.0.1",
    port: Number(process.env.SGEN_DRIVER_PORT),
    logLevel: "warn",
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: process.env.SGEN_APP, args: ["--data-dir", dataDir] },
    },
  });
}

/** Evidence of what the window shows now. The DOM can be ahead of the pixels (the first view
 * painted nothing yet), so the page paints two frames first, then X is given a moment. */
export async function screenshot(browser, name) {
  await browser.execute(() => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(() => painted(true)))));
  await new Promise((resolve) => setTimeout(resolve, 400));
  const file = `${process.env.SGEN_ARTIFACTS}/${name}.png`;
  execFileSync("import", ["-window", "root", file]);
  // An empty window compresses to under 20 kB; the lightest view here is over 60 kB.
  const { size } = statSync(file);
  if (size < 30_000) throw new Error(`${name}.png (${size} bytes) shows an empty window: the view had not painted`);
}

/** Waits until `probe` returns a truthy value, and returns it. */
export async function until(browser, probe, message) {
  let value;
  await browser.waitUntil(async () => (value = await probe()), { timeout: 15000, interval: 100, timeoutMsg: message });
  return value;
}
