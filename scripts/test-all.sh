#!/usr/bin/env bash
# Every test: formatting, lints, Rust unit/integration/IPC tests, binding drift, UI unit and
# browser tests, and the end-to-end suite through the real window. Installs what it needs.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
step() { printf '\n=== %s ===\n' "$*"; }

step "install"
prune_build_cache
install_apt_packages
install_ui_packages
install_tauri_driver
install_localstripe

step "format and lints"
cargo fmt --all --check
build_ui
cargo clippy --workspace --all-targets --locked -- -D warnings
(cd ui && npx tsc --noEmit && npx eslint . --max-warnings 0)

step "rust tests (in a D-Bus session with gnome-keyring, so the vault meets the real Secret Service)"
cargo build --workspace --all-targets --locked
# Tests that need the Secret Service are #[ignore]d for a plain `cargo test` (so a developer's
# own keyring is never touched); here they run too.
scripts/with-keyring.sh cargo test --workspace --locked -- --include-ignored

step "generated TypeScript bindings are committed"
if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --porcelain -- ui/src/bindings
  echo "ui/src/bindings differs from the Rust types: run cargo test and commit the result" >&2
  exit 1
fi

step "ui unit tests"
(cd ui && npx vitest run)

step "ui browser tests (headless chromium, IPC mocked)"
build_ui
(cd ui && node --test tests/browser/)

step "end-to-end through the real window"
# The app keeps site data keys in the Secret Service, so the window runs beside one too.
scripts/with-keyring.sh bash tests/e2e/run.sh
