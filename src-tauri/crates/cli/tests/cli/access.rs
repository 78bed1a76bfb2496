//! Operators, roles and the activity log from the command line: `--operator` with a passphrase
//! read from stdin (never an argument), a refusal that names the capability, and `activity
//! query` with the view's filters and `--csv`.

use super::lifecycle::cli_with_stdin;
use super::{cli, stderr_line};

#[test]
fn operators_act_with_their_passphrase_and_the_activity_log_says_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let seed = cli(
        data,
        &[
            "demo",
            "seed",
            "--deliveries",
            "50",
            "--no-credentials",
            "--json",
        ],
    );
    assert!(seed.status.success(), "{}", stderr_line(&seed));
    // A custom role and a profile holding it, with a passphrase given on stdin.
    let role = cli(
        data,
        &[
            "roles",
            "save",
            "--name",
            "Support",
            "--capability",
            "view",
            "--capability",
            "retry_deliveries",
            "--json",
        ],
    );
    assert!(role.status.success(), "{}", stderr_line(&role));
    let role: serde_json::Value = serde_json::from_slice(&role.stdout).unwrap();
    let added = cli_with_stdin(
        data,
        &[
            "operators",
            "add",
            "--name",
            "Pat",
            "--role",
            role["id"].as_str().unwrap(),
            "--passphrase",
            "--json",
        ],
        "correct horse battery\n",
    );
    assert!(added.status.success(), "{}", stderr_line(&added));

    // As Pat, with the passphrase on stdin: the role refuses a setting, naming the capability.
    let refused = cli_with_stdin(
        data,
        &["--operator", "Pat", "settings", "retention", "30"],
        "correct horse battery\n",
    );
    assert!(!refused.status.success());
    let line = stderr_line(&refused);
    assert!(
        line.contains("permission_denied") && line.contains("`manage_settings`"),
        "{line}"
    );
    // A wrong passphrase never gets that far.
    let wrong = cli_with_stdin(
        data,
        &["--operator", "Pat", "settings", "retention", "30"],
        "not it\n",
    );
    assert!(
        stderr_line(&wrong).contains("wrong_passphrase"),
        "{}",
        stderr_line(&wrong)
    );
    // The unknown profile is named.
    let nobody = cli(
        data,
        &["--operator", "Nobody", "settings", "retention", "30"],
    );
    assert!(
        stderr_line(&nobody).contains("Nobody"),
        "{}",
        stderr_line(&nobody)
    );

    // The activity log, filtered as the view filters it.
    let denied = cli(
        data,
        &[
            "activity",
            "query",
            "--action",
            "permission.denied",
            "--operator",
            "pat",
            "--json",
        ],
    );
    assert!(denied.status.success(), "{}", stderr_line(&denied));
    let page: serde_json::Value = serde_json::from_slice(&denied.stdout).unwrap();
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{page}");
    assert_eq!(rows[0]["operator_name"], "Pat");
    let detail = cli(
        data,
        &["activity", "show", &rows[0]["id"].to_string(), "--json"],
    );
    let detail: serde_json::Value = serde_json::from_slice(&detail.stdout).unwrap();
    assert_eq!(detail["details"]["capability"], "manage_settings");

    // Every row of a filter to a CSV file; it reads back as CSV.
    let csv_path = data.join("activity.csv");
    let exported = cli(
        data,
        &[
            "activity",
            "query",
            "--action",
            "connection.",
            "--csv",
            csv_path.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(exported.status.success(), "{}", stderr_line(&exported));
    let report: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let records: Vec<_> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u64, report["rows"].as_u64().unwrap());
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r[3].starts_with("connection.")));

    let bad = cli(data, &["activity", "query", "--since", "tomorrow"]);
    assert!(
        stderr_line(&bad).contains("--since"),
        "{}",
        stderr_line(&bad)
    );
    let retention = cli(data, &["activity", "retention", "--json"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&retention.stdout).unwrap()["retention_days"],
        serde_json::Value::Null
    );
}
