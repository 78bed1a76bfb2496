//! Revocation at the sandbox vendor's RFC 7009 endpoint, checked at the server: what it was
//! sent (`token_type_hint`), retries while it fails, the activity log's final result, and the
//! old grant a re-authorization gives up.

use super::oauth::{connect, fixture, reauthorize, Fixture};
use sgen_core::connections::lifecycle::Revocation;
use sgen_core::connections::revocation::RevocationRound;
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::SandboxFaults;

/// The `token_type_hint` of each revocation the connection's sandbox vendor was sent.
fn hints(f: &Fixture, connection_id: &str) -> Vec<String> {
    let vendor = f.core.sandbox_state(connection_id).unwrap().address;
    serde_json::from_value(super::sandbox_requests(&vendor)["revocation_hints"].clone()).unwrap()
}

/// `connection.revoke` rows of a connection: (outcome, details).
fn revoke_rows(f: &Fixture, connection_id: &str) -> Vec<(String, serde_json::Value)> {
    let db = rusqlite::Connection::open(f._dir.path().join("sgen.sqlite3")).unwrap();
    let rows = db
        .prepare(
            "SELECT outcome, details FROM activity_log
             WHERE connection_id = ?1 AND action = 'connection.revoke' ORDER BY id",
        )
        .unwrap()
        .query_map([connection_id], |r| {
            Ok((
                r.get(0)?,
                serde_json::from_str(&r.get::<_, String>(1)?).unwrap(),
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows
}

fn pending_rows(f: &Fixture) -> i64 {
    let db = rusqlite::Connection::open(f._dir.path().join("sgen.sqlite3")).unwrap();
    db.query_row("SELECT count(*) FROM pending_revocations", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn disconnect_sends_the_refresh_token_with_its_hint_and_logs_the_result() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    let witness = connect(&f, "approve").unwrap().row.record.id;
    assert_eq!(
        f.core.disconnect_connection(&id).unwrap(),
        Revocation::Revoked
    );
    assert_eq!(hints(&f, &witness), ["refresh_token"]);
    let rows = revoke_rows(&f, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "success");
    assert_eq!(rows[0].1["reason"], "disconnect");
    assert_eq!(rows[0].1["attempts"], 1);
    assert_eq!(pending_rows(&f), 0, "the kept token is gone with its row");
}

#[test]
fn a_failing_vendor_gets_the_revocation_again_until_it_confirms() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    // Another connection to the same vendor and account: the fault controls outlive `id`.
    let witness = connect(&f, "approve").unwrap().row.record.id;
    let failing = SandboxFaults {
        status: Some(503),
        ..Default::default()
    };
    f.core.set_sandbox_faults(&witness, failing).unwrap();

    assert_eq!(
        f.core.disconnect_connection(&id).unwrap(),
        Revocation::Pending
    );
    assert_eq!(f.core.connection(&id).unwrap_err().code(), "not_found");
    assert!(revoke_rows(&f, &id).is_empty(), "no result yet");
    assert_eq!(pending_rows(&f), 1);
    assert_eq!(
        f.core.retry_due_revocations().unwrap(),
        RevocationRound::default(),
        "the next attempt waits a minute"
    );

    f.clock.advance(61_000);
    let round = f.core.retry_due_revocations().unwrap();
    assert_eq!(round.retrying, 1, "{round:?}");

    f.core
        .set_sandbox_faults(&witness, Default::default())
        .unwrap();
    f.clock.advance(5 * 60_000);
    let round = f.core.retry_due_revocations().unwrap();
    assert_eq!(round.revoked, 1, "{round:?}");
    assert_eq!(hints(&f, &witness).len(), 3);
    let rows = revoke_rows(&f, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0.as_str(), &rows[0].1["attempts"]),
        ("success", &3.into())
    );
    assert_eq!(pending_rows(&f), 0);
    // Both connections consented as one account, but each is a grant of its own.
    assert!(matches!(
        f.core.test_connection(&witness).unwrap(),
        TestOutcome::Connected { .. }
    ));
}

#[test]
fn a_vendor_that_stays_unreachable_gets_eight_attempts_then_a_recorded_failure() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    let witness = connect(&f, "approve").unwrap().row.record.id;
    f.core.set_sandbox_offline(&witness, true).unwrap();
    assert_eq!(
        f.core.disconnect_connection(&id).unwrap(),
        Revocation::Pending
    );
    let mut rounds = Vec::new();
    for _ in 0..10 {
        f.clock.advance(25 * 3_600_000);
        rounds.push(f.core.retry_due_revocations().unwrap());
    }
    let retried: usize = rounds.iter().map(|r| r.retrying).sum();
    let given_up: usize = rounds.iter().map(|r| r.given_up).sum();
    assert_eq!((retried, given_up), (6, 1), "{rounds:?}");
    let rows = revoke_rows(&f, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "failure");
    assert_eq!(rows[0].1["attempts"], 8);
    assert!(
        rows[0].1["error"]
            .as_str()
            .unwrap()
            .contains("could not reach"),
        "{:?}",
        rows[0].1
    );
    assert_eq!(pending_rows(&f), 0);
}

#[test]
fn a_reauthorization_revokes_the_grant_it_replaces_and_keeps_the_new_one() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    let scopes = [
        "oauth",
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
    ];
    reauthorize(&f, &id, &scopes, "approve").unwrap();

    assert_eq!(hints(&f, &id), ["refresh_token"]);
    let rows = revoke_rows(&f, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "success");
    assert_eq!(rows[0].1["reason"], "reauthorize");
    // The new grant works, and so does refreshing it.
    assert!(matches!(
        f.core.test_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));
    f.core.refresh_connection(&id).unwrap();
    assert!(matches!(
        f.core.test_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));
}

#[test]
fn a_vendor_that_revokes_every_grant_at_once_keeps_the_old_one_after_reauthorization() {
    let f = fixture();
    let calendar = sgen_core::oauth::connect::OAuthConnectRequest {
        connector_type: "google-calendar".into(),
        display_name: "Calendar (sandbox)".into(),
        scopes: vec!["https://www.googleapis.com/auth/calendar.readonly".into()],
        api_base_override: Some(sgen_core::SANDBOX_ENDPOINT.into()),
        oauth_server: None,
    };
    let started = f
        .core
        .begin_oauth(&super::live(&f.summary), calendar)
        .unwrap();
    let core = f.core.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&started.flow_id));
    let callback = super::oauth::consent(&started.authorize_url, "approve");
    assert_eq!(super::oauth::browser_returns(&callback), 200);
    let id = finishing.join().unwrap().unwrap().row.record.id;

    let scopes = [
        "https://www.googleapis.com/auth/calendar.readonly",
        "https://www.googleapis.com/auth/calendar.events",
    ];
    reauthorize(&f, &id, &scopes, "approve").unwrap();
    assert!(
        hints(&f, &id).is_empty(),
        "Google would end the new grant too"
    );
    let db = rusqlite::Connection::open(f._dir.path().join("sgen.sqlite3")).unwrap();
    let details: String = db
        .query_row(
            "SELECT details FROM activity_log WHERE connection_id = ?1
             AND action = 'connection.reauthorize' ORDER BY id DESC LIMIT 1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(details.contains("revokes every grant at once"), "{details}");
}
