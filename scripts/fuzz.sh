#!/usr/bin/env bash
# The property tests that feed parsers arbitrary input (`fuzz_*`: page cursors, field-mapping
# paths and mappings, manifests, app links, the CLI's time bounds, and every IPC command's
# arguments through the mock runtime), 100,000 inputs each instead of the 256 a normal test
# run gives them. Prints each target's time; fails on the first panic, with the smallest input
# that causes it. The IPC target runs in the debug build the tests use (a release build of the
# shell would rebuild Tauri for it).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT/src-tauri"
export PROPTEST_CASES="${PROPTEST_CASES:-100000}"
show() { grep -E '^test .*fuzz_|test result: .* [1-9][0-9]* passed|panicked|minimal failing'; }
cargo test --release -p sgen-core -p sgen-catalog -p sgen-integrations-cli fuzz_ -- --nocapture --test-threads 2 2>&1 | show
cargo test -p sgen-integrations --test ipc fuzz_ -- --nocapture 2>&1 | show
