#!/usr/bin/env bash
# The long runs of what a test run does briefly. First the property tests that feed parsers
# arbitrary input (`fuzz_*`: page cursors, field-mapping paths and mappings, manifests, app
# links, inbound verification, the stored retry schedule, the CLI's time bounds, the support-
# bundle reader, and every
# IPC command's arguments through the mock runtime), 100,000 inputs each instead of the 256 a
# normal test run gives them. Prints each target's time; fails on the first panic, with the
# smallest input that causes it. The IPC target runs in the debug build the tests use (a
# release build of the shell would rebuild Tauri for it).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT/src-tauri"
export PROPTEST_CASES="${PROPTEST_CASES:-100000}"
show() { grep -E '^test .*fuzz_|test result: .* [1-9][0-9]* passed|panicked|minimal failing'; }
cargo test --release -p sgen-core -p sgen-catalog -p sgen-integrations-cli fuzz_ -- --nocapture --test-threads 2 2>&1 | show
cargo test -p sgen-integrations --test ipc fuzz_ -- --nocapture 2>&1 | show
# The kill -9 tests at 100 kills each (20 in a test run): mid-refresh and mid-delivery (the
# Secret Service is needed, both processes open the site key), during a first migration, and
# while the inbound listener takes a stream of events.
export SGEN_CRASH_KILLS=100 SGEN_MIGRATION_KILLS=100 SGEN_INBOUND_KILLS=100 SGEN_AUTOMATION_KILLS=100
"$ROOT/scripts/with-keyring.sh" cargo test -p sgen-core --test core crash:: -- --include-ignored --nocapture 2>&1 |
  grep -E '^test |test result|panicked'
cargo test -p sgen-integrations-cli --test cli migration_kills -- --nocapture 2>&1 |
  grep -E '^test |test result|panicked|schema versions'
"$ROOT/scripts/with-keyring.sh" cargo test -p sgen-integrations-cli --test cli inbound_kills -- --include-ignored --nocapture 2>&1 |
  grep -E '^test |test result|panicked|kills:'
