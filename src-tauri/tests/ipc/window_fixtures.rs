//! The answers the window's browser tests (`ui/tests/browser/`) mock the backend with, taken
//! from this backend on the demo site, so the views they check (and the accessibility audit
//! runs on) render the real shapes. `SGEN_WRITE_FIXTURES=1` writes them to
//! `ui/tests/browser/fixtures.json`; otherwise this checks that file: every key path of a fresh
//! answer is in it and the other way round, so a changed DTO fails here until it is rewritten.

use super::{harness, invoke, scope};
use serde_json::{json, Value};
use sgen_integrations_lib::AppState;
use std::collections::BTreeSet;
use tauri::Manager;

const KEY: &str =
    "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";
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ui/tests/browser/fixtures.json"
);

/// Every command the views read, with the answer the demo site gives.
fn answers() -> Value {
    let h = harness(AppState::ready);
    let scope = scope(&h);
    let call = |cmd: &str, args: Value| invoke(&h, cmd, args).unwrap();
    let connections = call(
        "connections_list",
        json!({ "scope": scope, "query": { "sort": "display_name", "page": 0, "page_size": 10 } }),
    );
    // The connection the views are shown with: a key connection to the sandbox vendor, whose
    // vendor fails, so its delivery is a dead letter waiting in triage.
    let request = json!({ "scope": scope, "request": {
        "connector_type": "brevo", "display_name": "Brevo (newsletter)", "auth_flow": "api_key",
        "fields": { "api_key": KEY }, "api_base_override": "sandbox" } });
    let brevo = call("connection_create", request)["row"]["record"]["id"].clone();
    call(
        "sandbox_faults_set",
        json!({ "id": brevo, "faults": { "status": 503 } }),
    );
    call("retry_schedule_set", json!({ "waits": [0] }));
    let event = json!({ "originating_module": "notifications", "event_identifier": "password.reset usr_81",
        "payload": { "to": [{ "email": "ada@example.com" }], "templateId": 7 } });
    let sent = call(
        "delivery_send",
        json!({ "id": brevo, "action": "send_transactional_email", "event": event }),
    );
    let failed = sent["queued"]["delivery_id"].clone();
    let log = call(
        "deliveries_query",
        json!({ "scope": scope, "query": { "limit": 100 } }),
    );
    let site_id = scope["site_id"].clone();
    // Events on the same connection: one emitted twice (a duplicate counted), one signed with
    // a wrong secret (refused), through the listener on a free port.
    let core = h.window.state::<AppState>().core().unwrap();
    let background = core
        .start_background(sgen_core::background::Cadences::idle())
        .unwrap();
    core.start_inbound(&background, Some(0));
    while core.inbound_address().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    call(
        "event_secret_set",
        json!({ "id": brevo, "secret": "brevo-webhook-secret", "keep_previous": false }),
    );
    // An automation the emitted event runs, so the Automations view has a run to show.
    let automation = json!({
        "name": "Bounces to the team",
        "trigger": { "event": "hard_bounce", "connection": brevo },
        "actions": [{ "type": "notify", "params": { "message": "An email bounced" } }],
        "status": "active",
    });
    let automation_id = call(
        "automation_save",
        json!({ "scope": scope, "id": null, "json": automation.to_string() }),
    )["id"]
        .clone();
    let emit = |extra: Value| {
        let mut request = json!({ "connection_id": brevo, "event_type": "hard_bounce" });
        request
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        call("sandbox_emit", json!({ "request": request }))
    };
    let stored = emit(json!({ "twice": true }));
    emit(json!({ "wrong_secret": true }));
    let event_id = stored[0]["answer"]["events"][0]["id"].clone();
    core.run_automations().unwrap();
    let runs = call("runs_query", json!({ "scope": scope, "query": {} }));
    let run_id = runs["rows"][0]["id"].clone();
    // A manual automation waiting on an approval: the Tasks inbox has a task to show.
    let approval = json!({
        "name": "Approve large refunds",
        "trigger": { "event": "manual" },
        "actions": [
            { "type": "task", "params": { "title": "Approve the refund",
                "instructions": "Check the order in the shop before approving.",
                "output_schema": { "type": "object", "required": ["approved"], "properties": {
                    "approved": { "type": "boolean" }, "notes": { "type": "string" } } },
                "timeout_seconds": 86400 } },
            { "type": "notify", "params": { "message": "The refund was decided" } }
        ],
        "status": "active",
    });
    let approval_id = call(
        "automation_save",
        json!({ "scope": scope, "id": null, "json": approval.to_string() }),
    )["id"]
        .clone();
    let waiting = call(
        "automation_run_now",
        json!({ "id": approval_id, "input": { "refund": { "amount": 25000, "order": "ord_1042" } } }),
    );
    let automations = json!({
        "automations_list": call("automations_list", json!({ "scope": scope })),
        "automation_get": call("automation_get", json!({ "id": automation_id })),
        "runs_query": runs,
        "run_get": call("run_get", json!({ "id": run_id })),
        "notifications_list": call("notifications_list", json!({})),
        "notification_centre": call("notification_centre", json!({})),
        "automation_check": call(
            "automation_check",
            json!({ "scope": scope, "json": approval.to_string() }),
        ),
        "tasks_list": call("tasks_list", json!({ "scope": scope, "status": "pending" })),
        "run_waiting_on_task": waiting,
    });
    let events = call("events_query", json!({ "scope": scope, "query": {} }));
    let rejections = call("rejections_query", json!({ "scope": scope }));
    let seq = rejections["rows"][0]["request"]["seq"].clone();
    let inbound = json!({
        "inbound_status": call("inbound_status", json!({})),
        "events_query": events,
        "event_get": call("event_get", json!({ "id": event_id })),
        "rejections_query": rejections,
        "rejection_get": call("rejection_get", json!({ "seq": seq })),
        "event_source_get": call("event_source_get", json!({ "id": brevo })),
        "sandbox_event_example": call("sandbox_event_example", json!({ "id": brevo })),
    });
    background.shutdown(std::time::Duration::from_secs(5));
    let activity = call("activity_query", json!({ "query": { "site_id": site_id } }));
    // A settings change: its detail lists the changed field with its prior and new value.
    let activity_row = activity["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["action"] == "settings.retry_schedule")
        .unwrap()["id"]
        .clone();
    let mut answers = json!({
        "activity_query": activity,
        "activity_get": call("activity_get", json!({ "id": activity_row })),
        "app_status": call("app_status", json!({})),
        "sites_list": call("sites_list", json!({})),
        "session_get": call("session_get", json!({})),
        "operators_list": call("operators_list", json!({})),
        "access_overview": call("access_overview", json!({})),
        "activity_actions": call("activity_actions", json!({})),
        "catalog_list": call("catalog_list", json!({ "scope": scope })),
        "catalog_get": {
            "hubspot": call("catalog_get", json!({ "scope": scope, "slug": "hubspot" })),
            "brevo": call("catalog_get", json!({ "scope": scope, "slug": "brevo" })),
        },
        "connections_list": connections,
        "connection_get": call("connection_get", json!({ "id": brevo })),
        "delivery_health": call("delivery_health", json!({ "id": brevo, "days": 14 })),
        "sandbox_state_get": call("sandbox_state_get", json!({ "id": brevo })),
        "deliveries_query": log,
        "delivery_timeline": call("delivery_timeline", json!({ "delivery_id": failed })),
        "triage_queue": call("triage_queue", json!({ "scope": scope })),
        "outbox_counts": call("outbox_counts", json!({ "scope": scope })),
        "delivery_settings_get": call("delivery_settings_get", json!({ "site_id": site_id })),
        "support_workspace_get": call("support_workspace_get", json!({})),
        "delivery_replay": call("delivery_replay", json!({ "delivery_id": failed, "changes": {} })),
    });
    let (exported, opened, kept) = support_bundles(&h);
    answers["support_bundle_export"] = exported;
    answers["support_bundle_open"] = opened;
    answers["support_workspaces_list"] = kept;
    for more in [inbound, automations] {
        answers
            .as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
    }
    answers
}

/// What exporting the site, opening its bundle, then listing the workspaces, answer. From the
/// core, not the commands: one writes to the Downloads folder, another also starts the app on
/// the workspace (and the test binary is no app).
fn support_bundles(h: &super::Harness) -> (Value, Value, Value) {
    let core = h.window.state::<AppState>().core().unwrap();
    let site_id = core.sites().unwrap()[0].id.clone();
    let bundle = core
        .export_support_bundle_file(
            &sgen_core::support::bundle_export::BundleRequest {
                site_id,
                since: None,
                connections: None,
            },
            Some(core.data_dir()),
        )
        .unwrap();
    let opened = core
        .open_support_bundle(std::path::Path::new(&bundle.path))
        .unwrap();
    let kept = serde_json::to_value(core.support_workspaces().unwrap()).unwrap();
    // The workspaces' directory is beside the test's temporary data directory: not left there.
    let _ = std::fs::remove_dir_all(std::path::Path::new(&opened.data_dir).parent().unwrap());
    (
        serde_json::to_value(bundle).unwrap(),
        serde_json::to_value(Some(opened)).unwrap(),
        kept,
    )
}

/// `a.b[].c` for every leaf and object key, arrays' elements merged.
fn key_paths(value: &Value, at: &str, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = format!("{at}.{key}");
                into.insert(path.clone());
                key_paths(value, &path, into);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| key_paths(item, &format!("{at}[]"), into)),
        _ => {}
    }
}

