//! Creating, testing, pausing, resuming and disconnecting key-based connections against the
//! sandbox vendors over loopback HTTP, with site keys in keyring-core's mock store.

use super::{live, open_with_store, seeded};
use sgen_catalog::Catalog;
use sgen_core::connections::lifecycle::{NewConnectionRequest, Revocation};
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::model::ConnectionState;
use sgen_core::{Core, CoreError, Secret};
use sgen_sandbox::{Faults, Sandbox};
use std::collections::BTreeMap;

/// A well-formed Brevo key that is easy to find in a file: `ca11ab1e…`.
const CANARY_KEY: &str =
    "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";

fn sandbox() -> Sandbox {
    Sandbox::start(Catalog::embedded().unwrap(), 42).unwrap()
}

fn brevo(sandbox: &Sandbox, key: &str) -> NewConnectionRequest {
    NewConnectionRequest {
        connector_type: "brevo".into(),
        display_name: "Brevo — canary".into(),
        auth_flow: "api_key".into(),
        fields: BTreeMap::from([("api_key".to_string(), Secret::new(key))]),
        api_base_override: Some(sandbox.api_base("brevo").unwrap()),
    }
}

fn connection_count(core: &Core, summary: &sgen_core::demo::DemoSummary) -> u32 {
    core.connections(&live(summary), &Default::default())
        .unwrap()
        .total
}

/// Every byte SQLite has written for the data directory.
fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    ["sgen.sqlite3", "sgen.sqlite3-wal"]
        .iter()
        .filter_map(|name| std::fs::read(dir.join(name)).ok())
        .flatten()
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_key_that_passes_its_test_becomes_an_active_connection_with_a_sealed_credential() {
    let (dir, core, summary) = seeded(100);
    let sandbox = sandbox();
    let before = connection_count(&core, &summary);

    let detail = core
        .create_connection(&live(&summary), brevo(&sandbox, CANARY_KEY))
        .unwrap();
    let record = &detail.row.record;
    assert_eq!(record.state, ConnectionState::Active);
    assert_eq!(record.auth_flow, "api_key");
    assert!(record.has_credential);
    assert_eq!(record.last_test_outcome.as_deref(), Some("connected"));
    assert_eq!(
        record.vendor_account_id.as_deref(),
        Some(sandbox.account_for("brevo", CANARY_KEY).as_str())
    );
    assert_eq!(detail.transitions.len(), 1);
    assert!(detail.transitions[0].cause.contains("test call: connected"));
    assert_eq!(connection_count(&core, &summary), before + 1);

    assert!(!contains(&database_bytes(dir.path()), "ca11ab1eca11ab1e"));
    assert!(!format!("{:?}", brevo(&sandbox, CANARY_KEY)).contains("ca11ab1e"));
}

#[test]
fn a_key_the_vendor_refuses_stores_nothing_and_says_why() {
    let (dir, core, summary) = seeded(100);
    let sandbox = sandbox();
    let account = sandbox.account_for("brevo", CANARY_KEY);
    let revoked = Faults {
        revoked: true,
        ..Faults::default()
    };
    sandbox.set_faults("brevo", &account, revoked).unwrap();
    let before = connection_count(&core, &summary);

    let err = core
        .create_connection(&live(&summary), brevo(&sandbox, CANARY_KEY))
        .unwrap_err();
    assert_eq!(err.code(), "test_failed");
    assert!(matches!(
        err,
        CoreError::TestFailed(TestOutcome::CredentialRevoked)
    ));
    assert!(err.to_string().contains("revoked"), "{err}");
    assert_eq!(connection_count(&core, &summary), before);
    assert!(!contains(&database_bytes(dir.path()), "ca11ab1eca11ab1e"));
}

#[test]
fn bad_forms_are_refused_before_anything_is_sent() {
    let (_dir, core, summary) = seeded(100);
    let sandbox = sandbox();
    let cases: Vec<(NewConnectionRequest, &str)> = vec![
        (
            brevo(&sandbox, "sk_live_wrong"),
            "does not look like a Brevo API key",
        ),
        (
            NewConnectionRequest {
                fields: BTreeMap::new(),
                ..brevo(&sandbox, CANARY_KEY)
            },
            "API key is required",
        ),
        (
            NewConnectionRequest {
                auth_flow: "oauth2".into(),
                ..brevo(&sandbox, CANARY_KEY)
            },
            "connects with api_key",
        ),
        (
            NewConnectionRequest {
                connector_type: "nope".into(),
                ..brevo(&sandbox, CANARY_KEY)
            },
            "connector `nope` was not found",
        ),
        (
            NewConnectionRequest {
                display_name: "  ".into(),
                ..brevo(&sandbox, CANARY_KEY)
            },
            "display name",
        ),
        (
            NewConnectionRequest {
                api_base_override: Some("http://example.com/v3".into()),
                ..brevo(&sandbox, CANARY_KEY)
            },
            "must use https",
        ),
    ];
    for (request, expected) in cases {
        let err = core
            .create_connection(&live(&summary), request)
            .unwrap_err();
        assert!(err.to_string().contains(expected), "{err} / {expected}");
        assert!(!err.to_string().contains("ca11ab1e"), "{err}");
    }
}

