//! OAuth connections against the sandbox's authorization server: the loopback flow (the test
//! plays the browser over HTTP), refresh with rotation, and one refresh under concurrent use.

use super::{live, NOW};
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::demo::DemoOptions;
use sgen_core::model::ConnectionState;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_core::{Access, Core, CoreConfig, FixedClock};
use std::sync::Arc;

/// A client that, like a test's browser stand-in should, reports a redirect rather than
/// following it.
fn agent() -> reqwest::blocking::Client {
    super::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(super) struct Fixture {
    pub(super) _dir: tempfile::TempDir,
    pub(super) core: Arc<Core>,
    pub(super) clock: Arc<FixedClock>,
    pub(super) summary: sgen_core::demo::DemoSummary,
}

/// A demo site (no credentials) on a clock the test moves, with site keys in the mock keyring.
pub(super) fn fixture() -> Fixture {
    fixture_with(DemoOptions {
        delivery_attempts: 100,
        ..Default::default()
    })
}

pub(super) fn fixture_with(options: DemoOptions) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(NOW));
    let core = Core::open(CoreConfig {
        data_dir: dir.path().into(),
        access: Access::ReadWrite,
        clock: clock.clone(),
        credential_store: Some(keyring_core::mock::Store::new().unwrap()),
    })
    .unwrap();
    let summary = core.seed_demo(&options, |_, _| {}).unwrap();
    Fixture {
        _dir: dir,
        core: Arc::new(core),
        clock,
        summary,
    }
}

pub(super) fn hubspot() -> OAuthConnectRequest {
    OAuthConnectRequest {
        connector_type: "hubspot".into(),
        display_name: "HubSpot (sandbox)".into(),
        scopes: vec!["oauth".into(), "crm.objects.contacts.read".into()],
        api_base_override: Some(sgen_core::SANDBOX_ENDPOINT.into()),
        oauth_server: None,
    }
}

pub(super) fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A parameter of the authorize URL, as the consent page's form carries it (empty when the
/// URL has none: a request for no particular scopes leaves `scope` out).
pub(super) fn get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// What a person does in the browser: open the consent page, choose, and follow the redirect
/// back to the app. Returns the callback URL the vendor sent the browser to.
pub(super) fn consent(authorize_url: &str, decision: &str) -> String {
    consent_as(authorize_url, decision, "ops@acme.example")
}

