//! Roles enforced on every operation (SPEC §8, issue 15): each operation of the core's one
//! table, run as an Administrator, an Editor, a Viewer and a custom role holding everything but
//! `manage_payment_credentials`, is allowed or refused exactly as the table says. A refusal
//! names the capability, leaves every table but the activity log as it was (a hash of each),
//! and adds one `permission.denied` row to the activity log.

use super::{live, seeded};
use sgen_core::access::operators::OperatorDraft;
use sgen_core::access::roles::RoleDraft;
use sgen_core::access::{Capabilities, Capability, Operation};
use sgen_core::automations::definition::AutomationStatus;
use sgen_core::automations::posture::HeldRuns;
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::delivery::enqueue::OutboundEvent;
use sgen_core::delivery::triage::RetryFilter;
use sgen_core::inbound::sandbox_emitter::EmitRequest;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::{Core, CoreError, Secret};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// What the operations act on, found in the demo site.
struct Ids {
    scope: SiteEnvironment,
    stripe: String,
    brevo: String,
    automation: String,
    run: String,
    task: String,
    delivery: String,
    other_operator: String,
    custom_role: String,
}

/// Every table but the activity log (and SQLite's counter of its ids), each hashed over its
/// rows in a stable order.
fn tables_hash(data_dir: &Path) -> BTreeMap<String, String> {
    let db = rusqlite::Connection::open(data_dir.join(sgen_core::DATABASE_FILE)).unwrap();
    let tables: Vec<String> = db
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
             AND name NOT IN ('activity_log', 'sqlite_sequence') AND sql NOT LIKE 'CREATE VIRTUAL%'",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let mut statement = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = statement.column_count();
            let mut rows: Vec<String> = statement
                .query_map([], |row| {
                    Ok((0..columns)
                        .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("\u{1f}"))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            let digest = Sha256::digest(rows.join("\u{1e}").as_bytes());
            (table, format!("{digest:x}"))
        })
        .collect()
}

fn denials(data_dir: &Path) -> i64 {
    let db = rusqlite::Connection::open(data_dir.join(sgen_core::DATABASE_FILE)).unwrap();
    db.query_row(
        "SELECT count(*) FROM activity_log WHERE action = 'permission.denied'",
        [],
        |row| row.get(0),
    )
    .unwrap()
}

