//! The inbound listener over real HTTP on loopback: every signing vendor's event, emitted by
//! the sandbox signed as the vendor signs it, is verified and stored once; a second copy (in
//! turn or at the same time) only counts a duplicate and both get a 2xx; refused requests are
//! kept with the step that failed (wrong secret, clock skew, another host, too large, no such
//! connection), and one can pass on a re-check once its secret is fixed.

use super::oauth::{fixture, fixture_with, Fixture};
use super::{http_client, NOW};
use sgen_core::background::Cadences;
use sgen_core::demo::DemoOptions;
use sgen_core::inbound::event_log::EventQuery;
use sgen_core::inbound::listener::BODY_LIMIT;
use sgen_core::inbound::sandbox_emitter::EmitRequest;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::kernel::supervisor::Supervisor;
use sgen_core::model::EnvironmentName;
use sgen_core::Secret;
use std::time::Duration;

pub(super) struct Listening {
    pub(super) f: Fixture,
    background: Option<Supervisor>,
    base: String,
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(background) = self.background.take() {
            background.shutdown(Duration::from_secs(5));
        }
    }
}

fn listening() -> Listening {
    listening_on(fixture())
}

/// Listening on a demo whose connections hold working sandbox credentials (so the emitter can
/// keep events in the vendors' events lists, and catching up can read them).
pub(super) fn listening_connected() -> Listening {
    listening_on(fixture_with(DemoOptions {
        delivery_attempts: 100,
        sandbox_credentials: true,
        ..Default::default()
    }))
}