/// The same, signed in at the vendor as `login`.
fn consent_as(authorize_url: &str, decision: &str, login: &str) -> String {
    let page = agent().get(authorize_url).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let params = query(authorize_url);
    let decide = authorize_url
        .split("/oauth/authorize")
        .next()
        .unwrap()
        .to_string()
        + "/oauth/decide";
    let response = agent()
        .post(&decide)
        .form(&[
            ("decision", decision),
            ("login", login),
            ("client_id", get(&params, "client_id")),
            ("redirect_uri", get(&params, "redirect_uri")),
            ("scope", get(&params, "scope")),
            ("state", get(&params, "state")),
            ("code_challenge", get(&params, "code_challenge")),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

pub(super) fn browser_returns(callback: &str) -> u16 {
    agent()
        .get(callback)
        .send()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Starts a flow, finishes it on another thread, and plays the browser; returns the result.
pub(super) fn connect(
    f: &Fixture,
    decision: &str,
) -> sgen_core::CoreResult<sgen_core::connections::detail::ConnectionDetail> {
    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    let callback = consent(&started.authorize_url, decision);
    assert_eq!(browser_returns(&callback), 200);
    finishing.join().unwrap()
}

#[test]
fn the_loopback_flow_creates_an_active_connection_with_sealed_tokens() {
    let f = fixture();
    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let params = query(&started.authorize_url);
    assert_eq!(get(&params, "code_challenge_method"), "S256");
    let redirect = get(&params, "redirect_uri").to_string();
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback/hubspot"));

    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    let callback = consent(&started.authorize_url, "approve");

    // Callbacks that are not the one expected are refused, and the flow goes on waiting.
    let forged_state = callback.replace(get(&query(&callback), "state"), "forged");
    assert_eq!(browser_returns(&forged_state), 400);
    let no_state: String = callback.split("&state=").next().unwrap().to_string();
    assert_eq!(browser_returns(&no_state), 400);
    let other_connector = callback.replace("/callback/hubspot", "/callback/mailchimp");
    assert_eq!(browser_returns(&other_connector), 404);
    let other_issuer = callback.replace("iss=http", "iss=https");
    assert_eq!(browser_returns(&other_issuer), 400);

    assert_eq!(browser_returns(&callback), 200);
    let detail = finishing.join().unwrap().unwrap();
    let r = &detail.row.record;
    assert_eq!(r.state, ConnectionState::Active);
    assert_eq!(r.auth_flow, "oauth2");
    assert!(r.has_credential && r.has_refresh_token);
    assert_eq!(r.expires_at, Some(NOW + 3_600_000));
    assert_eq!(r.scopes_granted, ["oauth", "crm.objects.contacts.read"]);
    // The listener closed with the first valid callback: a replay reaches nobody.
    assert_eq!(browser_returns(&callback), 0);
}

/// The loopback port of a flow's listener, from its authorize URL's redirect.
fn listener_port(authorize_url: &str) -> u16 {
    let redirect = url::Url::parse(get(&query(authorize_url), "redirect_uri")).unwrap();
    redirect.port().unwrap()
}

/// A local process that opens a connection to the listener and sends a byte now and then,
/// never finishing its request, until the listener closes it or `for_at_most` passes.
fn trickle(port: u16, for_at_most: std::time::Duration) -> std::thread::JoinHandle<()> {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        let until = std::time::Instant::now() + for_at_most;
        while std::time::Instant::now() < until && stream.write_all(b"G").is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    })
}

/// Whether the port refuses connections within `within` (the listener is gone).
fn closes_within(port: u16, within: std::time::Duration) -> bool {
    let until = std::time::Instant::now() + within;
    while std::time::Instant::now() < until {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

#[test]
fn a_client_that_trickles_bytes_neither_stalls_the_listener_nor_holds_its_port() {
    let f = fixture();
    let secs = std::time::Duration::from_secs;
    // The browser's callback is answered while another local process trickles.
    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let port = listener_port(&started.authorize_url);
    let trickling = trickle(port, secs(20));
    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    let callback = consent(&started.authorize_url, "approve");
    // A browser that waits no longer than a person would.
    let browser = super::http_client().timeout(secs(5)).build().unwrap();
    let answered = browser.get(&callback).send().map(|r| r.status().as_u16());
    assert_eq!(answered.ok(), Some(200));
    finishing.join().unwrap().unwrap();
    assert!(closes_within(port, secs(1)));

    // A cancel closes the port within a second, trickling or not.
    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let port = listener_port(&started.authorize_url);
    let _second = trickle(port, secs(20));
    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    std::thread::sleep(std::time::Duration::from_millis(200));
    f.core.cancel_oauth(&started.flow_id).unwrap();
    assert!(closes_within(port, secs(1)));
    assert!(finishing.join().unwrap().is_err());
    drop(trickling);
}

#[test]
fn a_flow_nobody_finishes_frees_its_port_when_cancelled() {
    let f = fixture();
    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let port = listener_port(&started.authorize_url);
    assert!(!closes_within(port, std::time::Duration::from_millis(300)));
    f.core.cancel_oauth(&started.flow_id).unwrap();
    assert!(closes_within(port, std::time::Duration::from_secs(1)));
    // Finishing it now says how it ended, and it is then forgotten.
    let late = f.core.finish_oauth(&started.flow_id).unwrap_err();
    assert!(late.to_string().contains("cancelled"), "{late}");
    assert_eq!(
        f.core.finish_oauth(&started.flow_id).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn a_denied_consent_or_a_cancel_stores_nothing() {
    let f = fixture();
    let before = f
        .core
        .connections(&live(&f.summary), &Default::default())
        .unwrap()
        .total;
    let err = connect(&f, "deny").unwrap_err();
    assert!(
        err.to_string()
            .contains("did not grant access (access_denied)"),
        "{err}"
    );

    let started = f.core.begin_oauth(&live(&f.summary), hubspot()).unwrap();
    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    f.core.cancel_oauth(&started.flow_id).unwrap();
    let err = finishing.join().unwrap().unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert_eq!(
        f.core
            .connections(&live(&f.summary), &Default::default())
            .unwrap()
            .total,
        before
    );
}

#[test]
fn refresh_rotates_and_a_revoked_grant_needs_authorizing_again() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    assert!(matches!(
        f.core.refresh_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));
    // Refresh again: only works if the rotated refresh token was stored.
    assert!(matches!(
        f.core.refresh_connection(&id).unwrap(),
        TestOutcome::Connected { .. }
    ));

    let account = f
        .core
        .connection(&id)
        .unwrap()
        .row
        .record
        .vendor_account_id
        .unwrap();
    let _ = account;
    f.core
        .set_sandbox_faults(
            &id,
            sgen_core::SandboxFaults {
                revoked: true,
                ..Default::default()
            },
        )
        .unwrap();
    let refused = f.core.refresh_connection(&id).unwrap_err();
    assert!(refused.to_string().contains("invalid_grant"), "{refused}");
    let detail = f.core.connection(&id).unwrap();
    assert_eq!(detail.row.record.state, ConnectionState::AuthExpired);
    // A refused refresh token is dead: it is dropped, so nothing tries it again.
    assert!(!detail.row.record.has_refresh_token);
    assert!(detail
        .transitions
        .iter()
        .any(|t| t.cause.contains("invalid_grant") && t.to_state == ConnectionState::AuthExpired));
}

#[test]
fn twenty_simultaneous_uses_of_an_expiring_token_refresh_once() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    // 50 minutes on: the token expires within the 15-minute margin.
    f.clock.advance(50 * 60 * 1000);
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let core = f.core.clone();
            let id = id.clone();
            std::thread::spawn(move || core.test_connection(&id).unwrap())
        })
        .collect();
    for t in threads {
        assert!(matches!(t.join().unwrap(), TestOutcome::Connected { .. }));
    }
    let db = rusqlite::Connection::open(f._dir.path().join("sgen.sqlite3")).unwrap();
    let refreshes: i64 = db
        .query_row(
            "SELECT count(*) FROM activity_log WHERE connection_id = ?1 AND action = 'connection.refresh'",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refreshes, 1);
    assert_eq!(
        f.core.connection(&id).unwrap().row.record.expires_at,
        Some(NOW + 50 * 60 * 1000 + 3_600_000)
    );
}

#[test]
fn disconnect_revokes_the_grant_at_the_vendor() {
    let f = fixture();
    let id = connect(&f, "approve").unwrap().row.record.id;
    assert_eq!(
        f.core.disconnect_connection(&id).unwrap(),
        sgen_core::connections::lifecycle::Revocation::Revoked
    );
    assert_eq!(f.core.connection(&id).unwrap_err().code(), "not_found");
}

#[test]
fn the_background_refresher_refreshes_what_is_due_and_backs_off_after_failures() {
    let f = fixture();
    let ids: Vec<String> = (0..3)
        .map(|_| connect(&f, "approve").unwrap().row.record.id)
        .collect();
    assert_eq!(f.core.refresh_due(2).unwrap().due, 0, "nothing is due yet");

    f.clock.advance(50 * 60 * 1000);
    let failing = sgen_core::SandboxFaults {
        status: Some(503),
        ..Default::default()
    };
    f.core.set_sandbox_faults(&ids[0], failing).unwrap();
    let round = f.core.refresh_due(2).unwrap();
    // All three consented as the same sandbox account, so the fault hits all of them.
    assert_eq!((round.due, round.failed), (3, 3), "{round:?}");
    // Credentials are kept, and the failures wait out their backoff.
    assert!(
        f.core
            .connection(&ids[0])
            .unwrap()
            .row
            .record
            .has_refresh_token
    );
    assert_eq!(f.core.refresh_due(2).unwrap().due, 0);

    f.core
        .set_sandbox_faults(&ids[0], Default::default())
        .unwrap();
    f.clock.advance(2 * 60 * 1000);
    let round = f.core.refresh_due(2).unwrap();
    assert_eq!((round.due, round.refreshed), (3, 3), "{round:?}");
    assert_eq!(
        f.core.refresh_due(2).unwrap().due,
        0,
        "fresh tokens are not due"
    );
}

/// Re-authorizes connection `id` for `scopes` with the person choosing `decision`.
pub(super) fn reauthorize(
    f: &Fixture,
    id: &str,
    scopes: &[&str],
    decision: &str,
) -> sgen_core::CoreResult<sgen_core::connections::detail::ConnectionDetail> {
    let scopes = scopes.iter().map(|s| s.to_string()).collect();
    let started = f.core.begin_reauthorization(id, scopes).unwrap();
    let core = f.core.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&started.flow_id));
    assert_eq!(
        browser_returns(&consent(&started.authorize_url, decision)),
        200
    );
    finishing.join().unwrap()
}