#[test]
fn without_a_usable_keyring_nothing_is_stored() {
    let (dir, core, summary) = seeded(100);
    drop(core);
    // The same data directory, now with a keyring that refuses access.
    let core = open_with_store(dir.path(), sgen_vault::testing::locked_store());
    let before = connection_count(&core, &summary);
    let err = core
        .create_connection(&live(&summary), brevo(&sandbox(), CANARY_KEY))
        .unwrap_err();
    assert_eq!(err.code(), "secure_storage_unavailable");
    assert_eq!(connection_count(&core, &summary), before);
}

#[test]
fn tests_follow_the_vendor_and_move_the_observed_state() {
    let (_dir, core, summary) = seeded(100);
    let sandbox = sandbox();
    let id = core
        .create_connection(&live(&summary), brevo(&sandbox, CANARY_KEY))
        .unwrap()
        .row
        .record
        .id;
    let account = sandbox.account_for("brevo", CANARY_KEY);
    let fault = |faults: Faults| sandbox.set_faults("brevo", &account, faults).unwrap();

    fault(Faults {
        revoked: true,
        ..Faults::default()
    });
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::CredentialRevoked
    );
    assert_eq!(state(&core, &id), ConnectionState::AuthRevoked);

    // A vendor outage says nothing about the credential: the state stays.
    fault(Faults {
        status: Some(503),
        ..Faults::default()
    });
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::VendorError { code: 503 }
    );
    assert_eq!(state(&core, &id), ConnectionState::AuthRevoked);

    fault(Faults::default());
    sandbox.set_offline("brevo", true).unwrap();
    assert!(matches!(
        core.test_connection(&id).unwrap(),
        TestOutcome::NetworkError { .. }
    ));
    sandbox.set_offline("brevo", false).unwrap();

    assert!(matches!(
        core.test_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));
    assert_eq!(state(&core, &id), ConnectionState::Active);
    let causes: Vec<String> = core
        .connection(&id)
        .unwrap()
        .transitions
        .into_iter()
        .map(|t| t.cause)
        .collect();
    assert!(causes.iter().any(|c| c.contains("revoked")), "{causes:?}");
}

#[test]
fn pause_holds_the_state_and_resume_tests_first() {
    let (_dir, core, summary) = seeded(100);
    let sandbox = sandbox();
    let id = core
        .create_connection(&live(&summary), brevo(&sandbox, CANARY_KEY))
        .unwrap()
        .row
        .record
        .id;
    let account = sandbox.account_for("brevo", CANARY_KEY);

    assert_eq!(
        core.pause_connection(&id).unwrap().row.record.state,
        ConnectionState::Paused
    );
    assert_eq!(
        core.pause_connection(&id).unwrap_err().code(),
        "invalid_argument"
    );
    // A test while paused is recorded, but only resume ends a pause.
    let revoked = Faults {
        revoked: true,
        ..Faults::default()
    };
    sandbox.set_faults("brevo", &account, revoked).unwrap();
    core.test_connection(&id).unwrap();
    assert_eq!(state(&core, &id), ConnectionState::Paused);

    let resumed = core.resume_connection(&id).unwrap();
    assert_eq!(resumed.outcome, TestOutcome::CredentialRevoked);
    assert_eq!(resumed.detail.row.record.state, ConnectionState::Error);

    sandbox
        .set_faults("brevo", &account, Faults::default())
        .unwrap();
    core.pause_connection(&id).unwrap();
    let resumed = core.resume_connection(&id).unwrap();
    assert!(matches!(resumed.outcome, TestOutcome::Connected { .. }));
    assert_eq!(resumed.detail.row.record.state, ConnectionState::Active);
    assert_eq!(
        core.resume_connection(&id).unwrap_err().code(),
        "invalid_argument"
    );
}

