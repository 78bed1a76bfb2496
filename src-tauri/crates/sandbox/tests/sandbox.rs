//! The sandbox vendors over real HTTP on loopback.

use serde_json::Value;
use sgen_catalog::{Catalog, Manifest, RequestAuth};
use sgen_sandbox::{Faults, Sandbox};

fn sandbox(seed: u64) -> Sandbox {
    Sandbox::start(Catalog::embedded().unwrap(), seed).unwrap()
}

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

/// The manifest's example for a credential field.
fn example(m: &Manifest, field: &str) -> String {
    m.credential_fields
        .iter()
        .find(|f| f.name == field)
        .unwrap()
        .example
        .clone()
}

/// The connector's test call with `key` as its credential, the way the manifest says to send
/// it; returns the status, the body, and the credential value sent.
fn test_call(sandbox: &Sandbox, m: &Manifest, key: Option<&str>) -> (u16, Value, String) {
    let mut path = m.test_call.path.clone();
    for field in &m.credential_fields {
        path = path.replace(&format!("{{{}}}", field.name), &field.example);
    }
    let mut url = format!("{}{}", sandbox.api_base(&m.slug).unwrap(), path);
    let (field, header): (&str, Option<(String, String)>) = match &m.request_auth {
        RequestAuth::Bearer {
            field: Some(field),
            scheme,
        } => {
            let value = key.map_or_else(|| example(m, field), str::to_string);
            let scheme = scheme.clone().unwrap_or_else(|| "Bearer".into());
            (
                field,
                Some(("Authorization".into(), format!("{scheme} {value}"))),
            )
        }
        RequestAuth::Header { name, field } => {
            let value = key.map_or_else(|| example(m, field), str::to_string);
            (field, Some((name.clone(), value)))
        }
        RequestAuth::Query { name, field } => {
            let value = key.map_or_else(|| example(m, field), str::to_string);
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{name}={value}"));
            (field, None)
        }
        other => panic!("{}: not a key-based connector: {other:?}", m.slug),
    };
    let sent = key.map_or_else(|| example(m, field), str::to_string);
    let mut request = agent().get(&url);
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let body = response.json().unwrap_or(Value::Null);
    (status, body, sent)
}

fn key_based(catalog: &Catalog) -> Vec<Manifest> {
    catalog
        .all()
        .filter(|m| {
            matches!(
                &m.request_auth,
                RequestAuth::Bearer { field: Some(_), .. }
                    | RequestAuth::Header { .. }
                    | RequestAuth::Query { .. }
            )
        })
        .cloned()
        .collect()
}

#[test]
fn every_key_based_connector_answers_its_test_call_with_the_account_at_its_pointer() {
    let sandbox = sandbox(7);
    let connectors = key_based(&Catalog::embedded().unwrap());
    assert!(connectors.len() >= 7, "{}", connectors.len());
    for m in &connectors {
        let (status, body, sent) = test_call(&sandbox, m, None);
        assert_eq!(status, 200, "{}: {body}", m.slug);
        if let Some(pointer) = &m.test_call.account_id_pointer {
            assert_eq!(
                body.pointer(pointer).and_then(Value::as_str),
                Some(sandbox.account_for(&m.slug, &sent).as_str()),
                "{}: {body}",
                m.slug
            );
        }
    }
}

#[test]
fn a_malformed_key_is_refused_like_the_vendor_refuses_it() {
    let sandbox = sandbox(7);
    let brevo = Catalog::embedded().unwrap().get("brevo").unwrap().clone();
    let (status, body, _) = test_call(&sandbox, &brevo, Some("not-a-brevo-key"));
    assert_eq!(status, 401);
    assert_eq!(body.pointer("/error/code").unwrap(), "invalid_credential");
}

#[test]
fn faults_change_the_answers_of_one_account_only() {
    let sandbox = sandbox(7);
    let stripe = Catalog::embedded().unwrap().get("stripe").unwrap().clone();
    let key = example(&stripe, "api_key");
    let other = format!("{}x", &key);
    let account = sandbox.account_for("stripe", &key);

    for (faults, status, code) in [
        (
            Faults {
                revoked: true,
                ..Faults::default()
            },
            401,
            Some("revoked"),
        ),
        (
            Faults {
                token_expired: true,
                ..Faults::default()
            },
            401,
            // Stripe's own wording for an expired key.
            Some("api_key_expired"),
        ),
        (
            Faults {
                status: Some(503),
                ..Faults::default()
            },
            503,
            Some("sandbox_fault"),
        ),
        (Faults::default(), 200, None),
    ] {
        sandbox.set_faults("stripe", &account, faults).unwrap();
        let (got, body, _) = test_call(&sandbox, &stripe, Some(&key));
        assert_eq!(got, status, "{body}");
        assert_eq!(body.pointer("/error/code").and_then(Value::as_str), code);
        // Another account at the same vendor is unaffected.
        assert_eq!(test_call(&sandbox, &stripe, Some(&other)).0, 200);
    }
}