#[test]
fn a_reauthorization_that_comes_back_for_another_account_is_refused() {
    let f = fixture();
    let before = connect(&f, "approve").unwrap().row.record;
    let started = f
        .core
        .begin_reauthorization(&before.id, before.scopes_granted.clone())
        .unwrap();
    let core = f.core.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&started.flow_id));
    let callback = consent_as(&started.authorize_url, "approve", "someone@else.example");
    assert_eq!(browser_returns(&callback), 200);
    let refused = finishing.join().unwrap().unwrap_err();
    assert!(
        refused.to_string().contains("this connection is for"),
        "{refused}"
    );
    let after = f.core.connection(&before.id).unwrap().row.record;
    assert_eq!(after.vendor_account_id, before.vendor_account_id);
    assert_eq!(after.updated_at, before.updated_at, "nothing was swapped");
}

#[test]
fn editing_scopes_reauthorizes_the_same_connection() {
    let f = fixture();
    let before = connect(&f, "approve").unwrap().row.record;
    assert_eq!(
        before.scopes_granted,
        ["oauth", "crm.objects.contacts.read"]
    );
    let count = |f: &Fixture| {
        f.core
            .connections(&live(&f.summary), &Default::default())
            .unwrap()
            .total
    };
    let total = count(&f);
    let wanted = [
        "oauth",
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
    ];

    // The person revoked the app at the vendor, then grants it again with one scope more.
    let revoked = sgen_core::SandboxFaults {
        revoked: true,
        ..Default::default()
    };
    f.core.set_sandbox_faults(&before.id, revoked).unwrap();
    f.core.test_connection(&before.id).unwrap();
    f.core
        .set_sandbox_faults(&before.id, Default::default())
        .unwrap();
    let after = reauthorize(&f, &before.id, &wanted, "approve").unwrap();
    assert_eq!(after.row.record.id, before.id);
    assert_eq!(after.row.record.state, ConnectionState::Active);
    assert_eq!(after.row.record.scopes_granted, wanted);
    let newest = &after.transitions[0];
    assert_eq!(newest.from_state, Some(ConnectionState::AuthRevoked));
    assert!(
        newest.cause.contains("re-authorized by"),
        "{}",
        newest.cause
    );
    assert_eq!(count(&f), total);
    assert!(matches!(
        f.core.test_connection(&before.id).unwrap(),
        TestOutcome::Connected { .. }
    ));

    // Saying no at the vendor changes nothing: the old grant keeps working.
    let denied = reauthorize(&f, &before.id, &["oauth"], "deny").unwrap_err();
    assert!(denied.to_string().contains("did not grant"), "{denied}");
    let unchanged = f.core.connection(&before.id).unwrap().row.record;
    assert_eq!(unchanged.scopes_granted, wanted);
    assert!(matches!(
        f.core.test_connection(&before.id).unwrap(),
        TestOutcome::Connected { .. }
    ));

    let unknown = f
        .core
        .begin_reauthorization(&before.id, vec!["crm.nope".into()])
        .unwrap_err();
    assert!(
        unknown.to_string().contains("no scope `crm.nope`"),
        "{unknown}"
    );
}

