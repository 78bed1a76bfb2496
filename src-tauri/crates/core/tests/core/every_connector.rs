//! Every auth flow of every catalog connector, against its sandbox vendor: create through the
//! flow an operator uses, test, refresh where there is a token, take every fault and see the
//! test outcome and state it means, then disconnect.

use super::oauth::{browser_returns, consent};
use super::{live, seeded};
use sgen_catalog::{AuthFlow, Catalog, Manifest};
use sgen_core::connections::lifecycle::{NewConnectionRequest, Revocation};
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::model::ConnectionState;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_core::{Core, SandboxFaults, Secret, SANDBOX_ENDPOINT};
use std::collections::BTreeMap;
use std::sync::Arc;

fn fields(manifest: &Manifest, flow: AuthFlow) -> BTreeMap<String, Secret> {
    manifest
        .credential_fields
        .iter()
        .filter(|f| f.flows.is_empty() || f.flows.contains(&flow))
        .map(|f| (f.name.clone(), Secret::new(f.example.clone())))
        .collect()
}

/// Connects with `flow` the way the window does, playing the person where one is needed.
fn create(
    core: &Arc<Core>,
    scope: &sgen_core::kernel::sites::SiteEnvironment,
    m: &Manifest,
    flow: AuthFlow,
) -> String {
    let name = format!("{} via {}", m.display_name, flow.as_str());
    let request = NewConnectionRequest {
        connector_type: m.slug.clone(),
        display_name: name.clone(),
        auth_flow: flow.as_str().into(),
        fields: fields(m, flow),
        api_base_override: Some(SANDBOX_ENDPOINT.into()),
    };
    let detail = match flow {
        AuthFlow::Oauth2 => {
            let started = core
                .begin_oauth(
                    scope,
                    OAuthConnectRequest {
                        connector_type: m.slug.clone(),
                        display_name: name,
                        scopes: Vec::new(),
                        api_base_override: Some(SANDBOX_ENDPOINT.into()),
                        oauth_server: None,
                    },
                )
                .unwrap();
            let authorize_url = started.authorize_url.clone();
            let finishing = {
                let core = core.clone();
                std::thread::spawn(move || core.finish_oauth(&started.flow_id))
            };
            let back_to_app = consent(&authorize_url, "approve");
            if back_to_app.starts_with("http") {
                assert_eq!(browser_returns(&back_to_app), 200);
            } else {
                // A vendor that refuses loopback (Square) sends an app link, which the OS
                // hands to the app.
                core.receive_deep_link(&back_to_app).unwrap();
            }
            finishing.join().unwrap()
        }
        AuthFlow::SignedToken => {
            let issued = core.begin_signed_token(scope, request).unwrap();
            core.register_signing_secret_with_sandbox(&issued.pending_id)
                .unwrap();
            core.finish_signed_token(&issued.pending_id)
        }
        _ => core.create_connection(scope, request),
    };
    let detail = detail.unwrap_or_else(|e| panic!("{} via {}: {e}", m.slug, flow.as_str()));
    assert_eq!(detail.row.record.state, ConnectionState::Active);
    detail.row.record.id
}

fn faulted(core: &Core, id: &str, faults: SandboxFaults) -> (TestOutcome, ConnectionState) {
    core.set_sandbox_faults(id, faults).unwrap();
    let outcome = core.test_connection(id).unwrap();
    core.set_sandbox_faults(id, SandboxFaults::default())
        .unwrap();
    (outcome, core.connection(id).unwrap().row.record.state)
}

#[test]
fn every_flow_of_every_connector_connects_tests_refreshes_takes_faults_and_disconnects() {
    let (_dir, core, summary) = seeded(100);
    let core = Arc::new(core);
    let scope = live(&summary);
    let catalog = Catalog::embedded().unwrap();
    let mut covered = 0;
    for m in catalog.all() {
        for &flow in &m.auth_flows {
            let what = format!("{} via {}", m.slug, flow.as_str());
            let id = create(&core, &scope, m, flow);
            assert!(
                matches!(
                    core.test_connection(&id).unwrap(),
                    TestOutcome::Connected { .. }
                ),
                "{what}"
            );
            let has_token = matches!(flow, AuthFlow::Oauth2 | AuthFlow::ClientCredentials);
            match core.refresh_connection(&id) {
                Ok(outcome) => {
                    assert!(has_token, "{what}");
                    assert!(matches!(outcome, TestOutcome::Connected { .. }), "{what}");
                }
                Err(e) => assert!(!has_token && e.code() == "invalid_argument", "{what}: {e}"),
            }

            let revoked = faulted(
                &core,
                &id,
                SandboxFaults {
                    revoked: true,
                    ..Default::default()
                },
            );
            assert_eq!(
                revoked,
                (TestOutcome::CredentialRevoked, ConnectionState::AuthRevoked),
                "{what}"
            );
            let expired = faulted(
                &core,
                &id,
                SandboxFaults {
                    token_expired: true,
                    ..Default::default()
                },
            );
            assert_eq!(
                expired,
                (TestOutcome::CredentialExpired, ConnectionState::AuthExpired),
                "{what}"
            );
            let failing = faulted(
                &core,
                &id,
                SandboxFaults {
                    status: Some(503),
                    ..Default::default()
                },
            );
            // A vendor failure says nothing about the credential: the state stays.
            assert_eq!(
                failing,
                (
                    TestOutcome::VendorError { code: 503 },
                    ConnectionState::AuthExpired
                ),
                "{what}"
            );
            let limited = faulted(
                &core,
                &id,
                SandboxFaults {
                    status: Some(429),
                    ..Default::default()
                },
            );
            assert_eq!(limited.0, TestOutcome::VendorError { code: 429 }, "{what}");
            let forbidden = faulted(
                &core,
                &id,
                SandboxFaults {
                    status: Some(403),
                    ..Default::default()
                },
            );
            assert!(
                matches!(forbidden.0, TestOutcome::ScopeInsufficient { .. }),
                "{what}"
            );
            assert_eq!(forbidden.1, ConnectionState::Error, "{what}");
            if let Some(scope) = m.test_call.required_scopes.first() {
                let dropped = faulted(
                    &core,
                    &id,
                    SandboxFaults {
                        dropped_scopes: vec![scope.clone()],
                        ..Default::default()
                    },
                );
                assert_eq!(
                    dropped.0,
                    TestOutcome::ScopeInsufficient {
                        missing_scopes: vec![scope.clone()]
                    },
                    "{what}"
                );
            }
            let slow = faulted(
                &core,
                &id,
                SandboxFaults {
                    latency_ms: 20,
                    ..Default::default()
                },
            );
            assert_eq!(slow.1, ConnectionState::Active, "{what}");
            core.set_sandbox_offline(&id, true).unwrap();
            let offline = core.test_connection(&id).unwrap();
            core.set_sandbox_offline(&id, false).unwrap();
            assert!(
                matches!(offline, TestOutcome::NetworkError { .. }),
                "{what}: {offline:?}"
            );

            let expected = match (flow, &m.revocation) {
                (_, sgen_catalog::Revocation::Unsupported { .. }) => Revocation::Unsupported,
                (AuthFlow::Oauth2, _) => Revocation::Revoked,
                _ => Revocation::Unsupported,
            };
            assert_eq!(core.disconnect_connection(&id).unwrap(), expected, "{what}");
            covered += 1;
        }
    }
    assert!(covered >= 20, "only {covered} flows");
}