/// Calls the operation with arguments from the demo site. The match has no catch-all: an
/// operation added to the table without a case here does not compile.
fn call(core: &Core, operation: Operation, ids: &Ids) -> Result<(), CoreError> {
    let scope = &ids.scope;
    let event = || OutboundEvent {
        originating_module: "tests".into(),
        event_identifier: "matrix-1".into(),
        payload: serde_json::json!({ "email": "ada@example.com" }),
    };
    match operation {
        Operation::CreateConnection => core
            .create_connection(
                scope,
                NewConnectionRequest {
                    connector_type: "stripe".into(),
                    display_name: "Stripe (matrix)".into(),
                    auth_flow: "api_key".into(),
                    fields: BTreeMap::from([(
                        "secret_key".to_string(),
                        Secret::new("sk_test_matrix000000000000"),
                    )]),
                    api_base_override: Some("sandbox".into()),
                },
            )
            .map(drop),
        Operation::EditScopes => core
            .begin_reauthorization(&ids.stripe, vec!["read".into()])
            .map(drop),
        Operation::RefreshCredentials => core.refresh_connection(&ids.stripe).map(drop),
        Operation::DisconnectConnection => core.disconnect_connection(&ids.stripe).map(drop),
        Operation::RotateSigningSecret => core.rotate_signing_secret(&ids.stripe).map(drop),
        Operation::SetEventSecret => core
            .set_event_secret(&ids.stripe, Secret::new("whsec_matrix"), false)
            .map(drop),
        Operation::TestConnection => core.test_connection(&ids.brevo).map(drop),
        Operation::PauseConnection => core.pause_connection(&ids.brevo).map(drop),
        Operation::ResumeConnection => core.resume_connection(&ids.brevo).map(drop),
        Operation::SetFieldMapping => core
            .set_field_mapping(
                &ids.brevo,
                "create_contact",
                BTreeMap::from([("email".to_string(), "email".to_string())]),
            )
            .map(drop),
        Operation::SetEventPublicUrl => core
            .set_event_public_url(&ids.brevo, Some("https://hooks.example/in"))
            .map(drop),
        Operation::SendEvent => core
            .send_event(&ids.brevo, "create_contact", event())
            .map(drop),
        Operation::RetryDelivery => core.retry_delivery(&ids.delivery),
        Operation::RetryDeliveries => core
            .retry_deliveries(
                scope,
                &RetryFilter {
                    outcome: "failed".into(),
                    ..Default::default()
                },
                |_, _| {},
            )
            .map(drop),
        Operation::RecheckRejection => core.recheck_rejection(1).map(drop),
        Operation::CatchUpEvents => core.reconcile_events(&ids.stripe).map(drop),
        Operation::SetSandboxFaults => core.set_sandbox_faults(&ids.brevo, Default::default()),
        Operation::SetSandboxOffline => core.set_sandbox_offline(&ids.brevo, false),
        Operation::EmitSandboxEvent => core
            .sandbox_emit(&EmitRequest {
                connection_id: ids.stripe.clone(),
                event_type: "payment_intent.succeeded".into(),
                payload: None,
                signed_at: None,
                twice: None,
                wrong_secret: None,
                missed: None,
            })
            .map(drop),
        Operation::SaveAutomation => core
            .save_automation(
                scope,
                None,
                &serde_json::json!({
                    "name": "Matrix",
                    "trigger": { "event": "manual" },
                    "actions": [{ "type": "notify", "params": { "message": "hi" } }],
                    "status": "draft",
                })
                .to_string(),
            )
            .map(drop),
        Operation::SetAutomationStatus => core
            .set_automation_status(&ids.automation, AutomationStatus::Paused)
            .map(drop),
        Operation::DryRunAutomation => core
            .dry_run_automation(&ids.automation, &serde_json::json!({}), None)
            .map(drop),
        Operation::RunAutomation => core
            .run_automation_now(&ids.automation, &serde_json::json!({}))
            .map(drop),
        Operation::HandleHeldRuns => core
            .handle_held_runs(&ids.automation, HeldRuns::Discard)
            .map(drop),
        Operation::RetryRun => core.retry_run(&ids.run, Default::default()).map(drop),
        Operation::RetryRuns => core
            .retry_runs(scope, &Default::default(), Default::default())
            .map(drop),
        Operation::CancelRun => core.cancel_run(&ids.run),
        Operation::CompleteTask => core
            .complete_task(&ids.task, &serde_json::json!({ "approved": true }))
            .map(drop),
        Operation::MarkNotificationsRead => core.mark_notifications_read(i64::MAX).map(drop),
        Operation::ReplayDelivery => core
            .replay_delivery("dlv_none", &Default::default())
            .map(drop),
        Operation::OpenSupportBundle => core
            .open_support_bundle(Path::new("/nonexistent/bundle.zip"))
            .map(drop),
        Operation::RemoveSupportWorkspace => core
            .remove_support_workspace(Path::new("/nonexistent/workspace"))
            .map(drop),
        Operation::ExportSupportBundle => {
            let dir = tempfile::tempdir().unwrap();
            let request = sgen_core::support::bundle_export::BundleRequest {
                site_id: scope.site_id.clone(),
                since: None,
                connections: None,
            };
            core.export_support_bundle(&request, &dir.path().join("b.zip"), &mut |_| {})
                .map(drop)
        }
        Operation::CreateSite => core.create_site("Mine", "mine.example").map(drop),
        Operation::SetAllowList => core.set_outbound_allow_list(scope, vec![]).map(drop),
        Operation::SetRetrySchedule => core.set_retry_schedule(vec![0, 5]).map(drop),
        Operation::SetDeliveryRetention => core.set_delivery_log_retention_days(60).map(drop),
        Operation::SetActivityRetention => core.set_activity_retention_days(Some(400)).map(drop),
        Operation::SetInboundPort => core.set_inbound_port(47999).map(drop),
        Operation::RotateSiteKey => core.rotate_site_key(&scope.site_id).map(drop),
        Operation::SaveOperator => core
            .save_operator(&OperatorDraft {
                id: None,
                name: "Matrix Person".into(),
                role: "viewer".into(),
                passphrase: None,
                clear_passphrase: false,
            })
            .map(drop),
        Operation::RemoveOperator => core.remove_operator(&ids.other_operator),
        Operation::SaveRole => core
            .save_role(&RoleDraft {
                id: None,
                name: "Matrix role".into(),
                capabilities: vec![Capability::View],
            })
            .map(drop),
        Operation::RemoveRole => core.remove_role(&ids.custom_role),
        Operation::SetFamilyGates => {
            let gates = core.family_gates()?;
            core.set_family_gates(&gates).map(drop)
        }
    }
}

