//! The Stripe connector against `localstripe` (PyPI), a fake Stripe server written by others:
//! a delivery creates a customer there with the fields the event carried (form-encoded, as
//! Stripe reads bodies), and a refund the server refuses as malformed is logged with its 400
//! and retried on schedule. localstripe lacks `GET /v1/account`, the connector's test call, so
//! a small front on loopback answers that one path and passes everything else through.
//! Needs localstripe installed (scripts/setup.sh does it): #[ignore]d for a plain `cargo test`.

use super::{live, seeded};
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::delivery::enqueue::OutboundEvent;
use sgen_core::delivery::log::DeliveryQuery;
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
            .args(["--port", &port.to_string()])
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

#[test]
#[ignore = "needs localstripe (scripts/setup.sh installs it)"]
fn a_stripe_delivery_creates_the_customer_at_localstripe() {
    let stripe = LocalStripe::start();
    let (_dir, core, summary) = seeded(10);
    let scope = live(&summary);
    let id = core
        .create_connection(
            &scope,
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
        .id;

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
