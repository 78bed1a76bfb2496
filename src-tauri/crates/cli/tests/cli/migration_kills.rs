//! kill -9 while a first start migrates a new data directory (and seeds the demo): the file is
//! left at a whole schema version (each migration commits with its version bump, or not at
//! all), and the next start completes the rest. `SGEN_MIGRATION_KILLS` rounds (20 in a test run; the long run in
//! `scripts/fuzz.sh` does 100), each killing a fresh start after a different delay.

use sgen_store::{Connection, LATEST_SCHEMA_VERSION};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A table each migration adds, by the version it brings: what must exist at that version and
/// must not before it.
const ADDED_BY: [(i64, &str); 3] = [
    (1, "connections"),
    (4, "outbox"),
    (7, "pending_revocations"),
];

fn version_and_tables(db: &std::path::Path) -> (i64, Vec<String>) {
    let conn = Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let tables = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (version, tables)
}

const FIRST_START: [&str; 6] = [
    "demo",
    "seed",
    "--deliveries",
    "0",
    "--no-credentials",
    "--json",
];

#[test]
fn a_kill_during_the_first_migration_leaves_a_whole_version_and_the_next_start_finishes() {
    let rounds: u64 = std::env::var("SGEN_MIGRATION_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let mut versions_left = std::collections::BTreeMap::new();
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let mut start = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(FIRST_START)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the process's first 40 ms: before, during and after migrating.
        std::thread::sleep(Duration::from_micros(round * 7_919 % 40_000));
        start.kill().unwrap();
        start.wait().unwrap();

        let db = dir.path().join("sgen.sqlite3");
        if db.exists() {
            let (version, tables) = version_and_tables(&db);
            assert!((0..=LATEST_SCHEMA_VERSION).contains(&version), "{version}");
            for (since, table) in ADDED_BY {
                assert_eq!(
                    tables.iter().any(|t| t == table),
                    version >= since,
                    "round {round}: version {version} and table {table}"
                );
            }
            *versions_left.entry(version).or_insert(0) += 1;
        }
        // The next start migrates what is left, then seeds the demo unless the killed one
        // had committed it; either way the data directory then opens for queries.
        let next = super::cli(dir.path(), &FIRST_START);
        let said = String::from_utf8_lossy(&next.stderr);
        assert!(
            next.status.success() || said.contains("already has a site"),
            "round {round}: {said}"
        );
        let sites = super::cli(dir.path(), &["sites", "list", "--json"]);
        assert!(sites.status.success(), "round {round}");
        assert_eq!(
            version_and_tables(&db).0,
            LATEST_SCHEMA_VERSION,
            "round {round}"
        );
    }
    eprintln!("schema versions the kills left (version: rounds): {versions_left:?}");
}
