//! kill -9 in the two windows where the vendor has acted and the app has not yet recorded it.
//! Between a refresh's token response and its commit (the vendor has rotated the refresh
//! token): the connection must come back either with its old credential still working or as
//! `auth_expired`, never as a corrupt row or one the refresher keeps retrying. Between a
//! delivery's answer and its commit: the delivery must be attempted again with the same id,
//! never lost and never marked delivered without a 2xx recorded. The sandbox runs in this process so it outlives the one killed,
//! and remembers which refresh tokens are spent, as a real vendor does. Site keys are in the
//! real Secret Service (both processes must reach them): run inside scripts/with-keyring.sh.

use super::kill_child::{self, stop_dead};
use super::live;
use super::oauth::{browser_returns, consent};
use sgen_catalog::Catalog;
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::demo::DemoOptions;
use sgen_core::model::ConnectionState;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_core::{Access, Core, CoreConfig};
use sgen_sandbox::Sandbox;
use sgen_store::connections::OAuthServer;
use std::sync::Arc;

const CHILD_DATA_DIR: &str = "SGEN_CRASH_CHILD_DATA_DIR";
const CHILD_CONNECTION: &str = "SGEN_CRASH_CHILD_CONNECTION";
/// Which window the child stops in: a fail point's name.
const CHILD_STOPS_AT: &str = "SGEN_CRASH_CHILD_STOPS_AT";
/// Kills per test: 20 in a test run, `SGEN_CRASH_KILLS` (100 in `scripts/fuzz.sh`'s long run).
fn kills() -> usize {
    std::env::var("SGEN_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
}

/// The process the crash tests kill: it refreshes or delivers and stops dead at the fail point.
/// Without the crash tests' environment it has nothing to do.
#[test]
#[ignore = "started by the crash tests"]
fn process_for_the_crash_tests() {
    let (Ok(dir), Ok(id), Ok(stop_at)) = (
        std::env::var(CHILD_DATA_DIR),
        std::env::var(CHILD_CONNECTION),
        std::env::var(CHILD_STOPS_AT),
    ) else {
        return;
    };
    let core = Core::open(CoreConfig::new(dir, Access::ReadWrite)).unwrap();
    fail::cfg_callback(stop_at.clone(), stop_dead).unwrap();
    let finished = match stop_at.as_str() {
        "refresh.after_token_response" => format!("{:?}", core.refresh_connection(&id)),
        _ => format!("{:?}", core.deliver_due(10)),
    };
    panic!("{finished} without reaching the fail point {stop_at}");
}

fn open(dir: &std::path::Path) -> Arc<Core> {
    Arc::new(Core::open(CoreConfig::new(dir, Access::ReadWrite)).unwrap())
}

/// Runs the child until it stops at `fail_point`, then kills it with SIGKILL.
fn run_and_kill(dir: &std::path::Path, id: &str, fail_point: &str) {
    let dir = dir.display().to_string();
    let reached = kill_child::run_and_kill(
        "crash::process_for_the_crash_tests",
        &[
            (CHILD_DATA_DIR, &dir),
            (CHILD_CONNECTION, id),
            (CHILD_STOPS_AT, fail_point),
        ],
    );
    assert!(reached, "the child never reached the fail point");
}

/// A grant for `id` (or a new connection): the authorization flow, consented over HTTP.
fn authorize(core: &Arc<Core>, start: sgen_core::oauth::connect::AuthorizationStarted) -> String {
    let finishing = {
        let core = core.clone();
        std::thread::spawn(move || core.finish_oauth(&start.flow_id))
    };
    assert_eq!(
        browser_returns(&consent(&start.authorize_url, "approve")),
        200
    );
    finishing.join().unwrap().unwrap().row.record.id
}

fn assert_intact(dir: &std::path::Path) {
    let check = rusqlite::Connection::open(dir.join(sgen_core::DATABASE_FILE)).unwrap();
    let integrity: String = check
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn a_kill_between_token_response_and_commit_never_corrupts_or_loops() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(Catalog::embedded().unwrap(), 9).unwrap();
    let urls = sandbox.oauth_endpoints("hubspot").unwrap();
    let core = open(dir.path());
    let summary = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: 100,
                ..Default::default()
            },
            |_, _| {},
        )
        .unwrap();
    let request = OAuthConnectRequest {
        connector_type: "hubspot".into(),
        display_name: "HubSpot (crash test)".into(),
        scopes: vec!["oauth".into()],
        api_base_override: Some(sandbox.api_base("hubspot").unwrap()),
        oauth_server: Some(OAuthServer {
            authorize_url: urls.authorize_url,
            token_url: urls.token_url,
            revoke_url: Some(urls.revoke_url),
            issuer: Some(urls.issuer),
            client_id: "sgen-integrations-desktop".into(),
        }),
    };
    let id = authorize(&core, core.begin_oauth(&live(&summary), request).unwrap());
    drop(core);

    for round in 0..kills() {
        run_and_kill(dir.path(), &id, "refresh.after_token_response");
        assert_intact(dir.path());

        let core = open(dir.path());
        let record = core.connection(&id).unwrap().row.record;
        assert_eq!(record.state, ConnectionState::Active, "round {round}");
        assert!(record.has_refresh_token, "round {round}");
        assert!(record.has_credential, "round {round}");
        // The old access token was never replaced and still works.
        assert!(
            matches!(
                core.test_connection(&id).unwrap(),
                TestOutcome::Connected { .. }
            ),
            "round {round}"
        );
        // The stored refresh token is the one the vendor rotated away: refused once, which
        // needs the person again, then gone, so nothing (the refresher included) retries it.
        let refused = core.refresh_connection(&id).unwrap_err();
        assert!(
            refused.to_string().contains("invalid_grant"),
            "round {round}: {refused}"
        );
        let record = core.connection(&id).unwrap().row.record;
        assert_eq!(record.state, ConnectionState::AuthExpired, "round {round}");
        assert!(!record.has_refresh_token, "round {round}");
        assert_eq!(core.refresh_due(1).unwrap().due, 0, "round {round}");
        let again = core.refresh_connection(&id).unwrap_err();
        assert!(
            again.to_string().contains("authorize again"),
            "round {round}: {again}"
        );

        // The person authorizes again; the next round starts from a healthy grant.
        let again = core
            .begin_reauthorization(&id, vec!["oauth".into()])
            .unwrap();
        assert_eq!(authorize(&core, again), id);
        assert!(core.connection(&id).unwrap().row.record.has_refresh_token);
    }
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn a_kill_between_a_deliverys_answer_and_its_commit_loses_nothing() {
    const KEY: &str =
        "xkeysib-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-AbCdEfGhIjKlMnOp";
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(Catalog::embedded().unwrap(), 9).unwrap();
    let core = open(dir.path());
    let summary = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: 100,
                ..Default::default()
            },
            |_, _| {},
        )
        .unwrap();
    let id = core
        .create_connection(
            &live(&summary),
            sgen_core::connections::lifecycle::NewConnectionRequest {
                connector_type: "brevo".into(),
                display_name: "Brevo (crash test)".into(),
                auth_flow: "api_key".into(),
                fields: [("api_key".to_string(), sgen_core::Secret::new(KEY))].into(),
                api_base_override: Some(sandbox.api_base("brevo").unwrap()),
            },
        )
        .unwrap()
        .row
        .record
        .id;
    let scope = live(&summary);
    let log = |core: &Core| {
        // Every attempt of the run, however many kills it makes (the default page is 50).
        let query = sgen_core::delivery::log::DeliveryQuery {
            connection_id: Some(id.clone()),
            limit: Some(sgen_core::delivery::log::MAX_LIMIT),
            ..Default::default()
        };
        core.deliveries(&scope, &query).unwrap().rows
    };
    let mut sent = Vec::new();
    drop(core);

    for round in 0..kills() {
        let core = open(dir.path());
        let event = sgen_core::delivery::enqueue::OutboundEvent {
            originating_module: "notifications".into(),
            event_identifier: format!("password.reset usr_{round}"),
            payload: serde_json::json!({"templateId": 7}),
        };
        sent.push(
            core.send_event(&id, "send_transactional_email", event)
                .unwrap()
                .delivery_id,
        );
        drop(core);

        // The vendor answered 200; the process dies before recording it.
        run_and_kill(dir.path(), &id, "delivery.after_answer");
        assert_intact(dir.path());
        let core = open(dir.path());
        assert!(
            !log(&core).iter().any(|a| a.delivery_id == sent[round]),
            "round {round}: an attempt was recorded that was never committed"
        );
        // The next process frees what the killed one had leased and attempts it again at
        // once, with the same id.
        let round_result = core.deliver_due(10).unwrap();
        assert_eq!(
            (round_result.attempted, round_result.delivered),
            (1, 1),
            "round {round}: attempted again at once"
        );
        drop(core);
    }
    let core = open(dir.path());
    let attempts = log(&core);
    for id in &sent {
        let mine: Vec<_> = attempts.iter().filter(|a| &a.delivery_id == id).collect();
        assert_eq!(mine.len(), 1, "{id}: {} attempts recorded", mine.len());
        assert_eq!(mine[0].vendor_response_code, Some(200));
        assert_eq!(mine[0].outcome.as_str(), "delivered");
    }
}
