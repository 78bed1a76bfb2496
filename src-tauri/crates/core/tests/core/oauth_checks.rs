//! The OAuth checklist, counted at the sandbox authorization server: a callback that is not the
//! flow's causes no token request at all; the listener's pages leak no referrer and load
//! nothing; a refresh answer without a refresh token keeps the stored one; a vendor that cannot
//! be reached on refresh costs nothing and is backed off from.

use super::oauth::{browser_returns, consent, fixture, get, hubspot, query, Fixture};
use super::{live, NOW};
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::{Clock, SandboxFaults};

/// How many token requests the sandbox vendor at `vendor` has had.
fn token_requests(vendor: &str) -> u64 {
    super::sandbox_requests(vendor)["token"].as_u64().unwrap()
}

fn connected(f: &Fixture, id: &str) -> bool {
    matches!(
        f.core.test_connection(id).unwrap(),
        TestOutcome::Connected { .. }
    )
}

#[test]
fn callbacks_that_are_not_the_flows_cause_no_token_request() {
    let f = fixture();
    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let vendor = started
        .authorize_url
        .split("/oauth/authorize")
        .next()
        .unwrap()
        .to_string();
    let before = token_requests(&vendor);
    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    let callback = consent(&started.authorize_url, "approve");

    let state = get(&query(&callback), "state").to_string();
    let forged_state = callback.replace(&state, "forged");
    let no_state = callback.split("&state=").next().unwrap().to_string();
    let wrong_path = callback.replace("/callback/hubspot", "/callback/mailchimp");
    let wrong_issuer = callback.replace("iss=http", "iss=https");
    let no_issuer = callback.split("&iss=").next().unwrap().to_string();
    for (what, forged) in [
        ("forged state", &forged_state),
        ("missing state", &no_state),
        ("another provider's path", &wrong_path),
        ("another issuer", &wrong_issuer),
        ("no issuer", &no_issuer),
    ] {
        let status = browser_returns(forged);
        assert!((400..500).contains(&status), "{what}: {status}");
        assert_eq!(
            token_requests(&vendor),
            before,
            "{what} reached the token endpoint"
        );
    }

    // The page the browser is left on says nothing to anyone and loads nothing.
    let page = super::http_client()
        .build()
        .unwrap()
        .get(&callback)
        .send()
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let body = page.text().unwrap();
    assert!(!body.contains("src=") && !body.contains("href="), "{body}");
    finishing.join().unwrap().unwrap();
    assert_eq!(
        token_requests(&vendor),
        before + 1,
        "one code, one redemption"
    );

    // A state that was used is spent: its callback again reaches nobody.
    assert_eq!(browser_returns(&callback), 0);
    assert_eq!(token_requests(&vendor), before + 1);
}

#[test]
fn a_refresh_answer_without_a_refresh_token_keeps_the_stored_one() {
    let f = fixture();
    let id = super::oauth::connect(&f, "approve").unwrap().row.record.id;
    let keeps = SandboxFaults {
        keeps_refresh_token: true,
        ..Default::default()
    };
    f.core.set_sandbox_faults(&id, keeps).unwrap();
    for round in 1..=3 {
        f.clock.advance(50 * 60 * 1000);
        assert!(
            matches!(
                f.core.refresh_connection(&id).unwrap(),
                TestOutcome::Connected { .. }
            ),
            "refresh {round} with the one refresh token the vendor ever sent"
        );
        let record = f.core.connection(&id).unwrap().row.record;
        assert!(record.has_refresh_token);
        assert_eq!(record.expires_at, Some(f.clock.now_ms() + 3_600_000));
    }
    // The vendor starts rotating again: the kept token still works, once.
    f.core.set_sandbox_faults(&id, Default::default()).unwrap();
    f.core.refresh_connection(&id).unwrap();
    assert!(connected(&f, &id));
}

#[test]
fn an_unreachable_vendor_on_refresh_keeps_the_credentials_and_is_backed_off_from() {
    let f = fixture();
    let id = super::oauth::connect(&f, "approve").unwrap().row.record.id;
    let before = f.core.connection(&id).unwrap().row.record;
    f.core.set_sandbox_offline(&id, true).unwrap();
    f.clock.advance(50 * 60 * 1000);
    let round = f.core.refresh_due(2).unwrap();
    assert_eq!((round.due, round.failed), (1, 1), "{round:?}");
    let after = f.core.connection(&id).unwrap().row.record;
    assert!(after.has_credential && after.has_refresh_token);
    assert_eq!(after.expires_at, before.expires_at);
    assert_eq!(f.core.refresh_due(2).unwrap().due, 0, "backing off");

    f.core.set_sandbox_offline(&id, false).unwrap();
    f.clock.advance(2 * 60 * 1000);
    let round = f.core.refresh_due(2).unwrap();
    assert_eq!((round.due, round.refreshed), (1, 1), "{round:?}");
    assert!(connected(&f, &id));
    assert!(f.core.connection(&id).unwrap().row.record.expires_at > Some(NOW + 3_600_000));
}
