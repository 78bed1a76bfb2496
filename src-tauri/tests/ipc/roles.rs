//! Every command the window can call, as a Viewer: it reads, or the core refuses it with
//! `permission_denied`. A command added without a capability in the core's table (or a read
//! added without saying so here) fails this test.

use super::fuzz_args::valid_arguments;
use super::{harness, invoke};
use serde_json::json;
use sgen_integrations_lib::AppState;

/// Commands that change nothing (every role may look).
const READS: &[&str] = &[
    "app_status",
    "sites_list",
    "session_get",
    "operators_list",
    "access_overview",
    "activity_query",
    "activity_get",
    "activity_actions",
    // Writes a file of what a Viewer may read anyway; the database is untouched.
    "activity_export",
    "automations_list",
    "automation_get",
    "automation_check",
    "runs_query",
    "run_get",
    "run_retry_preview",
    "notifications_list",
    "notification_centre",
    "tasks_list",
    "catalog_list",
    "catalog_get",
    // Opens the connector's documentation in the system browser.
    "catalog_open_docs",
    "connections_list",
    "connection_get",
    "deliveries_query",
    "delivery_timeline",
    "delivery_health",
    "triage_queue",
    "outbox_counts",
    "delivery_settings_get",
    "sandbox_state_get",
    "events_query",
    "event_get",
    "rejections_query",
    "rejection_get",
    "inbound_status",
    "event_source_get",
    "sandbox_event_example",
    "support_workspace_get",
    // Writes a file of what a Viewer may read anyway (and an activity row saying so).
    "support_bundle_export",
    // Makes a new workspace beside the data directory (and an activity row saying so): the
    // operator's own sites are untouched.
    "support_bundle_open",
    "support_workspaces_list",
    // Start an app on, or remove, a customer's copy beside the data directory (the operator's
    // own sites are untouched).
    "support_workspace_reopen",
    "support_workspace_remove",
    // Changes nothing: the recorded request against a vendor on loopback.
    "delivery_replay",
];

/// Steps of a flow whose first step was checked (begin, authorize): they finish, cancel or
/// feed that flow, and storing its connection is checked again as it is stored.
const CONTINUATIONS: &[&str] = &[
    "oauth_finish",
    "oauth_cancel",
    "oauth_app_link",
    "signed_token_register_sandbox",
    "signed_token_finish",
    "signed_token_cancel",
];

#[test]
fn a_viewer_reads_and_every_other_command_is_refused_by_the_core() {
    let h = harness(AppState::ready);
    let session = invoke(
        &h,
        "operator_switch",
        json!({ "profile": "Riley Chen", "passphrase": null }),
    )
    .unwrap();
    assert_eq!(session["operator"]["role"], "viewer");
    let mut refused = Vec::new();
    for cmd in env!("SGEN_COMMANDS").split(',') {
        if READS.contains(&cmd) || CONTINUATIONS.contains(&cmd) || cmd == "operator_switch" {
            continue;
        }
        let answer = invoke(&h, cmd, valid_arguments(cmd));
        let code = answer.as_ref().err().and_then(|e| e["code"].as_str());
        // Marking one's own notifications read is the one change every role may make.
        if cmd == "notifications_mark_read" {
            assert!(answer.is_ok(), "{cmd}: {answer:?}");
            continue;
        }
        assert_eq!(code, Some("permission_denied"), "{cmd}: {answer:?}");
        refused.push(cmd);
    }
    assert!(refused.len() >= 40, "{refused:?}");
}
