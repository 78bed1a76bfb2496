#!/usr/bin/env bash
# Runs a command with a D-Bus session of its own and an unlocked gnome-keyring serving the
# Secret Service, with every piece of state in a scratch directory (nothing lands in $HOME).
# Usage: scripts/with-keyring.sh COMMAND [ARG...]
set -euo pipefail
scratch="$(mktemp -d)"
# WebKit may start xdg-desktop-portal on this bus, which mounts a FUSE file system under the
# runtime directory: unmount it before removing the scratch directory. Cleanup never changes
# the command's exit status.
cleanup() {
  fusermount -u "$scratch/runtime/doc" 2>/dev/null || umount -l "$scratch/runtime/doc" 2>/dev/null || true
  rm -rf "$scratch" 2>/dev/null || true
}
trap cleanup EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config"
export XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- bash -c '
  set -euo pipefail
  # The password has no trailing newline: it creates and unlocks the login keyring.
  eval "$(printf "%s" "sgen-test-keyring" \
    | gnome-keyring-daemon --unlock --components=secrets | sed "s/^/export /")"
  for _ in $(seq 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
      | grep -q "boolean true" && break
    sleep 0.1
  done
  "$@"
' with-keyring "$@"