#[test]
fn disconnect_removes_the_connection_and_keeps_the_audit_trail() {
    let (dir, core, summary) = seeded(100);
    let sandbox = sandbox();
    let id = core
        .create_connection(&live(&summary), brevo(&sandbox, CANARY_KEY))
        .unwrap()
        .row
        .record
        .id;
    core.test_connection(&id).unwrap();
    assert_eq!(
        core.disconnect_connection(&id).unwrap(),
        Revocation::Unsupported
    );
    assert_eq!(core.connection(&id).unwrap_err().code(), "not_found");
    assert_eq!(core.test_connection(&id).unwrap_err().code(), "not_found");
    drop(core);

    let db = rusqlite::Connection::open(dir.path().join("sgen.sqlite3")).unwrap();
    let actions: Vec<(String, String, String)> = db
        .prepare("SELECT action, outcome, details FROM activity_log WHERE connection_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = actions.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "connection.create",
            "connection.test",
            "connection.disconnect"
        ]
    );
    assert!(actions[2].2.contains("\"revocation\":\"unsupported\""));
    let leftover: i64 = db
        .query_row(
            "SELECT count(*) FROM connection_transitions WHERE connection_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leftover, 0);
}

/// A demo data directory reopened on a keyring the test keeps (as the OS keyring outlives the
/// app), with a Brevo connection to the sandbox vendor.
fn sandbox_brevo_on_one_keyring() -> (
    tempfile::TempDir,
    std::sync::Arc<keyring_core::CredentialStore>,
    Core,
    sgen_core::demo::DemoSummary,
    String,
) {
    let (dir, core, summary) = seeded(100);
    drop(core);
    let keyring: std::sync::Arc<keyring_core::CredentialStore> =
        keyring_core::mock::Store::new().unwrap();
    let core = open_with_store(dir.path(), keyring.clone());
    let request = NewConnectionRequest {
        api_base_override: Some(sgen_core::SANDBOX_ENDPOINT.into()),
        ..brevo(&sandbox(), CANARY_KEY)
    };
    let id = core
        .create_connection(&live(&summary), request)
        .unwrap()
        .row
        .record
        .id;
    (dir, keyring, core, summary, id)
}

fn state(core: &Core, id: &str) -> ConnectionState {
    core.connection(id).unwrap().row.record.state
}

