#!/usr/bin/env bash
# Builds and runs SGEN Integrations Desktop. On first run (no data yet) it opens the demo site
# "Acme Outdoor" on the built-in sandbox data. Extra arguments go to the app (e.g. --data-dir DIR).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
install_apt_packages
install_ui_packages
build_ui
cd "$ROOT"
cargo build --release -p sgen-integrations --features tauri/custom-protocol
exec "$CARGO_TARGET_DIR/release/sgen-integrations" "$@"
