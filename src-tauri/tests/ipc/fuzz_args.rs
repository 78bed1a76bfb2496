//! Every command's argument deserializer, fed arbitrary JSON through the mock runtime: Tauri's
//! own argument parsing and every DTO's `Deserialize`, as the window's calls reach them. The app
//! is still preparing, so a command whose arguments parse answers "not ready" without touching
//! the core: nothing is changed, and many inputs per command take little time.
//!
//! Each input starts from valid arguments for the command and mutates them (a value anywhere
//! replaced by arbitrary JSON, a key dropped or added), so every nested field's deserializer is
//! reached, not only the top level.

use super::{harness, invoke};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{json, Map, Value};
use sgen_integrations_lib::AppState;

/// Valid arguments for each command (the test fails if a command is missing here).
pub(crate) fn valid_arguments(cmd: &str) -> Value {
    let scope = json!({ "site_id": "site_1", "environment": "live" });
    let request = json!({
        "connector_type": "mailchimp", "display_name": "Mailchimp", "auth_flow": "api_key",
        "fields": { "api_key": "k-us1" }, "api_base_override": null,
    });
    match cmd {
        "app_status"
        | "sites_list"
        | "session_get"
        | "operators_list"
        | "access_overview"
        | "activity_actions"
        | "notifications_list"
        | "notification_centre"
        | "support_workspace_get"
        | "support_workspaces_list" => json!({}),
        "notifications_mark_read" => json!({ "seen": 12 }),
        "operator_switch" => json!({ "profile": "Riley Chen", "passphrase": "correct horse" }),
        "operator_save" => json!({ "draft": {
            "id": null, "name": "Pat", "role": "editor", "passphrase": "correct horse",
            "clear_passphrase": false,
        } }),
        "operator_remove" | "role_remove" => json!({ "id": "op_1" }),
        "role_save" => json!({ "draft": { "name": "Support", "capabilities": ["view"] } }),
        "family_gates_set" => json!({ "gates": [
            { "family": "payment_platforms", "capability": "manage_payment_credentials" },
        ] }),
        "activity_query" => json!({ "query": {
            "site_id": "site_1", "connection_id": "con_1", "operator_id": "op_1",
            "action": "connection.", "outcome": "success", "since": 1, "until": 2,
            "ascending": true, "cursor": "1.2", "page_size": 50,
        } }),
        "activity_get" => json!({ "id": 1 }),
        "activity_export" => json!({ "filters": { "site_id": "site_1", "outcome": "refused" } }),
        "activity_retention_set" => json!({ "days": 365 }),
        "support_bundle_export" => json!({ "request": {
            "site_id": "site_1", "since": 1, "connections": ["con_1"],
        } }),
        "support_bundle_open" => json!({ "path": "/home/pat/Downloads/acme.zip" }),
        "support_workspace_reopen" | "support_workspace_remove" => {
            json!({ "data_dir": "/home/pat/.local/share/com.sgen.integrations.support/acme-1" })
        }
        "delivery_replay" => json!({ "delivery_id": "dlv_1", "changes": {
            "mapping": { "email": "to.0.email", "list": "\"news\"" },
            "retry_schedule_s": [0, 5, 300], "api_base": "http://127.0.0.1:8080/v3",
        } }),
        "automation_run_now" => json!({ "id": "aut_1", "input": { "order": 1 } }),
        "automation_held_runs" => json!({ "id": "aut_1", "action": "drain" }),
        "run_retry_preview" | "run_cancel" => json!({ "id": "run_1" }),
        "run_retry" => {
            json!({ "id": "run_1", "options": { "from_start": true, "version": "current" } })
        }
        "runs_retry" => json!({ "scope": scope, "query": { "automation_id": "aut_1" },
            "options": { "from_start": false, "version": "failed" } }),
        "tasks_list" => json!({ "scope": scope, "status": "pending" }),
        "task_complete" => json!({ "id": "task_1", "output": { "approved": true } }),
        "automations_list" => json!({ "scope": scope }),
        "automation_get" | "run_get" => json!({ "id": "aut_1" }),
        "automation_save" => json!({ "scope": scope, "id": null, "json": "{}" }),
        "automation_check" => json!({ "scope": scope, "json": "{}" }),
        "automation_status_set" => json!({ "id": "aut_1", "status": "active" }),
        "automation_dry_run" => json!({ "id": "aut_1", "event": { "type": "x" } }),
        "runs_query" => json!({ "scope": scope, "query": {
            "automation_id": "aut_1", "status": "failed", "cursor": "run_1", "page_size": 50,
        } }),
        "catalog_list" | "triage_queue" | "outbox_counts" => json!({ "scope": scope }),
        "catalog_get" => json!({ "scope": scope, "slug": "hubspot" }),
        "catalog_open_docs" => json!({ "slug": "hubspot" }),
        "connections_list" => json!({ "scope": scope, "query": {
            "state": "active", "text": "a", "sort": "name", "descending": true, "page": 2, "page_size": 50,
        } }),
        "deliveries_query" => json!({ "scope": scope, "query": {
            "connection_id": "con_1", "outcome": "failed", "since": 1, "until": 2, "search": "x",
            "sort": "latency", "descending": false, "limit": 50, "cursor": "c",
        } }),
        "connection_create" | "signed_token_begin" => json!({ "scope": scope, "request": request }),
        "connection_get"
        | "connection_test"
        | "connection_pause"
        | "connection_resume"
        | "connection_disconnect"
        | "sandbox_state_get"
        | "connection_refresh"
        | "signing_secret_rotate"
        | "signing_secret_rotation_finish" => json!({ "id": "con_1" }),
        "sandbox_faults_set" => json!({ "id": "con_1", "faults": {
            "token_expired": false, "revoked": true, "dropped_scopes": ["a"], "status": 503,
            "latency_ms": 10, "keeps_refresh_token": false,
        } }),
        "sandbox_offline_set" => json!({ "id": "con_1", "offline": true }),
        "oauth_reauthorize_begin" => json!({ "id": "con_1", "scopes": ["oauth"] }),
        "oauth_begin" => json!({ "scope": scope, "request": {
            "connector_type": "hubspot", "display_name": "HubSpot", "scopes": ["oauth"],
            "api_base_override": "sandbox", "oauth_server": {
                "authorize_url": "https://a.example/authorize", "token_url": "https://a.example/token",
                "revoke_url": null, "issuer": "https://a.example", "client_id": "c",
            },
        } }),
        "oauth_finish" | "oauth_cancel" => json!({ "flow_id": "flow_1" }),
        "oauth_app_link" => json!({ "link": "sgen-integrations://callback/square?state=s&code=c" }),
        "field_mapping_set" => {
            json!({ "id": "con_1", "action": "a", "mapping": { "email": "user.email" } })
        }
        "delivery_send" => json!({ "id": "con_1", "action": "a", "event": {
            "originating_module": "shop", "event_identifier": "order-1", "payload": { "n": 1 },
        } }),
        "delivery_retry" | "delivery_timeline" => json!({ "delivery_id": "dlv_1" }),
        "delivery_health" => json!({ "id": "con_1", "days": 7 }),
        "deliveries_retry_bulk" => json!({ "scope": scope, "filter": {
            "outcome": "failed", "connection_id": "con_1", "since": 1, "until": 2, "search": "x",
        } }),
        "delivery_settings_get" => json!({ "site_id": "site_1" }),
        "allow_list_set" => json!({ "scope": scope, "hosts": ["hooks.example"] }),
        "retention_set" => json!({ "days": 90 }),
        "retry_schedule_set" => json!({ "waits": [0, 5, 300] }),
        "site_key_rotate" => json!({ "site": "site_1" }),
        "inbound_port_set" => json!({ "port": 47616 }),
        "signed_token_register_sandbox" | "signed_token_finish" | "signed_token_cancel" => {
            json!({ "pending_id": "pending_1" })
        }
        "events_query" => json!({ "scope": scope, "query": {
            "connection_id": "con_1", "event_type": "invoice.paid", "arrival": "pushed",
            "search": "evt", "since": 1, "until": 2, "limit": 50, "cursor": "ine_1",
        } }),
        "event_get" => json!({ "id": "ine_1" }),
        "rejections_query" => json!({ "scope": scope, "connection_id": "con_1", "cursor": 7 }),
        "rejection_get" | "rejection_recheck" => json!({ "seq": 7 }),
        "inbound_status" => json!({}),
        "event_source_get" | "sandbox_event_example" | "events_reconcile" => {
            json!({ "id": "con_1" })
        }
        "event_secret_set" => {
            json!({ "id": "con_1", "secret": "whsec_x", "keep_previous": false })
        }
        "event_public_url_set" => {
            json!({ "id": "con_1", "public_url": "https://hooks.example/in" })
        }
        "sandbox_emit" => json!({ "request": {
            "connection_id": "con_1", "event_type": "invoice.paid", "payload": { "id": "evt_1" },
            "signed_at": 1, "twice": true, "wrong_secret": false,
        } }),
        other => panic!("no valid arguments for `{other}`: add them to fuzz_args.rs"),
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("live"),
            Just("staging"),
            Just("sandbox"),
            Just("api_key"),
            Just("oauth2"),
            Just("failed"),
            Just("delivered"),
            Just("active"),
            Just(""),
        ]
        .prop_map(|s| Value::String(s.into())),
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{0,12}", inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a JSON value, at the node `at` picks among its nodes in pre-order.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    Add(String, Value),
}

