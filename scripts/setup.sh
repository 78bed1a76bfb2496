#!/usr/bin/env bash
# Installs what building, running and testing need, and nothing that is already there.
# Sourced by run-app.sh and test-all.sh; idempotent on a fresh Debian 12 machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SGEN_CACHE:-$HOME/.cache/sgen}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="$CACHE/tools/bin:$PATH"

# desktop-file-utils: update-desktop-database, which registers the app-link handler. xdotool:
# the E2E tests answer the system's file dialog with it, as a person's keyboard would.
APT_PACKAGES=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libsoup-3.0-dev
  webkit2gtk-driver xvfb xauth x11-utils imagemagick dbus dbus-x11 gnome-keyring xdg-utils chromium sqlite3
  python3-venv desktop-file-utils xdotool)

install_apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_ui_packages() {
  # npm ci is skipped when node_modules already matches the lock file.
  if ! cmp -s "$ROOT/ui/package-lock.json" "$ROOT/ui/node_modules/.package-lock.json" 2>/dev/null; then
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    cargo install tauri-driver --locked --version 2.1.0 --root "$CACHE/tools"
  fi
}

# localstripe (PyPI), a fake Stripe server by others, for the Stripe connector's tests; in a
# virtualenv of its own, pinned, found by the tests through SGEN_LOCALSTRIPE.
LOCALSTRIPE_VERSION=1.15.10
export SGEN_LOCALSTRIPE="$CACHE/localstripe-$LOCALSTRIPE_VERSION/bin/localstripe"
install_localstripe() {
  if [ ! -x "$SGEN_LOCALSTRIPE" ]; then
    python3 -m venv "$CACHE/localstripe-$LOCALSTRIPE_VERSION"
    "$CACHE/localstripe-$LOCALSTRIPE_VERSION/bin/pip" install -q "localstripe==$LOCALSTRIPE_VERSION"
  fi
}

build_ui() {
  (cd "$ROOT/ui" && npm run --silent build >/dev/null)
}

# The shared target directory keeps every test binary ever built (about 150 MB each) and
# grew to fill the disk (51 GB). What no build has touched for two days is stale: cargo builds
# it again if it is ever needed.
prune_build_cache() {
  local debug="$CARGO_TARGET_DIR/debug"
  [ -d "$debug/deps" ] || return 0
  find "$debug/deps" -maxdepth 1 -type f -executable ! -name '*.*' -mtime +1 -delete
  [ -d "$debug/incremental" ] && find "$debug/incremental" -mindepth 1 -maxdepth 1 -mtime +1 -exec rm -rf {} +
  return 0
}
