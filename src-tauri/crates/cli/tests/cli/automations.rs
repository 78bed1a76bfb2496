//! `automations …` and `runs …` as a user runs them: import a JSON file, see it refused with
//! the path of what is wrong, dry-run it against an event file, read the run.

use super::events::connection_of;
use super::lifecycle::json;
use super::{cli, stderr_line};

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn import_dry_run_and_read_the_run_from_the_cli() {
    // Connections holding working sandbox credentials: a step's request is made with them.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    json(&cli(
        data,
        &["demo", "seed", "--deliveries", "100", "--json"],
    ));
    let stripe = connection_of(data, "stripe");
    let webhook = connection_of(data, "webhook");
    let definition = serde_json::json!({
        "name": "Refunds to the fulfilment webhook",
        "trigger": {"event": "charge.refunded", "connection": stripe,
            "conditions": {"match": "all", "rows": [{"field": "data.object.amount", "op": ">=", "value": 100}]}},
        "actions": [{"type": "webhook", "params": {"connection": webhook}}],
        "status": "draft"
    });
    let before = json(&cli(data, &["automations", "list", "--json"]))
        .as_array()
        .unwrap()
        .len();
    let file = data.join("refunds.json");
    std::fs::write(&file, definition.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let saved = json(&cli(data, &["automations", "import", path, "--json"]));
    let id = saved["id"].as_str().unwrap().to_string();
    assert_eq!(saved["status"], "draft");

    let shown = json(&cli(data, &["automations", "show", &id, "--json"]));
    assert_eq!(shown["cel"], "event.data.object.amount >= 100");
    assert_eq!(shown["dependencies"].as_array().unwrap().len(), 2);

    let event = data.join("event.json");
    std::fs::write(&event, r#"{"data": {"object": {"amount": 2500}}}"#).unwrap();
    let run = json(&cli(
        data,
        &[
            "automations",
            "dry-run",
            &id,
            "--event",
            event.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(run["run"]["dry_run"], true);
    assert_eq!(run["run"]["status"], "completed", "{run}");
    assert_eq!(run["steps"][0]["input"]["action"], "post_event");
    let run_id = run["run"]["id"].as_str().unwrap();
    let printed =
        String::from_utf8_lossy(&cli(data, &["runs", "show", run_id]).stdout).into_owned();
    assert!(
        printed.contains("(dry run)") && printed.contains("post_event"),
        "{printed}"
    );
    let listed = json(&cli(data, &["runs", "list", "--automation", &id, "--json"]));
    assert_eq!(listed["rows"].as_array().unwrap().len(), 1);

    // A bad file is refused with the path of what is wrong, and nothing is saved.
    let mut bad = definition.clone();
    bad["actions"][0]["params"]["connection"] = "con_missing".into();
    std::fs::write(&file, bad.to_string()).unwrap();
    let refused = cli(data, &["automations", "import", path]);
    assert!(!refused.status.success());
    assert!(stderr_line(&refused).contains("/actions/0/params/connection"));
    let all = json(&cli(data, &["automations", "list", "--json"]));
    assert_eq!(all.as_array().unwrap().len(), before + 1);

    let exported = json(&cli(data, &["automations", "export", &id]));
    assert_eq!(exported, definition);
}

#[test]
fn a_manual_run_waits_on_a_task_completed_from_the_cli_and_a_failed_run_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    json(&cli(data, &["demo", "seed", "--deliveries", "0", "--json"]));
    let file = data.join("approval.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "name": "Approve by hand",
            "trigger": {"event": "manual"},
            "actions": [
                {"type": "task", "params": {"title": "Approve it",
                    "output_schema": {"type": "object", "required": ["approved"],
                        "properties": {"approved": {"type": "boolean"}}}}},
                {"type": "notify", "params": {"message": "approved"}}
            ],
            "status": "active"
        })
        .to_string(),
    )
    .unwrap();
    let id = json(&cli(
        data,
        &["automations", "import", file.to_str().unwrap(), "--json"],
    ))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let started = json(&cli(data, &["automations", "run", &id, "--json"]));
    assert_eq!(started["run"]["status"], "waiting", "{started}");
    let run_id = started["run"]["id"].as_str().unwrap().to_string();

    let inbox = json(&cli(data, &["tasks", "list", "--json"]));
    let task = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["run_id"] == run_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let output = data.join("output.json");
    std::fs::write(&output, r#"{"approved": "maybe"}"#).unwrap();
    let refused = cli(
        data,
        &[
            "tasks",
            "complete",
            &task,
            "--output",
            output.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr_line(&refused).contains("/approved"),
        "{}",
        stderr_line(&refused)
    );
    std::fs::write(&output, r#"{"approved": true}"#).unwrap();
    let done = json(&cli(
        data,
        &[
            "tasks",
            "complete",
            &task,
            "--output",
            output.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(done["status"], "completed");
    let run = json(&cli(data, &["runs", "show", &run_id, "--json"]));
    assert_eq!(run["run"]["status"], "completed", "{run}");

    // A cancelled run is retried from its failed step as a new run.
    let second = json(&cli(data, &["automations", "run", &id, "--json"]));
    let second = second["run"]["id"].as_str().unwrap().to_string();
    let cancelled = json(&cli(data, &["runs", "cancel", &second, "--json"]));
    assert_eq!(cancelled["run"]["status"], "cancelled");
    assert_eq!(
        json(&cli(data, &["automations", "drain", &id, "--json"]))["drained"],
        0
    );
    let retried = json(&cli(data, &["runs", "retry", &second, "--json"]));
    let retry = retried[0].as_str().unwrap();
    let shown = json(&cli(data, &["runs", "show", retry, "--json"]));
    assert_eq!(shown["run"]["retry_of"], second.as_str());
    assert_eq!(shown["run"]["status"], "running");
    let bad = cli(data, &["runs", "retry", &second, "--version", "newest"]);
    assert!(stderr_line(&bad).contains("failed, current"));
}