/// A demo site, a custom role without payment credential authority held by "Casey", and the
/// ids the operations need.
fn site() -> (tempfile::TempDir, Core, Ids) {
    let (dir, core, summary) = seeded(20);
    let scope = live(&summary);
    let connection = |slug: &str| {
        core.connections(&scope, &Default::default())
            .unwrap()
            .rows
            .into_iter()
            .find(|c| c.record.connector_type == slug)
            .unwrap()
            .record
            .id
    };
    let all_but_payment: Vec<Capability> = Capability::ALL
        .iter()
        .copied()
        .filter(|c| *c != Capability::ManagePaymentCredentials)
        .collect();
    let custom_role = core
        .save_role(&RoleDraft {
            id: None,
            name: "Operations lead".into(),
            capabilities: all_but_payment,
        })
        .unwrap()
        .id;
    core.save_operator(&OperatorDraft {
        id: None,
        name: "Casey".into(),
        role: custom_role.clone(),
        passphrase: None,
        clear_passphrase: false,
    })
    .unwrap();
    // A manual automation waiting on a task: an automation, a run and a task to act on.
    let automation = core
        .save_automation(
            &scope,
            None,
            &serde_json::json!({
                "name": "Approve refunds",
                "trigger": { "event": "manual" },
                "actions": [{ "type": "task", "params": { "title": "Approve", "timeout_seconds": 3600 } }],
                "status": "active",
            })
            .to_string(),
        )
        .unwrap()
        .id;
    let run = core
        .run_automation_now(&automation, &serde_json::json!({}))
        .unwrap()
        .run
        .id;
    let task = core.tasks(&scope, Some("pending")).unwrap().remove(0);
    // Any delivery will do: the check comes before the delivery is looked up.
    let delivery = core.triage_queue(&scope).unwrap().first().map_or_else(
        || "dlv_none".to_string(),
        |item| item.delivery.delivery_id.clone(),
    );
    let ids = Ids {
        stripe: connection("stripe"),
        brevo: connection("brevo"),
        automation,
        run,
        task: task.id,
        delivery,
        other_operator: core
            .operators()
            .unwrap()
            .into_iter()
            .find(|o| o.name == "Sam Ortiz")
            .unwrap()
            .id,
        custom_role,
        scope,
    };
    (dir, core, ids)
}

fn capabilities_of(role: &str) -> Capabilities {
    match role {
        "Casey" => Capabilities::of(
            &Capability::ALL
                .iter()
                .copied()
                .filter(|c| *c != Capability::ManagePaymentCredentials)
                .collect::<Vec<_>>(),
        ),
        other => sgen_core::access::roles::built_in(other).unwrap(),
    }
}

