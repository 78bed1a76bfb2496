//! The command-line binary as a user runs it: output, exit codes, one-line errors.

mod access;
mod automations;
mod events;
mod inbound_kills;
mod lifecycle;
mod migration_kills;
mod support;

use std::process::{Command, Output};

fn cli(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

fn stderr_line(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr).trim().to_string();
    assert_eq!(text.lines().count(), 1, "one line of reason, got: {text}");
    text
}

#[test]
fn catalog_list_prints_every_connector_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["catalog", "list", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.as_array().unwrap().len() >= 20);
}

#[test]
fn seed_then_query_with_the_views_filters() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = cli(
        dir.path(),
        &["demo", "seed", "--deliveries", "3000", "--json"],
    );
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let query = [
        "deliveries",
        "query",
        "--outcome",
        "failed",
        "--since",
        "30d",
        "--sort",
        "latency_ms",
        "--limit",
        "5",
        "--json",
    ];
    let out = cli(dir.path(), &query);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["outcome"] == "failed"));
    let latencies: Vec<i64> = rows
        .iter()
        .map(|r| r["latency_ms"].as_i64().unwrap())
        .collect();
    assert!(
        latencies.windows(2).all(|w| w[0] >= w[1]),
        "largest latency first"
    );

    let cursor = page["next_cursor"].as_str().unwrap();
    let next = cli(dir.path(), &[&query[..], &["--cursor", cursor]].concat());
    assert!(next.status.success());

    let wrong = cli(
        dir.path(),
        &[
            "deliveries",
            "query",
            "--outcome",
            "retried",
            "--cursor",
            cursor,
        ],
    );
    assert!(!wrong.status.success());
    assert!(stderr_line(&wrong).contains("invalid_cursor"));
}

#[test]
fn bad_arguments_exit_non_zero_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(
        dir.path(),
        &["demo", "seed", "--deliveries", "200", "--json"]
    )
    .status
    .success());
    for (args, expected) in [
        (
            &["deliveries", "query", "--outcome", "lost"][..],
            "unknown outcome `lost`",
        ),
        (
            &["deliveries", "query", "--since", "last tuesday"][..],
            "--since",
        ),
        (
            &["deliveries", "query", "--sort", "colour"][..],
            "unknown sort column",
        ),
        (&["deliveries", "query", "--bogus"][..], "--bogus"),
        (
            &["deliveries", "query", "--environment", "prod"][..],
            "prod",
        ),
        (&["deliveries", "query", "--limit", "-4"][..], "-4"),
        (&["demo", "seed"][..], "already has a site"),
    ] {
        let out = cli(dir.path(), args);
        assert!(!out.status.success(), "{args:?} should fail");
        let line = stderr_line(&out);
        assert!(line.contains(expected), "{args:?}: {line}");
    }
}

#[test]
fn querying_an_empty_data_dir_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["deliveries", "query"]);
    assert!(!out.status.success());
    assert!(stderr_line(&out).contains("demo seed"));
    assert!(
        !dir.path().join("sgen.sqlite3").exists(),
        "a query creates nothing"
    );
}

#[test]
fn catalog_validate_reports_manifest_problems() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = include_str!("../../../catalog/manifests/brevo.json")
        .replace("https://api.brevo.com/v3", "http://api.brevo.com/v3");
    std::fs::write(dir.path().join("brevo.json"), manifest).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .args(["catalog", "validate"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let line = stderr_line(&out);
    assert!(
        line.contains("catalog_invalid") && line.contains("api_base"),
        "{line}"
    );
}

#[test]
fn settings_and_sites_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert!(cli(
        data,
        &[
            "demo",
            "seed",
            "--deliveries",
            "100",
            "--no-credentials",
            "--json"
        ]
    )
    .status
    .success());
    let site = cli(
        data,
        &[
            "sites",
            "create",
            "--name",
            "Northwind",
            "--domain",
            "northwind.example",
            "--json",
        ],
    );
    assert!(site.status.success(), "{}", stderr_line(&site));
    let bad = cli(
        data,
        &["sites", "create", "--name", "X", "--domain", "not a domain"],
    );
    assert!(
        stderr_line(&bad).contains("not a domain name"),
        "{}",
        stderr_line(&bad)
    );

    let set = cli(
        data,
        &[
            "settings",
            "allow-list",
            "--host",
            "hooks.internal.example",
            "--host",
            "10.0.0.7",
            "--json",
        ],
    );
    let listed: Vec<String> = serde_json::from_slice(&set.stdout).unwrap();
    assert_eq!(listed, ["hooks.internal.example", "10.0.0.7"]);
    let shown = cli(data, &["settings", "allow-list", "--json"]);
    assert_eq!(
        serde_json::from_slice::<Vec<String>>(&shown.stdout).unwrap(),
        listed
    );
    let bad = cli(
        data,
        &["settings", "allow-list", "--host", "https://x.example/p"],
    );
    assert!(
        stderr_line(&bad).contains("not a host name"),
        "{}",
        stderr_line(&bad)
    );

    let retention = cli(data, &["settings", "retention", "30", "--json"]);
    assert!(String::from_utf8_lossy(&retention.stdout).contains("30"));
    let bad = cli(data, &["settings", "retention", "0"]);
    assert!(
        stderr_line(&bad).contains("1 to 3650"),
        "{}",
        stderr_line(&bad)
    );
    let schedule = cli(
        data,
        &["settings", "retry-schedule", "0", "10", "600", "--json"],
    );
    assert_eq!(
        serde_json::from_slice::<Vec<u64>>(&schedule.stdout).unwrap(),
        [0, 10, 600]
    );
    let bad = cli(data, &["settings", "retry-schedule", "10"]);
    assert!(
        stderr_line(&bad).contains("starts with 0"),
        "{}",
        stderr_line(&bad)
    );
    let purge = cli(data, &["deliveries", "purge", "--json"]);
    assert!(purge.status.success(), "{}", stderr_line(&purge));
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let seeded = cli(dir.path(), &["demo", "seed", "--deliveries", "3000"]);
    assert!(seeded.status.success());
    // Far more than a pipe holds, so the command is still writing when the reader goes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["deliveries", "query", "--limit", "500", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 3];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is closed here, as `| head -c 3` closes it.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}