fn listening_on(f: Fixture) -> Listening {
    let background = f.core.start_background(Cadences::idle()).unwrap();
    f.core.start_inbound(&background, Some(0));
    for _ in 0..200 {
        if f.core.inbound_address().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let base = format!("http://{}", f.core.inbound_address().expect("listening"));
    Listening {
        f,
        background: Some(background),
        base,
    }
}

/// A canary secret of the scheme's shape.
fn canary(scheme: &str) -> String {
    match scheme {
        "stripe_v1" => "whsec_canary_stripe_signing_secret".into(),
        // `whsec_` and base64.
        "standard_webhooks" => "whsec_Y2FuYXJ5LXN0YW5kYXJkLXdlYmhvb2tz".into(),
        "basic_auth" => "sgen:canary-basic-password".into(),
        other => format!("canary-{other}-token"),
    }
}

/// Every demo connection (id, connector, scope) whose vendor signs its events with a secret,
/// given a canary secret.
fn signing_connections(f: &Fixture) -> Vec<(String, String, SiteEnvironment)> {
    let mut found = Vec::new();
    for environment in [EnvironmentName::Live, EnvironmentName::Staging] {
        let scope = SiteEnvironment {
            site_id: f.summary.site_id.clone(),
            environment,
        };
        let query = sgen_core::connections::detail::ConnectionQuery {
            page_size: Some(200),
            ..Default::default()
        };
        for row in f.core.connections(&scope, &query).unwrap().rows {
            let source = f.core.event_source(&row.record.id).unwrap();
            if ["none", "paypal_verify_api"].contains(&source.scheme.as_str()) {
                continue;
            }
            let secret = Secret::new(canary(&source.scheme));
            f.core
                .set_event_secret(&row.record.id, secret, false)
                .unwrap();
            found.push((row.record.id, row.record.connector_type, scope.clone()));
        }
    }
    found
}

/// The demo's Stripe connection (id, connector, scope), with its canary secret.
fn stripe_of(f: &Fixture) -> (String, String, SiteEnvironment) {
    signing_connections(f)
        .into_iter()
        .find(|(_, c, _)| c == "stripe")
        .unwrap()
}

pub(super) fn emit(connection_id: &str, event_type: &str) -> EmitRequest {
    EmitRequest {
        connection_id: connection_id.into(),
        event_type: event_type.into(),
        ..Default::default()
    }
}

fn events_of(
    f: &Fixture,
    scope: &SiteEnvironment,
    connection_id: &str,
) -> Vec<sgen_core::inbound::event_log::InboundEventRow> {
    let query = EventQuery {
        connection_id: Some(connection_id.into()),
        arrival: Some("pushed".into()),
        ..Default::default()
    };
    f.core.events_query(scope, &query).unwrap().rows
}

#[test]
fn every_signing_vendors_event_is_verified_and_stored_once() {
    let l = listening();
    let connections = signing_connections(&l.f);
    let connectors: std::collections::BTreeSet<&str> =
        connections.iter().map(|(_, c, _)| c.as_str()).collect();
    // Stripe, HubSpot (a batch), Square, URL secrets (JSON and form bodies), Basic and a
    // channel token (type and id in headers) are all among the demo's connections.
    for expected in [
        "stripe",
        "hubspot",
        "square",
        "mailchimp",
        "brevo",
        "activecampaign",
        "pipedrive",
        "google-calendar",
    ] {
        assert!(
            connectors.contains(expected),
            "{expected} missing from {connectors:?}"
        );
    }
    for (id, connector, scope) in &connections {
        let manifest = l.f.core.catalog().get(connector).unwrap();
        let event_type = manifest.inbound_events.types.last().unwrap();
        let answers =
            l.f.core
                .sandbox_emit(&EmitRequest {
                    twice: Some(true),
                    ..emit(id, event_type)
                })
                .unwrap();
        assert_eq!(answers.len(), 2);
        for answer in &answers {
            assert_eq!(answer.status, 200, "{connector}: {:?}", answer.answer);
        }
        assert_eq!(
            answers[0].answer["events"][0]["duplicate"], false,
            "{connector}"
        );
        assert_eq!(
            answers[1].answer["events"][0]["duplicate"], true,
            "{connector}"
        );
        let rows = events_of(&l.f, scope, id);
        assert_eq!(rows.len(), 1, "{connector}: one event for two copies");
        let row = &rows[0];
        assert_eq!(&row.event_type, event_type, "{connector}");
        assert_eq!(row.duplicates, 1);
        assert_eq!(row.arrival, "pushed");
        assert_eq!(row.verified_by, manifest.inbound_events.signature.as_str());
        // What carried the secret is kept redacted.
        let detail = l.f.core.event_detail(&row.id).unwrap();
        let kept = format!("{}{}", detail.headers, detail.payload);
        let scheme = manifest.inbound_events.signature.as_str();
        assert!(!kept.contains(&canary(scheme)), "{connector}: {kept}");
        assert!(!kept.contains("Y2FuYXJ5"), "{connector}: {kept}");
        for carrier in ["authorization", "x-goog-channel-token"] {
            if let Some(value) = detail.headers.get(carrier) {
                assert_eq!(value, "[redacted]", "{connector}");
            }
        }
        if let Some(token) = detail.payload.get("token") {
            assert_eq!(token, "[redacted]", "{connector}");
        }
    }
}

#[test]
fn the_same_event_sent_at_once_by_many_is_stored_once_and_all_get_a_2xx() {
    let l = listening();
    let (id, _, scope) = stripe_of(&l.f);
    // One signed request, sent by 16 clients at the same moment.
    let secret = "whsec_concurrent_test_secret";
    l.f.core
        .set_event_secret(&id, Secret::new(secret), false)
        .unwrap();
    let body = br#"{"id":"evt_same","type":"charge.refunded","object":"event"}"#.to_vec();
    let signed = stripe_signature(secret, NOW / 1000, &body);
    let url = format!("{}/in/{id}", l.base);
    let barrier = std::sync::Barrier::new(16);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    let client = http_client().build().unwrap();
                    barrier.wait();
                    client
                        .post(&url)
                        .header("Stripe-Signature", &signed)
                        .body(body.clone())
                        .send()
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let rows = events_of(&l.f, &scope, &id);
    let same: Vec<_> = rows
        .iter()
        .filter(|r| r.vendor_event_id.as_deref() == Some("evt_same"))
        .collect();
    assert_eq!(same.len(), 1);
    assert_eq!(same[0].duplicates, 15);

    // Found by the vendor's id, by ours, and by the start of its type.
    for search in ["evt_same", same[0].id.as_str(), "charge.ref"] {
        let query = EventQuery {
            search: Some(search.into()),
            ..Default::default()
        };
        let found = l.f.core.events_query(&scope, &query).unwrap().rows;
        assert!(
            found.iter().any(|r| r.id == same[0].id),
            "searching `{search}`"
        );
        assert!(found.iter().all(|r| r.event_type.starts_with("charge.ref")
            || r.vendor_event_id.as_deref() == Some(search)
            || r.id == search));
    }
}

fn stripe_signature(secret: &str, at_s: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{at_s}.").as_bytes());
    mac.update(body);
    format!("t={at_s},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn refused_requests_are_kept_with_the_step_that_failed() {
    let l = listening();
    let (id, _, scope) = stripe_of(&l.f);
    let core = &l.f.core;
    let refused = |request: EmitRequest| {
        let answer = &core.sandbox_emit(&request).unwrap()[0];
        assert_eq!(answer.status, 400, "{:?}", answer.answer);
        answer.answer["rejection"].clone()
    };
    let wrong = refused(EmitRequest {
        wrong_secret: Some(true),
        ..emit(&id, "invoice.paid")
    });
    assert_eq!(wrong["step"], "no_secret_matched");
    let old = refused(EmitRequest {
        signed_at: Some(NOW - 900_000),
        ..emit(&id, "invoice.paid")
    });
    assert_eq!(
        (old["step"].as_str(), old["skew_s"].as_i64()),
        (Some("too_old"), Some(900))
    );
    let ahead = refused(EmitRequest {
        signed_at: Some(NOW + 400_000),
        ..emit(&id, "invoice.paid")
    });
    assert_eq!(
        (ahead["step"].as_str(), ahead["skew_s"].as_i64()),
        (Some("too_new"), Some(400))
    );

    let client = http_client().build().unwrap();
    let url = format!("{}/in/{id}", l.base);
    // A page reaching the listener through a name that resolves here.
    let misdirected = client
        .post(&url)
        .header("Host", "evil.example:47615")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(misdirected.status().as_u16(), 421);
    // A tunnel forwards the vendor's request with the public address's host: taken once that
    // address is given (judged then on its signature, which this one lacks).
    core.set_event_public_url(&id, Some("https://hooks.acme-outdoor.example/in/stripe"))
        .unwrap();
    let tunnelled = client
        .post(&url)
        .header("Host", "hooks.acme-outdoor.example")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(tunnelled.status().as_u16(), 400);
    // Too large, by its declared length (answered before any of the body is sent) and as a
    // chunked body (answered once it passes the limit).
    let path = format!("/in/{id}");
    let declared = raw_status(
        &l.base,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n",
            BODY_LIMIT + 1
        ),
        Vec::new(),
    );
    assert_eq!(declared, 413);
    let mut chunked_body = Vec::new();
    for _ in 0..(BODY_LIMIT / 65_536 + 2) {
        chunked_body.extend_from_slice(b"10000\r\n");
        chunked_body.extend(std::iter::repeat_n(b'x', 65_536));
        chunked_body.extend_from_slice(b"\r\n");
    }
    chunked_body.extend_from_slice(b"0\r\n\r\n");
    let chunked = raw_status(
        &l.base,
        &format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
        chunked_body,
    );
    assert_eq!(chunked, 413);
    let unknown = client
        .post(format!("{}/in/con_nobody", l.base))
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    // A vendor's validation GET.
    assert_eq!(client.get(&url).send().unwrap().status().as_u16(), 200);

    let page = core
        .rejections_query(&scope, Some(&id), None, None)
        .unwrap();
    let steps: Vec<String> = page
        .rows
        .iter()
        .map(|r| {
            serde_json::to_value(&r.rejection).unwrap()["step"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        steps,
        [
            "too_large",
            "too_large",
            "missing_header",
            "host_not_allowed",
            "too_new",
            "too_old",
            "no_secret_matched"
        ]
    );
    assert!(
        events_of(&l.f, &scope, &id).is_empty(),
        "nothing refused was stored"
    );
    let all = core.rejections_query(&scope, None, None, None).unwrap();
    assert!(all
        .rows
        .iter()
        .any(|r| r.request.connection_id == "con_nobody"));
}

/// Sends a request's head, then its body from another thread (the listener may answer and
/// close before it is all sent), and reads the answer's status.
fn raw_status(base: &str, head: &str, body: Vec<u8>) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(&body);
    });
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).unwrap();
    drop(stream);
    let _ = sending.join();
    std::str::from_utf8(&answer[9..12])
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_request_refused_for_a_wrong_secret_passes_a_recheck_once_the_secret_is_fixed() {
    let l = listening();
    let (id, _, scope) = stripe_of(&l.f);
    let core = &l.f.core;
    // The vendor signs with a secret the operator has not entered yet.
    let vendors = "whsec_the_vendors_real_secret";
    let body = br#"{"id":"evt_late","type":"invoice.paid","object":"event"}"#.to_vec();
    let client = http_client().build().unwrap();
    let answer = client
        .post(format!("{}/in/{id}", l.base))
        .header(
            "Stripe-Signature",
            stripe_signature(vendors, NOW / 1000, &body),
        )
        .body(body)
        .send()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let seq = core
        .rejections_query(&scope, Some(&id), None, None)
        .unwrap()
        .rows[0]
        .request
        .seq;

    let still = core.recheck_rejection(seq).unwrap();
    assert_eq!(
        still.refused.request.recheck.as_deref(),
        Some(r#"{"step":"no_secret_matched"}"#)
    );
    core.set_event_secret(&id, Secret::new(vendors), false)
        .unwrap();
    let passed = core.recheck_rejection(seq).unwrap();
    assert_eq!(passed.refused.request.recheck.as_deref(), Some("verified"));
    let rows = events_of(&l.f, &scope, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].vendor_event_id.as_deref(), Some("evt_late"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_listener_moves_when_its_port_setting_changes() {
    let f = fixture();
    let first = free_port();
    f.core.set_inbound_port(first).unwrap();
    let background = f.core.start_background(Cadences::idle()).unwrap();
    f.core.start_inbound(&background, None);
    let listening_on = |port: u16| {
        (0..300).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            f.core.inbound_address().is_some_and(|a| a.port() == port)
        })
    };
    assert!(listening_on(first));
    let second = free_port();
    f.core.set_inbound_port(second).unwrap();
    assert!(
        listening_on(second),
        "still on {:?}",
        f.core.inbound_address()
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", first)).is_err());
    assert!(f.core.set_inbound_port(80).is_err(), "a privileged port");
    background.shutdown(Duration::from_secs(5));
}

/// The demo's connection to the vendor that holds a credential (id, scope), with its canary
/// secret.
pub(super) fn connection_to(f: &Fixture, connector: &str) -> (String, SiteEnvironment) {
    let (id, _, scope) = signing_connections(f)
        .into_iter()
        .find(|(id, c, _)| {
            c == connector && f.core.connection(id).unwrap().row.record.has_credential
        })
        .unwrap();
    (id, scope)
}

#[test]
fn a_sandbox_vendors_events_api_lets_the_app_catch_up_on_what_it_missed_once() {
    let l = listening_connected();
    for connector in ["stripe", "square"] {
        let (id, scope) = connection_to(&l.f, connector);
        // The demo shows Square's access revoked at the vendor: give it back.
        l.f.core
            .set_sandbox_faults(&id, sgen_core::SandboxFaults::default())
            .unwrap();
        let event_type =
            &l.f.core
                .catalog()
                .get(connector)
                .unwrap()
                .inbound_events
                .types[0];
        // Kept at the vendor, never sent: only catching up finds it.
        let sent =
            l.f.core
                .sandbox_emit(&EmitRequest {
                    missed: Some(true),
                    ..emit(&id, event_type)
                })
                .unwrap();
        assert!(sent.is_empty(), "{connector}: a missed event is not sent");
        let caught_up = l.f.core.reconcile_events(&id).unwrap();
        assert_eq!((caught_up.fetched, caught_up.new), (1, 1), "{connector}");
        let pulled = EventQuery {
            connection_id: Some(id.clone()),
            arrival: Some("pulled".into()),
            ..Default::default()
        };
        let rows = l.f.core.events_query(&scope, &pulled).unwrap().rows;
        assert_eq!(rows.len(), 1, "{connector}");
        assert_eq!(&rows[0].event_type, event_type, "{connector}");
        assert_eq!(rows[0].verified_by, "events_api");

        // One that arrived pushed is listed too, and stored once.
        let answers = l.f.core.sandbox_emit(&emit(&id, event_type)).unwrap();
        assert_eq!(
            answers[0].status, 200,
            "{connector}: {:?}",
            answers[0].answer
        );
        let again = l.f.core.reconcile_events(&id).unwrap();
        assert_eq!(again.new, 0, "{connector}: {again:?}");
        assert!(again.fetched >= 1, "{connector}: {again:?}");
        assert_eq!(events_of(&l.f, &scope, &id).len(), 1, "{connector}");
        let source = l.f.core.event_source(&id).unwrap();
        assert_eq!(source.catch_up_error, None, "{connector}");
        assert!(source.caught_up_at.is_some(), "{connector}");
    }
}

#[test]
fn an_event_missed_from_a_vendor_without_an_events_api_is_refused_not_lost() {
    let l = listening_connected();
    let (id, _) = connection_to(&l.f, "hubspot");
    let refused =
        l.f.core
            .sandbox_emit(&EmitRequest {
                missed: Some(true),
                ..emit(&id, "contact.creation")
            })
            .unwrap_err();
    assert!(
        refused.to_string().contains("keeps no events list"),
        "{refused}"
    );
}

#[test]
fn paypal_events_are_verified_by_paypals_api_and_kept_to_recheck_when_it_cannot_be_asked() {
    let l = listening_connected();
    let core = &l.f.core;
    let scope = SiteEnvironment {
        site_id: l.f.summary.site_id.clone(),
        environment: EnvironmentName::Live,
    };
    let paypal = core
        .connections(&scope, &Default::default())
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.record.connector_type == "paypal")
        .unwrap()
        .record
        .id;
    let refused = core
        .set_event_secret(&paypal, Secret::new("not an id!"), false)
        .unwrap_err();
    assert!(
        refused.to_string().contains("PayPal webhook ID"),
        "{refused}"
    );
    core.set_event_secret(&paypal, Secret::new("8PT597110X687430LKGECATA"), false)
        .unwrap();

    // Online: PayPal's answer decides.
    let answer = &core
        .sandbox_emit(&emit(&paypal, "PAYMENT.CAPTURE.COMPLETED"))
        .unwrap()[0];
    assert_eq!(answer.status, 200, "{:?}", answer.answer);
    let rows = events_of(&l.f, &scope, &paypal);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].verified_by, "paypal_verify_api");
    let forged = &core
        .sandbox_emit(&EmitRequest {
            wrong_secret: Some(true),
            ..emit(&paypal, "PAYMENT.CAPTURE.COMPLETED")
        })
        .unwrap()[0];
    assert_eq!(forged.status, 400);
    assert_eq!(forged.answer["rejection"]["step"], "vendor_rejected");
    assert_eq!(forged.answer["rejection"]["answer"], "FAILURE");

    // Offline: not known yet, so 503 (PayPal sends it again) and kept to re-check.
    core.set_sandbox_offline(&paypal, true).unwrap();
    let offline = &core
        .sandbox_emit(&emit(&paypal, "PAYMENT.CAPTURE.REFUNDED"))
        .unwrap()[0];
    assert_eq!(offline.status, 503, "{:?}", offline.answer);
    assert_eq!(offline.answer["rejection"]["step"], "vendor_unreachable");
    core.set_sandbox_offline(&paypal, false).unwrap();
    let seq = core
        .rejections_query(&scope, Some(&paypal), None, None)
        .unwrap()
        .rows[0]
        .request
        .seq;
    let rechecked = core.recheck_rejection(seq).unwrap();
    assert_eq!(
        rechecked.refused.request.recheck.as_deref(),
        Some("verified")
    );
    let types: Vec<String> = events_of(&l.f, &scope, &paypal)
        .into_iter()
        .map(|r| r.event_type)
        .collect();
    assert_eq!(
        types,
        ["PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.COMPLETED"]
    );
}

#[test]
fn a_forged_request_is_not_in_the_vendors_events_list() {
    let l = listening_connected();
    let (id, _) = connection_to(&l.f, "stripe");
    let forged =
        l.f.core
            .sandbox_emit(&EmitRequest {
                wrong_secret: Some(true),
                ..emit(&id, "invoice.paid")
            })
            .unwrap();
    assert_eq!(forged[0].status, 400);
    let caught_up = l.f.core.reconcile_events(&id).unwrap();
    assert_eq!((caught_up.fetched, caught_up.new), (0, 0));
}