#[test]
fn every_operation_under_every_role_matches_the_table() {
    for (profile, role) in [
        ("Dana Whitfield", "administrator"),
        ("Sam Ortiz", "editor"),
        ("Riley Chen", "viewer"),
        ("Casey", "Casey"),
    ] {
        let (dir, core, ids) = site();
        core.switch_operator(profile, None).unwrap();
        let granted = capabilities_of(role);
        for operation in Operation::ALL {
            // Every gated operation here acts on Stripe, a payment platform.
            let allowed = granted.contains(operation.capability())
                && (!operation.family_gated()
                    || granted.contains(Capability::ManagePaymentCredentials));
            let before = tables_hash(dir.path());
            let denied_before = denials(dir.path());
            let result = call(&core, *operation, &ids);
            let refused = matches!(&result, Err(CoreError::PermissionDenied(_)));
            assert_eq!(
                refused,
                !allowed,
                "{profile} ({role}) {}: {result:?}",
                operation.name()
            );
            if refused {
                let message = result.unwrap_err().to_string();
                let missing = if granted.contains(operation.capability()) {
                    Capability::ManagePaymentCredentials
                } else {
                    operation.capability()
                };
                assert!(
                    message.contains(&format!("`{}`", missing.name())),
                    "{profile} {}: {message}",
                    operation.name()
                );
                assert_eq!(
                    tables_hash(dir.path()),
                    before,
                    "{profile} {}: a refusal changed the database",
                    operation.name()
                );
                assert_eq!(
                    denials(dir.path()),
                    denied_before + 1,
                    "{profile} {}: the refusal is in the activity log",
                    operation.name()
                );
            }
        }
    }
}

#[test]
fn a_family_gate_decides_for_its_family_only_and_an_administrator_can_move_it() {
    let (_dir, core, ids) = site();
    core.switch_operator("Casey", None).unwrap();
    // Brevo is not a payment platform: Casey's role decides alone.
    assert!(core
        .set_event_secret(&ids.brevo, Secret::new("brevo-secret"), false)
        .is_ok());
    core.switch_operator("Dana Whitfield", None).unwrap();
    let mut gates = core.family_gates().unwrap();
    for gate in &mut gates {
        gate.capability = match gate.family.as_str() {
            "email_service_providers" => Some(Capability::ManagePaymentCredentials),
            _ => None,
        };
    }
    core.set_family_gates(&gates).unwrap();
    core.switch_operator("Casey", None).unwrap();
    let refused = core
        .set_event_secret(&ids.brevo, Secret::new("brevo-secret-2"), false)
        .unwrap_err();
    assert!(
        refused.to_string().contains(
            "on a email_service_providers connection also needs the `manage_payment_credentials`"
        ),
        "{refused}"
    );
    // Payment platforms are no longer gated.
    assert!(core
        .set_event_secret(&ids.stripe, Secret::new("whsec_2"), false)
        .is_ok());
}

#[test]
fn a_change_to_the_acting_profiles_own_role_applies_to_its_next_operation() {
    let (_dir, core, ids) = site();
    core.switch_operator("Casey", None).unwrap();
    // Casey (manage_access) takes manage_settings out of her own role…
    let mut role = core
        .roles()
        .unwrap()
        .into_iter()
        .find(|r| r.id == ids.custom_role)
        .unwrap();
    assert!(core.set_retry_schedule(vec![0, 5]).is_ok());
    role.capabilities
        .retain(|c| *c != Capability::ManageSettings);
    core.save_role(&RoleDraft {
        id: Some(role.id.clone()),
        name: role.name.clone(),
        capabilities: role.capabilities.clone(),
    })
    .unwrap();
    // …and the very next setting she changes is refused: the check read the role again.
    let refused = core.set_retry_schedule(vec![0, 10]).unwrap_err();
    assert_eq!(refused.code(), "permission_denied", "{refused}");
    assert!(
        refused.to_string().contains("`manage_settings`"),
        "{refused}"
    );
}
