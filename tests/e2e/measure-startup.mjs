// Measures (not a test): the app's cold start to a rendered library view, and its memory with
// the demo site open, as PSS summed over the app and its WebKit child processes. Run through
// scripts/measure-startup.sh, which builds the release app and provides the driver and display.
import { readFileSync, readdirSync } from "node:fs";
import { openApp } from "./webdriver.mjs";

const RUNS = Number(process.env.SGEN_RUNS ?? 5);

function children(pid) {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ")[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function pssKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  return Number(/^Pss:\s+(\d+)/m.exec(rollup)[1]);
}

function appPid() {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .find((entry) => {
      try {
        return readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "sgen-integratio";
      } catch {
        return false;
      }
    });
}

const starts = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const browser = await openApp();
  await browser.$('[data-testid="connector-card"]').waitForExist({ timeout: 30000 });
  starts.push(performance.now() - started);
  if (run === RUNS - 1) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const pid = Number(appPid());
    const all = [pid, ...children(pid), ...children(pid).flatMap(children)];
    const parts = all.map((p) => `${readFileSync(`/proc/${p}/comm`, "utf8").trim()} ${(pssKiB(p) / 1024).toFixed(0)}`);
    const total = all.reduce((sum, p) => sum + pssKiB(p), 0);
    console.log(`memory after 5 s idle on the library view: ${(total / 1024).toFixed(0)} MiB PSS (${parts.join(", ")} MiB; target ≤ 300 MiB)`);
  }
  await browser.deleteSession();
}
starts.sort((a, b) => a - b);
console.log(`cold start to rendered library view over ${RUNS} runs: median ${starts[Math.floor(RUNS / 2)].toFixed(0)} ms, worst ${starts.at(-1).toFixed(0)} ms (target ≤ 1000 ms; includes WebDriver session set-up)`);
