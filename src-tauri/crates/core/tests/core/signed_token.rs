//! Signed-token (outbound webhook) connections against the sandbox webhook receiver: the secret
//! is made by the app and shown once, nothing is stored until the receiver accepts a signed test
//! message, and the receiver's refusals and faults map to test outcomes.

use super::{live, open_with_store, seeded};
use sgen_core::connections::lifecycle::{NewConnectionRequest, Revocation};
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::model::ConnectionState;
use sgen_core::{CoreError, SandboxFaults, Secret, SANDBOX_ENDPOINT};
use std::collections::BTreeMap;

pub(super) fn webhook(endpoint: &str) -> NewConnectionRequest {
    NewConnectionRequest {
        connector_type: "webhook".into(),
        display_name: "Order relay".into(),
        auth_flow: "signed_token".into(),
        fields: BTreeMap::from([("endpoint_url".to_string(), Secret::new(endpoint))]),
        api_base_override: Some(SANDBOX_ENDPOINT.into()),
    }
}

fn connection_total(core: &sgen_core::Core, summary: &sgen_core::demo::DemoSummary) -> u32 {
    core.connections(&live(summary), &Default::default())
        .unwrap()
        .total
}

#[test]
fn the_secret_is_shown_once_and_stored_only_when_the_receiver_accepts_its_signature() {
    let (dir, core, summary) = seeded(100);
    let before = connection_total(&core, &summary);
    let issued = core
        .begin_signed_token(&live(&summary), webhook("https://hooks.example.com/sgen"))
        .unwrap();
    assert!(issued.signing_secret.starts_with("whsec_"));
    assert!(issued.sandbox_receiver);

    // The receiver does not know the secret yet: refused, nothing stored, and the pending
    // secret survives so the operator can fix their endpoint and try again.
    let err = core.finish_signed_token(&issued.pending_id).unwrap_err();
    assert!(
        matches!(err, CoreError::TestFailed(TestOutcome::CredentialRevoked)),
        "{err}"
    );
    assert_eq!(connection_total(&core, &summary), before);

    core.register_signing_secret_with_sandbox(&issued.pending_id)
        .unwrap();
    let detail = core.finish_signed_token(&issued.pending_id).unwrap();
    let record = &detail.row.record;
    assert_eq!(record.state, ConnectionState::Active);
    assert_eq!(record.auth_flow, "signed_token");
    assert!(record.has_credential);
    assert_eq!(connection_total(&core, &summary), before + 1);
    // Finished means forgotten: the secret cannot be fetched or used again from here.
    assert_eq!(
        core.finish_signed_token(&issued.pending_id)
            .unwrap_err()
            .code(),
        "not_found"
    );

    let secret_part = &issued.signing_secret["whsec_".len()..];
    let bytes: Vec<u8> = ["sgen.sqlite3", "sgen.sqlite3-wal"]
        .iter()
        .filter_map(|name| std::fs::read(dir.path().join(name)).ok())
        .flatten()
        .collect();
    assert!(!bytes
        .windows(secret_part.len())
        .any(|w| w == secret_part.as_bytes()));
}

#[test]
fn receiver_faults_and_restarts_show_in_tests() {
    let (dir, core, summary) = seeded(100);
    drop(core);
    let keyring: std::sync::Arc<keyring_core::CredentialStore> =
        keyring_core::mock::Store::new().unwrap();
    let core = open_with_store(dir.path(), keyring.clone());
    let issued = core
        .begin_signed_token(&live(&summary), webhook("https://hooks.example.com/sgen"))
        .unwrap();
    core.register_signing_secret_with_sandbox(&issued.pending_id)
        .unwrap();
    let id = core
        .finish_signed_token(&issued.pending_id)
        .unwrap()
        .row
        .record
        .id;

    core.set_sandbox_faults(
        &id,
        SandboxFaults {
            status: Some(503),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::VendorError { code: 503 }
    );
    core.set_sandbox_faults(
        &id,
        SandboxFaults {
            revoked: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::CredentialRevoked
    );
    assert_eq!(
        core.connection(&id).unwrap().row.record.state,
        ConnectionState::AuthRevoked
    );
    drop(core);

    // The next run's receiver still accepts the secret, as a real endpoint would.
    let core = open_with_store(dir.path(), keyring);
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::Connected { account_id: None }
    );
    assert_eq!(
        core.disconnect_connection(&id).unwrap(),
        Revocation::Unsupported
    );
}

#[test]
fn signed_tokens_are_refused_where_they_do_not_belong() {
    let (_dir, core, summary) = seeded(100);
    let scope = live(&summary);
    let err = core.create_connection(&scope, webhook("https://hooks.example.com/x"));
    assert!(err.unwrap_err().to_string().contains("begin_signed_token"));
    let bad_url = core
        .begin_signed_token(&scope, webhook("ftp://hooks.example.com"))
        .unwrap_err();
    assert!(bad_url.to_string().contains("Destination URL"), "{bad_url}");
    let not_webhook = NewConnectionRequest {
        connector_type: "brevo".into(),
        auth_flow: "api_key".into(),
        ..webhook("https://x.example")
    };
    assert!(core.begin_signed_token(&scope, not_webhook).is_err());

    let issued = core
        .begin_signed_token(
            &scope,
            NewConnectionRequest {
                api_base_override: Some("https://93.184.215.14".into()),
                ..webhook("https://93.184.215.14/sgen")
            },
        )
        .unwrap();
    assert!(!issued.sandbox_receiver);
    assert!(core
        .register_signing_secret_with_sandbox(&issued.pending_id)
        .is_err());
    core.cancel_signed_token(&issued.pending_id).unwrap();
    assert_eq!(
        core.finish_signed_token(&issued.pending_id)
            .unwrap_err()
            .code(),
        "not_found"
    );
}