#[test]
fn a_sandbox_connection_follows_its_vendor_across_restarts_and_takes_faults() {
    let (dir, keyring, core, summary, id) = sandbox_brevo_on_one_keyring();
    core.set_sandbox_faults(
        &id,
        sgen_core::SandboxFaults {
            token_expired: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::CredentialExpired
    );
    assert_eq!(state(&core, &id), ConnectionState::AuthExpired);
    drop(core);

    // A new process: a new sandbox on new ports, the same account, no faults.
    let core = open_with_store(dir.path(), keyring);
    assert!(matches!(
        core.test_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));
    assert_eq!(state(&core, &id), ConnectionState::Active);

    // Both changes entered the event log as the app's own events, for automations.
    let query = sgen_core::inbound::event_log::EventQuery {
        connection_id: Some(id.clone()),
        arrival: Some("app".into()),
        ..Default::default()
    };
    let page = core.events_query(&live(&summary), &query).unwrap();
    let types: Vec<&str> = page.rows.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(
        types,
        ["connection.restored", "connection.credentials_expired"]
    );
    let detail = core.event_detail(&page.rows[1].id).unwrap();
    assert_eq!(
        (&detail.payload["from"], &detail.payload["to"]),
        (&"active".into(), &"auth_expired".into())
    );
}

#[test]
fn keys_are_filed_per_data_directory_and_an_earlier_builds_shared_entry_is_adopted() {
    let (dir, keyring, core, summary, id) = sandbox_brevo_on_one_keyring();
    drop(core);

    // Make the directory look as an earlier build left it: the key under the name every data
    // directory shared, and no record of the move.
    let db = rusqlite::Connection::open(dir.path().join(sgen_core::DATABASE_FILE)).unwrap();
    let dir_id: String = db
        .query_row(
            "SELECT value FROM app_settings WHERE key = 'data_dir_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "DELETE FROM app_settings WHERE key = 'keyring_entries_namespaced'",
        [],
    )
    .unwrap();
    let service = "com.sgen.integrations";
    let own = keyring
        .build(
            service,
            &format!("site-data-key/{dir_id}/{}", summary.site_id),
            None,
        )
        .unwrap();
    let key = own.get_secret().unwrap();
    own.delete_credential().unwrap();
    let shared = keyring
        .build(service, &format!("site-data-key/{}", summary.site_id), None)
        .unwrap();
    shared.set_secret(&key).unwrap();

    let core = open_with_store(dir.path(), keyring.clone());
    assert!(matches!(
        core.test_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));
    assert_eq!(
        own.get_secret().unwrap(),
        key,
        "filed under this directory's id"
    );
    assert_eq!(
        shared.get_secret().unwrap(),
        key,
        "left for other directories"
    );
}

#[test]
fn fault_controls_are_only_for_sandbox_connections() {
    let (_dir, core, summary) = seeded(100);
    let id = core
        .create_connection(&live(&summary), brevo(&sandbox(), CANARY_KEY))
        .unwrap()
        .row
        .record
        .id;
    let err = core
        .set_sandbox_faults(&id, Default::default())
        .unwrap_err();
    assert!(err
        .to_string()
        .contains("only a connection to a sandbox vendor"));
}

#[test]
fn a_client_credentials_connection_fetches_tests_and_renews_its_token() {
    let (_dir, core, summary) = seeded(100);
    let paypal = Catalog::embedded().unwrap().get("paypal").unwrap().clone();
    let example = |name: &str| {
        paypal
            .credential_fields
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .example
            .clone()
    };
    let request = NewConnectionRequest {
        connector_type: "paypal".into(),
        display_name: "PayPal (sandbox)".into(),
        auth_flow: "client_credentials".into(),
        fields: BTreeMap::from([
            ("client_id".to_string(), Secret::new(example("client_id"))),
            (
                "client_secret".to_string(),
                Secret::new(example("client_secret")),
            ),
        ]),
        api_base_override: Some(sgen_core::SANDBOX_ENDPOINT.into()),
    };
    let detail = core.create_connection(&live(&summary), request).unwrap();
    let r = &detail.row.record;
    assert_eq!(
        (r.state, r.auth_flow.as_str()),
        (ConnectionState::Active, "client_credentials")
    );
    assert!(r.expires_at.is_some() && !r.has_refresh_token);
    assert!(matches!(
        core.refresh_connection(&r.id).unwrap(),
        TestOutcome::Connected { .. }
    ));

    // Renewed, not refreshed: still no refresh token, and a later expiry.
    let renewed = core.connection(&r.id).unwrap().row.record;
    assert!(!renewed.has_refresh_token);
    assert!(renewed.expires_at >= r.expires_at);
}

#[test]
fn the_demo_connections_hold_working_sandbox_credentials_and_show_their_state() {
    let dir = tempfile::tempdir().unwrap();
    let core = super::open(dir.path());
    let summary = core
        .seed_demo(
            &sgen_core::demo::DemoOptions {
                delivery_attempts: 100,
                sandbox_credentials: true,
                ..Default::default()
            },
            |_, _| {},
        )
        .unwrap();
    let mut rows = core
        .connections(&live(&summary), &Default::default())
        .unwrap()
        .rows;
    rows.extend(
        core.connections(
            &sgen_core::kernel::sites::SiteEnvironment {
                site_id: summary.site_id.clone(),
                environment: sgen_core::model::EnvironmentName::Staging,
            },
            &Default::default(),
        )
        .unwrap()
        .rows,
    );
    assert_eq!(rows.len() as u32, summary.connections);
    let without: Vec<&str> = rows
        .iter()
        .filter(|r| !r.record.has_credential)
        .map(|r| r.record.connector_type.as_str())
        .collect();
    assert!(without.is_empty(), "no credential: {without:?}");
    assert_eq!(summary.connections_with_credentials, summary.connections);
    for row in &rows {
        let record = &row.record;
        let what = format!("{} ({})", record.display_name, record.auth_flow);
        assert!(record.has_credential, "{what}");
        assert_eq!(
            record.base_url_override.as_deref(),
            Some("sandbox"),
            "{what}"
        );
        if record.auth_flow == "oauth2" {
            assert!(record.has_refresh_token, "{what}");
        }
        let outcome = core.test_connection(&record.id).unwrap();
        let expected = match record.state {
            ConnectionState::AuthRevoked => TestOutcome::CredentialRevoked,
            ConnectionState::AuthExpired => TestOutcome::CredentialExpired,
            ConnectionState::Error if record.connector_type != "pipedrive" => {
                assert!(
                    matches!(outcome, TestOutcome::VendorError { code: 503 | 429 }),
                    "{what}: {outcome:?}"
                );
                continue;
            }
            _ => {
                assert!(
                    matches!(outcome, TestOutcome::Connected { .. }),
                    "{what}: {outcome:?}"
                );
                continue;
            }
        };
        assert_eq!(outcome, expected, "{what}");
    }
}
