//! `bundle export|import|replay` and `health` as support staff run them: a demo site exported,
//! opened into a workspace, a failed delivery replayed inside a network namespace whose only
//! interface is loopback (so no socket can leave this computer), and the health check's exit
//! code.

use super::cli;
use std::process::{Command, Output};

fn ok(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The CLI inside a new network namespace with only `lo` up, when this machine allows one.
fn offline(args: &[&str]) -> Option<Output> {
    let probe = Command::new("unshare")
        .args(["-n", "sh", "-c", "ip link set lo up"])
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    Some(
        Command::new("unshare")
            .args(["-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
            .arg(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
            .args(args)
            .output()
            .unwrap(),
    )
}

#[test]
fn a_site_is_exported_opened_and_its_failure_replayed_offline() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = ok(&cli(
        dir.path(),
        &["demo", "seed", "--deliveries", "6000", "--json"],
    ));
    let site = seeded["site_id"].as_str().unwrap();
    let bundle = dir.path().join("acme.zip");
    let bundle_arg = bundle.to_str().unwrap();
    let exported = ok(&cli(
        dir.path(),
        &[
            "bundle", "export", "--site", site, "--out", bundle_arg, "--json",
        ],
    ));
    assert_eq!(exported["manifest"]["site"]["name"], "Acme Outdoor");
    // The file is there once, and a second export does not overwrite it.
    let again = cli(
        dir.path(),
        &["bundle", "export", "--site", site, "--out", bundle_arg],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let workspace = dir.path().join("workspace");
    let imported = ok(&cli(
        &workspace,
        &["bundle", "import", bundle_arg, "--json"],
    ));
    assert_eq!(imported["workspace"]["site_name"], "Acme Outdoor");
    // Every view reads it: the delivery log, by the same query as on the original.
    let query = [
        "deliveries",
        "query",
        "--site",
        site,
        "--outcome",
        "failed",
        "--limit",
        "5",
        "--json",
    ];
    // (The cursors differ: each data directory signs its own.)
    assert_eq!(
        ok(&cli(&workspace, &query))["rows"],
        ok(&cli(dir.path(), &query))["rows"]
    );
    // It refuses changes.
    let connection: String = rusqlite::Connection::open(workspace.join("sgen.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT id FROM connections WHERE connector_type = 'brevo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let paused = cli(&workspace, &["connections", "pause", &connection]);
    assert!(!paused.status.success());
    assert!(String::from_utf8_lossy(&paused.stderr).contains("[support_workspace]"));

    let delivery: String = rusqlite::Connection::open(workspace.join("sgen.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT delivery_id FROM delivery_attempts WHERE connection_id = ?1 AND outcome = 'failed'
             AND attempt_number >= 2 ORDER BY id LIMIT 1",
            [&connection],
            |r| r.get(0),
        )
        .unwrap();
    let replay_args = [
        "bundle",
        "replay",
        bundle_arg,
        "--delivery",
        &delivery,
        "--json",
    ];
    let replayed = match offline(&replay_args) {
        Some(output) => ok(&output),
        None => {
            eprintln!("no network namespace here: replaying with the network present");
            ok(&cli(dir.path(), &replay_args))
        }
    };
    assert_eq!(replayed["connector_type"], "brevo");
    assert!(replayed["original"].as_array().unwrap().len() >= 2);
    assert_eq!(
        replayed["vendor_requests"],
        replayed["replayed"].as_array().unwrap().len()
    );
    // With changes, from the workspace's directory: a schedule of two attempts parts at the second.
    let replay_with = |changes: &[&str]| {
        let mut args = vec![
            "bundle",
            "replay",
            workspace.to_str().unwrap(),
            "--delivery",
            &delivery,
        ];
        args.extend_from_slice(changes);
        cli(dir.path(), &args)
    };
    let short = ok(&replay_with(&["--retry-schedule", "0,5", "--json"]));
    assert_eq!(short["replayed"].as_array().unwrap().len(), 2);
    assert_eq!(short["diverges_at"], 2);
    // An API address off this computer is refused, saying why, before anything is sent.
    let elsewhere = replay_with(&["--api-base", "https://api.brevo.com/v3"]);
    assert!(!elsewhere.status.success());
    let said = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(
        said.starts_with("error [invalid_argument]: a replay stays on this computer"),
        "{said}"
    );
    // The table for people.
    let table = cli(
        dir.path(),
        &["bundle", "replay", bundle_arg, "--delivery", &delivery],
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("attempt\toriginal") && text.contains("outcome"),
        "{text}"
    );

    // Health: the demo has connections in error and dead letters — unhealthy, said so.
    let health = cli(&workspace, &["health", "--json"]);
    assert!(!health.status.success());
    let report: serde_json::Value = serde_json::from_slice(&health.stdout).unwrap();
    assert_eq!(report["healthy"], false);
    assert_eq!(report["keyring"], "not used (support workspace)");
    assert_eq!(report["integrity"], "ok");
    assert!(String::from_utf8_lossy(&health.stderr).starts_with("error [unhealthy]: "));
}

#[test]
fn health_is_zero_for_a_healthy_data_directory_and_names_a_damaged_one() {
    let dir = tempfile::tempdir().unwrap();
    ok(&cli(
        dir.path(),
        &[
            "sites",
            "create",
            "--name",
            "Shop",
            "--domain",
            "shop.example",
            "--json",
        ],
    ));
    let health = cli(dir.path(), &["health"]);
    let text = String::from_utf8_lossy(&health.stdout);
    assert!(
        health.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&health.stderr)
    );
    assert!(text.trim_end().ends_with("healthy"), "{text}");
    // A page of the database overwritten: the quick check finds it.
    let path = dir.path().join("sgen.sqlite3");
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096 * 3;
    bytes[page..page + 4096].fill(0x55);
    std::fs::write(&path, bytes).unwrap();
    let damaged = cli(dir.path(), &["health"]);
    assert!(!damaged.status.success());
    let reason = String::from_utf8_lossy(&damaged.stderr);
    assert!(reason.contains("database"), "{reason}");
}
