//! The Stripe connector against `localstripe` (PyPI), a fake Stripe server written by others:
//! a delivery creates a customer there with the fields the event carried (form-encoded, as
//! Stripe reads bodies), and a refund the server refuses as malformed is logged with its 400
//! and retried on schedule. localstripe lacks `GET /v1/account`, the connector's test call, so
//! a small front on loopback answers that one path and passes everything else through.
//! Its events are the other side of inbound events: `GET /v1/events` is where the app catches
//! up on what it missed while closed, and its webhooks are Stripe-signed pushes to the listener.
//! Needs localstripe installed (scripts/setup.sh does it): #[ignore]d for a plain `cargo test`.

use super::{live, seeded};
use sgen_core::background::Cadences;
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::delivery::enqueue::OutboundEvent;
use sgen_core::delivery::log::DeliveryQuery;
use sgen_core::inbound::event_log::EventQuery;
use sgen_core::Secret;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

struct LocalStripe {
    child: Child,
    url: String,
}

impl LocalStripe {
    fn start() -> Self {
        let program = std::env::var("SGEN_LOCALSTRIPE")
            .expect("SGEN_LOCALSTRIPE names the localstripe program (scripts/setup.sh)");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(program)
            // Its store starts empty rather than from the last run's file.
            .args(["--port", &port.to_string(), "--from-scratch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("localstripe starts");
        // Owned before waiting, so a failure below still stops and reaps it.
        let started = LocalStripe {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return started;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("localstripe did not listen on {port}");
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Answers `GET /v1/account` itself and forwards every other request to `upstream` as it came
/// (method, path, query, headers, body), returning localstripe's answer as it came.
fn front(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let client = super::http_client().build().unwrap();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            if reader.read_line(&mut head).unwrap_or(0) == 0 {
                continue;
            }
            let mut parts = head.split_whitespace();
            let (method, target) = (
                parts.next().unwrap_or("").to_string(),
                parts.next().unwrap_or("").to_string(),
            );
            let mut headers = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap();
                    }
                    headers.push((name.to_string(), value.trim().to_string()));
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, answer) = if method == "GET" && target == "/v1/account" {
                (
                    200,
                    br#"{"id": "acct_localstripe", "object": "account"}"#.to_vec(),
                )
            } else {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let mut request = client.request(method, format!("{upstream}{target}"));
                for (name, value) in &headers {
                    if !["host", "content-length", "connection"]
                        .contains(&name.to_ascii_lowercase().as_str())
                    {
                        request = request.header(name, value);
                    }
                }
                let response = request.body(body).send().unwrap();
                let status = response.status().as_u16();
                (status, response.bytes().unwrap().to_vec())
            };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(&answer);
        }
    });
    address
}

/// A Stripe connection with the test key, to localstripe behind the front; its id.
fn stripe_connection(
    core: &sgen_core::Core,
    scope: &sgen_core::kernel::sites::SiteEnvironment,
    stripe: &LocalStripe,
) -> String {
    core.create_connection(
        scope,
        NewConnectionRequest {
            connector_type: "stripe".into(),
            display_name: "Stripe (localstripe)".into(),
            auth_flow: "api_key".into(),
            fields: BTreeMap::from([("api_key".to_string(), Secret::new(KEY))]),
            api_base_override: Some(front(stripe.url.clone())),
        },
    )
    .unwrap()
    .row
    .record
    .id
}