fn paths(value: &Value) -> BTreeSet<String> {
    let mut into = BTreeSet::new();
    key_paths(value, "", &mut into);
    into
}

#[test]
fn the_browser_tests_mock_the_backend_with_its_own_answers() {
    let fresh = answers();
    if std::env::var_os("SGEN_WRITE_FIXTURES").is_some() {
        let text = serde_json::to_string_pretty(&fresh).unwrap() + "\n";
        std::fs::write(FIXTURES, text).unwrap();
        return;
    }
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(FIXTURES).expect("ui/tests/browser/fixtures.json"),
    )
    .unwrap();
    let (now, then) = (paths(&fresh), paths(&committed));
    let added: Vec<_> = now.difference(&then).collect();
    let gone: Vec<_> = then.difference(&now).collect();
    assert!(
        added.is_empty() && gone.is_empty(),
        "the window's answers changed shape (new: {added:?}; gone: {gone:?}): \
         run SGEN_WRITE_FIXTURES=1 cargo test -p sgen-integrations --test ipc window_fixtures"
    );
    // The file holds what the browser tests need, not an empty stand-in.
    let rows = committed["deliveries_query"]["rows"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(rows, 100);
    assert!(committed["catalog_list"]
        .as_array()
        .is_some_and(|c| c.len() >= 20));
    assert!(committed["connection_get"]["row"]["record"]["id"].is_string());
    let event = &committed["events_query"]["rows"][0];
    assert_eq!(
        (&event["event_type"], &event["duplicates"]),
        (&json!("hard_bounce"), &json!(1))
    );
    assert_eq!(
        committed["rejections_query"]["rows"][0]["rejection"]["step"],
        "no_secret_matched"
    );
}