#[test]
fn a_rate_limited_answer_says_when_to_retry() {
    let sandbox = sandbox(7);
    let url = format!("{}/v1/account", sandbox.api_base("stripe").unwrap());
    let key = example(
        Catalog::embedded().unwrap().get("stripe").unwrap(),
        "api_key",
    );
    let faults = Faults {
        status: Some(429),
        ..Faults::default()
    };
    sandbox
        .set_faults("stripe", &sandbox.account_for("stripe", &key), faults)
        .unwrap();
    let response = agent()
        .get(&url)
        .header("Authorization", format!("Bearer {key}"))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers().get("retry-after").unwrap(), "1");
}

#[test]
fn actions_refuse_a_malformed_body_and_a_schema_fault_with_400() {
    let sandbox = sandbox(7);
    let url = format!("{}/v1/customers", sandbox.api_base("stripe").unwrap());
    let key = example(
        Catalog::embedded().unwrap().get("stripe").unwrap(),
        "api_key",
    );
    let post = |content_type: &str, body: &str| {
        let response = agent()
            .post(&url)
            .header("Authorization", format!("Bearer {key}"))
            .header("Content-Type", content_type)
            .body(body.to_string())
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let json: serde_json::Value = response.json().unwrap_or_default();
        (status, json)
    };
    assert_eq!(
        post("application/x-www-form-urlencoded", "email=a%40b.example").0,
        200
    );
    assert_eq!(
        post("application/json", "{\"email\": \"a@b.example\"}").0,
        200
    );
    let (status, body) = post("application/json", "[1, 2]");
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_request_body");

    let faults = Faults {
        status: Some(400),
        ..Faults::default()
    };
    sandbox
        .set_faults("stripe", &sandbox.account_for("stripe", &key), faults)
        .unwrap();
    let (status, body) = post("application/x-www-form-urlencoded", "email=a%40b.example");
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_request");
}

#[test]
fn an_offline_vendor_refuses_connections_and_comes_back_on_the_same_address() {
    let sandbox = sandbox(7);
    let brevo = Catalog::embedded().unwrap().get("brevo").unwrap().clone();
    let before = sandbox.base_url("brevo").unwrap();
    sandbox.set_offline("brevo", true).unwrap();
    let err = agent()
        .get(format!("{before}/api/account"))
        .send()
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    sandbox.set_offline("brevo", false).unwrap();
    assert_eq!(sandbox.base_url("brevo").unwrap(), before);
    assert_eq!(test_call(&sandbox, &brevo, None).0, 200);
}

#[test]
fn accounts_are_deterministic_for_a_seed() {
    let (a, b, c) = (sandbox(7), sandbox(7), sandbox(8));
    assert_eq!(a.account_for("brevo", "k"), b.account_for("brevo", "k"));
    assert_ne!(a.account_for("brevo", "k"), c.account_for("brevo", "k"));
    assert_ne!(a.account_for("brevo", "k"), a.account_for("stripe", "k"));
}

#[test]
fn an_unknown_connector_is_a_clear_error() {
    let err = sandbox(7).base_url("nope").unwrap_err();
    assert_eq!(err.to_string(), "the catalog has no connector `nope`");
}

#[test]
fn the_events_api_lists_what_was_recorded_for_the_account_newest_first_in_pages() {
    let sandbox = sandbox(7);
    let base = sandbox.api_base("stripe").unwrap();
    let key = example(
        Catalog::embedded().unwrap().get("stripe").unwrap(),
        "api_key",
    );
    let bearer = format!("Bearer {key}");
    for n in 0..30 {
        let event = serde_json::json!({"id": format!("evt_{n:02}"), "type": "charge.captured", "created": 1_000 + n});
        let status = agent()
            .post(format!("{base}/_sandbox/events"))
            .header("Authorization", &bearer)
            .json(&event)
            .send()
            .unwrap()
            .status();
        assert_eq!(status, 204);
    }
    let list = |key: &str, query: &str| -> (u16, Value) {
        let response = agent()
            .get(format!("{base}/v1/events?{query}"))
            .header("Authorization", format!("Bearer {key}"))
            .send()
            .unwrap();
        (response.status().as_u16(), response.json().unwrap())
    };
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Since 1,005: 25 events (evt_05…evt_29), newest first, in pages of 10.
    let (status, first) = list(&key, "limit=10&created%5Bgte%5D=1005");
    assert_eq!(status, 200);
    assert_eq!(ids(&first)[0], "evt_29");
    assert_eq!(first["has_more"], true);
    let mut seen = ids(&first);
    let mut after = seen.last().unwrap().clone();
    loop {
        let (_, page) = list(
            &key,
            &format!("limit=10&created%5Bgte%5D=1005&starting_after={after}"),
        );
        seen.extend(ids(&page));
        after = seen.last().unwrap().clone();
        if page["has_more"] == false {
            break;
        }
    }
    let expected: Vec<String> = (5..30).rev().map(|n| format!("evt_{n:02}")).collect();
    assert_eq!(seen, expected);

    // Another account's key sees none of them; a bad limit is the vendor's 400.
    let other = key.replace("AbCdEf", "ZzYyXx");
    assert_ne!(other, key, "the example key changed: pick another key here");
    let (status, page) = list(&other, "limit=10");
    assert_eq!(status, 200);
    assert_eq!(ids(&page), Vec::<String>::new());
    assert_eq!(list(&key, "limit=1000").0, 400);
}
