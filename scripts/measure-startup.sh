#!/usr/bin/env bash
# Cold start and memory of the release app on the demo site (issue 2's figures). Builds the
# release app, seeds a throw-away data directory, and drives the window through WebDriver.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
install_apt_packages
install_ui_packages
install_tauri_driver
build_ui
cd "$ROOT"
cargo build --release -p sgen-integrations --features tauri/custom-protocol
cargo build --release -p sgen-integrations-cli --bin sgen-integrations-cli
export SGEN_APP="$CARGO_TARGET_DIR/release/sgen-integrations"
export SGEN_E2E_DATA="$(mktemp -d)"
trap 'rm -rf "$SGEN_E2E_DATA"' EXIT
"$CARGO_TARGET_DIR/release/sgen-integrations-cli" --data-dir "$SGEN_E2E_DATA" demo seed --json >/dev/null
export SGEN_DRIVER_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  tauri-driver --port "$SGEN_DRIVER_PORT" --native-port "$((SGEN_DRIVER_PORT + 1))" >/dev/null 2>&1 &
  driver=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$SGEN_DRIVER_PORT) 2>/dev/null && break; sleep 0.1; done
  cd "'"$ROOT"'/ui" && node ../tests/e2e/measure-startup.mjs
  status=$?
  kill $driver 2>/dev/null
  exit $status
'