#[test]
fn a_vendor_that_refuses_loopback_comes_back_through_the_app_link() {
    let f = fixture();
    let square = OAuthConnectRequest {
        connector_type: "square".into(),
        display_name: "Square (sandbox)".into(),
        scopes: vec!["MERCHANT_PROFILE_READ".into()],
        api_base_override: Some(sgen_core::SANDBOX_ENDPOINT.into()),
        oauth_server: None,
    };
    let started = f.core.begin_oauth(&live(&f.summary), square).unwrap();
    let params = query(&started.authorize_url);
    assert_eq!(
        get(&params, "redirect_uri"),
        "sgen-integrations://callback/square"
    );
    let core = f.core.clone();
    let flow = started.flow_id.clone();
    let finishing = std::thread::spawn(move || core.finish_oauth(&flow));
    let link = consent(&started.authorize_url, "approve");
    assert!(
        link.starts_with("sgen-integrations://callback/square?code="),
        "{link}"
    );

    // Links that are not this flow's are refused and the flow waits on.
    let forged = link.replace(get(&params, "state"), "forged-state");
    assert_eq!(
        f.core.receive_deep_link(&forged).unwrap_err().code(),
        "not_found"
    );
    assert!(f
        .core
        .receive_deep_link("https://example.com/callback")
        .is_err());
    let other_issuer = link.replace("iss=", "iss=https%3A%2F%2Fevil.example&was=");
    f.core.receive_deep_link(&other_issuer).unwrap();

    f.core.receive_deep_link(&link).unwrap();
    let detail = finishing.join().unwrap().unwrap();
    assert_eq!(detail.row.record.state, ConnectionState::Active);
    assert!(detail.row.record.has_refresh_token);
    // The flow is over: the same link again has nobody to go to.
    assert_eq!(
        f.core.receive_deep_link(&link).unwrap_err().code(),
        "not_found"
    );

    // The vendor refuses a loopback redirect outright.
    let loopback = started.authorize_url.replace(
        "sgen-integrations%3A%2F%2Fcallback%2Fsquare",
        "http%3A%2F%2F127.0.0.1%3A9%2Fcallback%2Fsquare",
    );
    let page = agent().get(&loopback).send().unwrap();
    assert_eq!(page.status().as_u16(), 400);
}