#[test]
#[ignore = "needs localstripe (scripts/setup.sh installs it)"]
fn a_stripe_delivery_creates_the_customer_at_localstripe() {
    let stripe = LocalStripe::start();
    let (_dir, core, summary) = seeded(10);
    let scope = live(&summary);
    let id = stripe_connection(&core, &scope, &stripe);

    let customer = OutboundEvent {
        originating_module: "commerce".into(),
        event_identifier: "customer.signup cus_ada".into(),
        payload: serde_json::json!({
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "metadata": {"site_user": "usr_1815"},
        }),
    };
    let sent = core
        .send_event_now(&id, "create_customer", customer)
        .unwrap();
    assert_eq!(sent.round.delivered, 1, "{:?}", sent.round);

    // localstripe has the customer, with the nested field read from the form.
    let found: serde_json::Value = super::http_client()
        .build()
        .unwrap()
        .get(format!("{}/v1/customers?email=ada@example.com", stripe.url))
        .header("Authorization", format!("Bearer {KEY}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let created = &found["data"][0];
    assert_eq!(created["name"], "Ada Lovelace");
    assert_eq!(created["metadata"]["site_user"], "usr_1815");

    // A refund of nothing: localstripe refuses the request as malformed (400), and the
    // attempt says so; the delivery waits for its next try.
    let refund = OutboundEvent {
        originating_module: "commerce".into(),
        event_identifier: "order.refunded ord_1".into(),
        payload: serde_json::json!({"amount": 500}),
    };
    let sent = core.send_event_now(&id, "create_refund", refund).unwrap();
    assert_eq!(sent.round.retrying, 1, "{:?}", sent.round);
    let log = core
        .deliveries(
            &scope,
            &DeliveryQuery {
                connection_id: Some(id),
                ..Default::default()
            },
        )
        .unwrap();
    let refused = log
        .rows
        .iter()
        .find(|r| r.delivery_id == sent.queued.delivery_id)
        .unwrap();
    assert_eq!(refused.vendor_response_code, Some(400));
    assert_eq!(refused.outcome.as_str(), "retried");
}

/// A customer made at localstripe directly, as the site's own checkout would: Stripe records a
/// `customer.created` event for it.
fn create_customer(stripe: &LocalStripe, email: &str) {
    let answer = super::http_client()
        .build()
        .unwrap()
        .post(format!("{}/v1/customers", stripe.url))
        .header("Authorization", format!("Bearer {KEY}"))
        .form(&[("email", email)])
        .send()
        .unwrap();
    assert!(answer.status().is_success());
}

#[test]
#[ignore = "needs localstripe (scripts/setup.sh installs it)"]
fn events_missed_while_closed_are_fetched_once_and_a_pushed_one_is_not_stored_twice() {
    let stripe = LocalStripe::start();
    // On this computer's clock: localstripe signs its pushes with the real time.
    let dir = tempfile::tempdir().unwrap();
    let core = sgen_core::Core::open(sgen_core::CoreConfig {
        clock: std::sync::Arc::new(sgen_core::SystemClock),
        credential_store: Some(keyring_core::mock::Store::new().unwrap()),
        ..sgen_core::CoreConfig::new(dir.path(), sgen_core::Access::ReadWrite)
    })
    .unwrap();
    let options = sgen_core::demo::DemoOptions {
        delivery_attempts: 10,
        ..Default::default()
    };
    let summary = core.seed_demo(&options, |_, _| {}).unwrap();
    let core = std::sync::Arc::new(core);
    let scope = live(&summary);
    let id = stripe_connection(&core, &scope, &stripe);
    let events = |arrival: &str| {
        let query = EventQuery {
            connection_id: Some(id.clone()),
            arrival: Some(arrival.into()),
            ..Default::default()
        };
        core.events_query(&scope, &query).unwrap().rows
    };

    // While the app is closed, the site makes two customers at Stripe.
    create_customer(&stripe, "ada@example.com");
    create_customer(&stripe, "grace@example.com");
    let first = core.reconcile_events(&id).unwrap();
    assert_eq!((first.fetched, first.new), (2, 2), "{first:?}");
    let pulled = events("pulled");
    assert_eq!(pulled.len(), 2);
    assert!(pulled.iter().all(|e| e.event_type == "customer.created"
        && e.verified_by == "events_api"
        && e.vendor_event_id
            .as_deref()
            .is_some_and(|v| v.starts_with("evt_"))));
    // Again: the vendor lists them again, and nothing is stored twice.
    let again = core.reconcile_events(&id).unwrap();
    assert_eq!(again.new, 0, "{again:?}");

    // The app is open: localstripe pushes the next event, Stripe-signed, to the listener.
    let background = core.start_background(Cadences::idle()).unwrap();
    core.start_inbound(&background, Some(0));
    while core.inbound_address().is_none() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let secret = "whsec_localstripe_listener";
    core.set_event_secret(&id, Secret::new(secret), false)
        .unwrap();
    let hook = format!("http://{}/in/{id}", core.inbound_address().unwrap());
    let registered = super::http_client()
        .build()
        .unwrap()
        .post(format!("{}/_config/webhooks/sgen", stripe.url))
        .form(&[("url", hook.as_str()), ("secret", secret)])
        .send()
        .unwrap();
    assert!(registered.status().is_success());
    create_customer(&stripe, "hedy@example.com");
    let mut pushed = Vec::new();
    for _ in 0..100 {
        pushed = events("pushed");
        if !pushed.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(pushed.len(), 1, "localstripe's signed push was not stored");
    assert_eq!(pushed[0].verified_by, "stripe_v1");

    // Catching up lists it too; it is the one already stored, and no duplicate is counted.
    let third = core.reconcile_events(&id).unwrap();
    assert_eq!(third.new, 0, "{third:?}");
    let all = events("pushed").len() + events("pulled").len();
    assert_eq!(all, 3);
    assert_eq!(events("pushed")[0].duplicates, 0);
    background.shutdown(Duration::from_secs(5));
}
