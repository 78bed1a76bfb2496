#!/usr/bin/env bash
# The end-to-end suite: the built desktop app in a real WebKitGTK window under Xvfb, driven by
# WebDriver (tauri-driver → WebKitWebDriver), on a throw-away data directory seeded with the
# demo site through the CLI. Screenshots of every view land in artifacts/e2e/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${CARGO_TARGET_DIR:?}"
export SGEN_APP="$CARGO_TARGET_DIR/debug/sgen-integrations"
export SGEN_E2E_DATA="$(mktemp -d)"
export SGEN_ARTIFACTS="$ROOT/artifacts/e2e"
# The app opens OAuth consent pages with xdg-open, which runs $BROWSER when no desktop is set.
export BROWSER="$ROOT/tests/e2e/fake-browser.py"
# What the OS does with an app link (sgen-integrations://…): start the app with it.
export SGEN_APP_LINK_OPENER="$SGEN_APP"
# The webview's own storage (local storage, caches) goes here rather than into the user's
# profile, so the canary check below can read it; the app logs at TRACE level.
export SGEN_E2E_HOME="$(mktemp -d)"
export XDG_DATA_HOME="$SGEN_E2E_HOME/data" XDG_CACHE_HOME="$SGEN_E2E_HOME/cache"
export SGEN_LOG=trace
mkdir -p "$SGEN_ARTIFACTS" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
trap 'rm -rf "$SGEN_E2E_DATA" "$SGEN_E2E_DATA.support" "$SGEN_E2E_HOME"' EXIT

"$CARGO_TARGET_DIR/debug/sgen-integrations-cli" --data-dir "$SGEN_E2E_DATA" demo seed --deliveries 30000 --json >/dev/null

# Canaries: the suite typed a Brevo key starting `xkeysib-ca11ab1e…`; the sandbox vendors' OAuth
# tokens start `sbx_at_` and `sbx_rt_`; webhook signing secrets start `whsec_`.
export SGEN_CANARIES="ca11ab1eca11ab1e|sbx_at_|sbx_rt_|whsec_"

# tauri-driver does not fail when its port is taken, so pick free ports for this run.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SGEN_DRIVER_PORT="$(free_port)"
NATIVE_PORT="$(free_port)"

xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  tauri-driver --port "$SGEN_DRIVER_PORT" --native-port "'"$NATIVE_PORT"'" >"$SGEN_ARTIFACTS/tauri-driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$SGEN_DRIVER_PORT) 2>/dev/null && break; sleep 0.1; done
  cd "'"$ROOT"'/ui" && node --test --test-concurrency=1 ../tests/e2e/
  status=$?
  kill $driver 2>/dev/null
  exit $status
'

# The canaries (see SGEN_CANARIES above) may exist only sealed: never in cleartext in the
# database, its WAL, the app's TRACE-level logs, what it printed, or the webview's storage; nor
# in a support workspace left beside the data (the support test checks the one it removes).
if grep -r -a -l -E "$SGEN_CANARIES" "$SGEN_E2E_DATA" "$SGEN_E2E_HOME" "$SGEN_ARTIFACTS/tauri-driver.log" \
  $([ -d "$SGEN_E2E_DATA.support" ] && echo "$SGEN_E2E_DATA.support"); then
  echo "a canary secret appears in cleartext in the files above" >&2
  exit 1
fi
ls "$SGEN_E2E_DATA"/logs/* >/dev/null  # the app did write logs, so the check above read them
grep -q -m1 " TRACE " "$SGEN_E2E_DATA"/logs/* # at TRACE level
ls -d "$XDG_DATA_HOME"/*/ >/dev/null    # and the webview kept its storage where it was read
