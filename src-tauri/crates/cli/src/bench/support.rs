//! `sgen-bench-support`: issue 16's targets on this 2-core machine.
//!
//! A demo site of ATTEMPTS delivery attempts (100,000 by default), then:
//! * the export of its support bundle, in process — target ≤ 5 s for 100,000 attempts;
//! * the bundle opened into a new support workspace, and a failed Brevo delivery replayed
//!   offline against its recorded answers, in process;
//! * the whole path as a user runs it — `bundle export`, `bundle import` into another data
//!   directory, `bundle replay` — as three processes — target < 60 s.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-support -- [ATTEMPTS]

mod site;
mod stats;

use sgen_core::demo::DemoOptions;
use sgen_core::support::bundle_export::BundleRequest;
use sgen_core::support::bundle_import::import_support_bundle;
use sgen_core::{Access, Core, CoreConfig, SystemClock};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let attempts: u64 = std::env::args()
        .nth(1)
        .map(|v| v.parse().expect("a number of attempts"))
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let site_dir = dir.path().join("site");
    let core = Core::open(CoreConfig {
        credential_store: Some(keyring_core::mock::Store::new().expect("mock store")),
        clock: Arc::new(SystemClock),
        ..CoreConfig::new(&site_dir, Access::ReadWrite)
    })
    .expect("open");
    let started = Instant::now();
    let options = DemoOptions {
        delivery_attempts: attempts,
        ..DemoOptions::default()
    };
    let site = core.seed_demo(&options, |_, _| {}).expect("seed").site_id;
    println!(
        "demo site of {attempts} attempts seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let bundle = dir.path().join("bundle.zip");
    let request = BundleRequest {
        site_id: site.clone(),
        since: None,
        connections: None,
    };
    let mut updates = 0;
    let exported = core
        .export_support_bundle(&request, &bundle, &mut |_| updates += 1)
        .expect("export");
    let rows: u64 = exported.manifest.entries.iter().map(|e| e.rows).sum();
    let attempt_rows = exported
        .manifest
        .entries
        .iter()
        .find(|e| e.name.ends_with("delivery_attempts.jsonl"))
        .map_or(0, |e| e.rows);
    println!(
        "export: {:.2} s for {rows} rows ({attempt_rows} attempts), {:.1} MiB on disk, {updates} progress updates (target ≤ 5 s for 100,000 attempts)",
        exported.took_ms as f64 / 1000.0,
        exported.bytes as f64 / (1 << 20) as f64
    );
    drop(core);

    let workspace = dir.path().join("workspace");
    let imported = import_support_bundle(&bundle, &workspace, 0, &mut |_| {}).expect("import");
    println!(
        "import: {:.2} s for {} rows",
        imported.took_ms as f64 / 1000.0,
        imported.rows
    );
    let copy = Core::open(CoreConfig {
        credential_store: Some(keyring_core::mock::Store::new().expect("mock store")),
        ..CoreConfig::new(&workspace, Access::ReadWrite)
    })
    .expect("open the workspace");
    let delivery = failed_brevo_delivery(&workspace);
    let started = Instant::now();
    let replay = copy
        .replay_delivery(&delivery, &Default::default())
        .expect("replay");
    println!(
        "replay: {:.2} s for {} attempts spanning {:.1} h of schedule ({} then, {} now)",
        started.elapsed().as_secs_f64(),
        replay.replayed.len(),
        replay.replayed.last().map_or(0, |s| s.at_ms) as f64 / 3.6e6,
        replay.original_outcome,
        replay.replayed_outcome
    );
    drop(copy);

    // The whole path as three processes, as support staff run it.
    let Some(cli) = stats::cli_beside() else {
        return;
    };
    let second = dir.path().join("second.zip");
    let other = dir.path().join("other-machine");
    let run = |data_dir: &Path, args: &[&str]| stats::run_cli(&cli, data_dir, args);
    let started = Instant::now();
    run(
        &site_dir,
        &[
            "bundle",
            "export",
            "--site",
            &site,
            "--out",
            second.to_str().expect("path"),
            "--json",
        ],
    );
    let exported_at = started.elapsed();
    run(
        &other,
        &["bundle", "import", second.to_str().expect("path"), "--json"],
    );
    let imported_at = started.elapsed();
    run(
        &other,
        &[
            "bundle",
            "replay",
            other.to_str().expect("path"),
            "--delivery",
            &delivery,
            "--json",
        ],
    );
    let total = started.elapsed();
    println!(
        "whole path, three processes: {:.2} s (export {:.2} s, import {:.2} s, replay {:.2} s; target < 60 s)",
        total.as_secs_f64(),
        exported_at.as_secs_f64(),
        (imported_at - exported_at).as_secs_f64(),
        (total - imported_at).as_secs_f64()
    );
}

/// A Brevo delivery that failed after retries, as support would pick it from the log.
fn failed_brevo_delivery(workspace: &Path) -> String {
    rusqlite::Connection::open(workspace.join(sgen_core::DATABASE_FILE))
        .expect("the workspace's database")
        .query_row(
            "SELECT a.delivery_id FROM delivery_attempts a JOIN connections c ON c.id = a.connection_id
             WHERE c.connector_type = 'brevo' AND a.outcome = 'failed' AND a.attempt_number >= 3
             ORDER BY a.id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("a failed Brevo delivery")
}
