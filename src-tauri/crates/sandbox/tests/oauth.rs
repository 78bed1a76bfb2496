//! The sandbox vendor's authorization server over real HTTP: consent, PKCE-bound single-use
//! codes, rotating refresh tokens, revocation.

use base64::Engine;
use serde_json::Value;
use sgen_catalog::Catalog;
use sgen_sandbox::Sandbox;
use sha2::{Digest, Sha256};

const VERIFIER: &str = "a-verifier-that-is-long-enough-for-pkce-0123456789";

/// A client that, like a test's browser stand-in should, reports a redirect rather than
/// following it.
fn agent() -> reqwest::blocking::Client {
    // The workspace builds reqwest's rustls without a provider; ring is the app's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier))
}

const REDIRECT: &str = "http://127.0.0.1:45678/callback/hubspot";

/// Approves (or denies) a consent for `scope` and returns the redirect's query pairs.
fn consent(base: &str, decision: &str, scope: &str) -> Vec<(String, String)> {
    let response = agent()
        .post(format!("{base}/oauth/decide"))
        .form(&[
            ("decision", decision),
            ("login", "ops@acme.example"),
            ("client_id", "sgen-desktop"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "s-123"),
            ("code_challenge", &challenge(VERIFIER)),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pair<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn token(base: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = agent()
        .post(format!("{base}/oauth/token"))
        .form(form)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn whoami(sandbox: &Sandbox, access_token: &str) -> (u16, Value) {
    let url = format!(
        "{}/account-info/v3/details",
        sandbox.api_base("hubspot").unwrap()
    );
    let response = agent()
        .get(&url)
        .header("Authorization", format!("Bearer {access_token}"))
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

#[test]
fn authorize_code_token_refresh_revoke() {
    let sandbox = Sandbox::start(Catalog::embedded().unwrap(), 5).unwrap();
    let urls = sandbox.oauth_endpoints("hubspot").unwrap();
    let base = sandbox.base_url("hubspot").unwrap();

    let authorize = url::Url::parse_with_params(
        &urls.authorize_url,
        [
            ("response_type", "code"),
            ("client_id", "sgen-desktop"),
            ("redirect_uri", REDIRECT),
            ("scope", "oauth crm.objects.contacts.read"),
            ("state", "s-123"),
            ("code_challenge", &challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap();
    let page = agent().get(authorize).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(
        page.headers().get("referrer-policy").unwrap(),
        "no-referrer"
    );
    let html = page.text().unwrap();
    assert!(html.contains("crm.objects.contacts.read") && html.contains("Allow"));
    for loads_something in ["src=", "href=", "<link", "url("] {
        assert!(
            !html.contains(loads_something),
            "no external resources: {loads_something}"
        );
    }

    let back = consent(&base, "approve", "oauth crm.objects.contacts.read");
    assert_eq!(pair(&back, "state"), Some("s-123"));
    assert_eq!(pair(&back, "iss"), Some(urls.issuer.as_str()));
    let code = pair(&back, "code").unwrap().to_string();

    let exchange = |code: &str, verifier: &str| {
        token(
            &base,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("client_id", "sgen-desktop"),
                ("code_verifier", verifier),
            ],
        )
    };
    let (status, tokens) = exchange(&code, VERIFIER);
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    // A code works once.
    assert_eq!(
        exchange(&code, VERIFIER),
        (400, serde_json::json!({"error": "invalid_grant"}))
    );
    // A code with the wrong verifier is refused (and spent).
    let other = pair(&consent(&base, "approve", "oauth"), "code")
        .unwrap()
        .to_string();
    assert_eq!(
        exchange(&other, "not-the-verifier-not-the-verifier-not-the-ver").0,
        400
    );

    let access = tokens["access_token"].as_str().unwrap();
    let (status, body) = whoami(&sandbox, access);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["portalId"].as_str(),
        Some(sandbox.account_for("hubspot", "ops@acme.example").as_str())
    );

    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, rotated) = token(
        &base,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    );
    assert_eq!(status, 200);
    assert_ne!(rotated["refresh_token"], tokens["refresh_token"]);
    // The spent refresh token no longer works.
    assert_eq!(
        token(
            &base,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)]
        )
        .0,
        400
    );

    let revoked = agent()
        .post(&urls.revoke_url)
        .form(&[("token", rotated["refresh_token"].as_str().unwrap())])
        .send()
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    // Answered the way HubSpot words it (its manifest's answer rules).
    let (status, body) = whoami(&sandbox, rotated["access_token"].as_str().unwrap());
    assert_eq!(
        (status, &body["category"]),
        (401, &Value::from("INVALID_AUTHENTICATION"))
    );
}

#[test]
fn a_denied_consent_and_a_foreign_redirect_give_no_code() {
    let sandbox = Sandbox::start(Catalog::embedded().unwrap(), 5).unwrap();
    let base = sandbox.base_url("hubspot").unwrap();
    let denied = consent(&base, "deny", "oauth");
    assert_eq!(pair(&denied, "error"), Some("access_denied"));
    assert_eq!(pair(&denied, "code"), None);

    for redirect in [
        "http://localhost:45678/callback/hubspot",
        "http://127.0.0.1:45678/callback/mailchimp",
        "https://evil.example/callback/hubspot",
    ] {
        let authorize = url::Url::parse_with_params(
            &format!("{base}/oauth/authorize"),
            [
                ("response_type", "code"),
                ("client_id", "sgen-desktop"),
                ("redirect_uri", redirect),
                ("state", "s"),
                ("code_challenge", &challenge(VERIFIER)),
                ("code_challenge_method", "S256"),
            ],
        )
        .unwrap();
        let page = agent().get(authorize).send().unwrap();
        assert_eq!(page.status().as_u16(), 400, "{redirect}");
    }
}