fn mutate(value: &mut Value, at: &mut usize, mutation: &Mutation) -> bool {
    if *at == 0 {
        match mutation {
            Mutation::Replace(v) => *value = v.clone(),
            Mutation::Add(k, v) => match value {
                Value::Object(map) => {
                    map.insert(k.clone(), v.clone());
                }
                other => *other = v.clone(),
            },
            Mutation::Remove => *value = Value::Null,
        }
        return true;
    }
    *at -= 1;
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if *at == 0 && matches!(mutation, Mutation::Remove) {
                    map.remove(&key);
                    return true;
                }
                if mutate(map.get_mut(&key).unwrap(), at, mutation) {
                    return true;
                }
            }
            false
        }
        Value::Array(items) => items.iter_mut().any(|item| mutate(item, at, mutation)),
        _ => false,
    }
}

fn mutations() -> impl Strategy<Value = Vec<(usize, Mutation)>> {
    let mutation = prop_oneof![
        any_json().prop_map(Mutation::Replace),
        Just(Mutation::Remove),
        ("[a-z_]{1,12}", any_json()).prop_map(|(k, v)| Mutation::Add(k, v)),
    ];
    prop::collection::vec((0usize..40, mutation), 1..4)
}

/// One input per command is its valid arguments after one to three mutations;
/// `PROPTEST_CASES` says how many (`scripts/fuzz.sh`: 100,000).
#[test]
fn fuzz_every_command_answers_arbitrary_arguments_with_an_error() {
    let h = harness(|_| AppState::preparing());
    let commands: Vec<(&str, Value)> = env!("SGEN_COMMANDS")
        .split(',')
        .map(|cmd| (cmd, valid_arguments(cmd)))
        .collect();
    // The valid arguments are valid: each parses and reaches the (preparing) app.
    for (cmd, args) in &commands {
        let answer = invoke(&h, cmd, args.clone());
        assert!(
            *cmd == "app_status"
                || matches!(&answer, Err(Value::Object(e)) if e["code"] == "not_ready"),
            "{cmd}: {answer:?}"
        );
    }
    let mut runner = TestRunner::new(ProptestConfig::default());
    runner
        .run(&mutations(), |changes| {
            for (cmd, valid) in &commands {
                let mut args = valid.clone();
                for (at, change) in &changes {
                    let nodes = count_nodes(&args);
                    mutate(&mut args, &mut (at % nodes), change);
                }
                // Parsed: the preparing app says so, in the window's error shape. Not parsed:
                // Tauri names the command and the argument it could not read.
                match invoke(&h, cmd, args) {
                    Ok(_) => prop_assert_eq!(*cmd, "app_status"),
                    Err(Value::Object(e)) => prop_assert_eq!(&e["code"], "not_ready"),
                    Err(Value::String(e)) => prop_assert!(e.contains(cmd), "{}", e),
                    Err(other) => prop_assert!(false, "{cmd}: {other}"),
                }
            }
            Ok(())
        })
        .unwrap();
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Object(map) => map.values().map(count_nodes).sum(),
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        _ => 0,
    }
}
