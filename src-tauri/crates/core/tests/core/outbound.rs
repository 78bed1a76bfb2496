//! Outbound delivery through the outbox against the sandbox vendors, with a clock the test moves
//! (no sleeping for hours): delivered on a 2xx, retried on the schedule within its jitter until
//! a dead letter that an operator can retry with the same id, 410 ends it and marks the connection, a 429 waits at least a minute, a paused
//! connection holds its deliveries, a missing scope queues nothing, and a leased delivery is
//! not attempted twice at once.

use super::live;
use super::oauth::{browser_returns, consent, fixture, Fixture};
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::delivery::enqueue::{OutboundEvent, WorkerReport};
use sgen_core::delivery::log::DeliveryQuery;
use sgen_core::model::ConnectionState;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_core::{SandboxFaults, Secret, SANDBOX_ENDPOINT};
use std::collections::BTreeMap;

const KEY: &str =
    "xkeysib-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-AbCdEfGhIjKlMnOp";

pub(super) fn brevo(f: &Fixture) -> String {
    f.core
        .create_connection(
            &live(&f.summary),
            NewConnectionRequest {
                connector_type: "brevo".into(),
                display_name: "Brevo (outbound)".into(),
                auth_flow: "api_key".into(),
                fields: BTreeMap::from([("api_key".to_string(), Secret::new(KEY))]),
                api_base_override: Some(SANDBOX_ENDPOINT.into()),
            },
        )
        .unwrap()
        .row
        .record
        .id
}

pub(super) fn email(n: u32) -> OutboundEvent {
    OutboundEvent {
        originating_module: "notifications".into(),
        event_identifier: format!("password.reset usr_{n}"),
        payload: serde_json::json!({"to": [{"email": "ada@example.com"}], "templateId": 7}),
    }
}

pub(super) fn attempts(f: &Fixture, connection: &str) -> Vec<sgen_core::delivery::log::AttemptRow> {
    let mut rows = f
        .core
        .deliveries(
            &live(&f.summary),
            &DeliveryQuery {
                connection_id: Some(connection.into()),
                limit: Some(100),
                ..Default::default()
            },
        )
        .unwrap()
        .rows;
    rows.sort_by_key(|r| r.attempt_number);
    rows
}

pub(super) fn fault(f: &Fixture, id: &str, status: Option<u16>) {
    let faults = SandboxFaults {
        status,
        ..Default::default()
    };
    f.core.set_sandbox_faults(id, faults).unwrap();
}

#[test]
fn a_2xx_delivers_and_the_attempt_is_in_the_log() {
    let f = fixture();
    let id = brevo(&f);
    let queued = f
        .core
        .send_event(&id, "send_transactional_email", email(1))
        .unwrap();
    assert!(!queued.held);
    let round = f.core.deliver_due(10).unwrap();
    assert_eq!((round.attempted, round.delivered), (1, 1));
    let log = attempts(&f, &id);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].delivery_id, queued.delivery_id);
    assert_eq!(log[0].vendor_response_code, Some(200));
    assert_eq!(log[0].next_attempt_at, None);
    // Nothing is left to do.
    assert_eq!(f.core.deliver_due(10).unwrap(), WorkerReport::default());
}

#[test]
fn an_event_larger_than_a_delivery_carries_is_refused_and_nothing_is_queued() {
    let f = fixture();
    let id = brevo(&f);
    let limit = sgen_core::delivery::enqueue::MAX_REQUEST_BYTES;
    let mut event = email(1);
    event.payload["params"]["note"] = serde_json::Value::String("x".repeat(limit));
    let refused = f
        .core
        .send_event(&id, "send_transactional_email", event)
        .unwrap_err();
    assert_eq!(refused.code(), "payload_too_large", "{refused}");
    assert_eq!(f.core.deliver_due(10).unwrap(), WorkerReport::default());
    assert!(attempts(&f, &id).is_empty());
}

#[test]
fn failures_follow_the_schedule_then_dead_letter() {
    let f = fixture();
    let id = brevo(&f);
    fault(&f, &id, Some(503));
    let queued = f
        .core
        .send_event(&id, "send_transactional_email", email(2))
        .unwrap();
    let planned_s = [5, 300, 1800, 7200, 18000, 36000, 36000];
    for (n, planned) in planned_s.iter().enumerate() {
        let round = f.core.deliver_due(10).unwrap();
        assert_eq!(
            (round.attempted, round.retrying),
            (1, 1),
            "attempt {}",
            n + 1
        );
        let last = attempts(&f, &id).pop().unwrap();
        assert_eq!(last.attempt_number as usize, n + 1);
        let wait = last.next_attempt_at.unwrap() - last.attempted_at;
        let planned = planned * 1000;
        assert!(
            wait * 10 >= planned * 8 && wait * 10 <= planned * 12,
            "attempt {}: {wait} ms",
            n + 1
        );
        // Not before its time.
        f.clock.advance(wait - 1);
        assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);
        f.clock.advance(1);
    }
    let round = f.core.deliver_due(10).unwrap();
    assert_eq!((round.attempted, round.dead_lettered), (1, 1));
    let log = attempts(&f, &id);
    assert_eq!(log.len(), 8);
    assert!(log.iter().all(|a| a.delivery_id == queued.delivery_id));
    assert_eq!(log[7].outcome.as_str(), "failed");
    f.clock.advance(100 * 3_600_000);
    assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);

    // The operator fixes the vendor and retries the dead letter: same id, the attempt appended.
    fault(&f, &id, None);
    f.core.retry_delivery(&queued.delivery_id).unwrap();
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 1);
    let log = attempts(&f, &id);
    assert_eq!(log.len(), 9);
    assert_eq!(log[8].delivery_id, queued.delivery_id);
    assert_eq!(log[8].trigger.as_str(), "manual");
    assert_eq!(log[8].outcome.as_str(), "delivered");
    // A delivered delivery has nothing to retry.
    let err = f.core.retry_delivery(&queued.delivery_id).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn gone_rate_limited_and_recovered_destinations() {
    let f = fixture();
    let id = brevo(&f);
    fault(&f, &id, Some(429));
    f.core
        .send_event(&id, "send_transactional_email", email(3))
        .unwrap();
    f.core.deliver_due(10).unwrap();
    let last = attempts(&f, &id).pop().unwrap();
    // The schedule says 5 s; a 429 waits at least a minute.
    assert_eq!(last.next_attempt_at.unwrap() - last.attempted_at, 60_000);

    // The vendor recovers: the same delivery goes through on its next try.
    fault(&f, &id, None);
    f.clock.advance(60_000);
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 1);

    fault(&f, &id, Some(410));
    f.core
        .send_event(&id, "send_transactional_email", email(4))
        .unwrap();
    assert_eq!(f.core.deliver_due(10).unwrap().gone, 1);
    let record = f.core.connection(&id).unwrap().row.record;
    assert_eq!(record.state, ConnectionState::Error);
    f.clock.advance(3_600_000);
    assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);

    // Fixed at the vendor, retried by hand: attempted at once, delivered.
    fault(&f, &id, None);
    let gone = attempts(&f, &id)
        .into_iter()
        .find(|a| a.vendor_response_code == Some(410))
        .unwrap()
        .delivery_id;
    assert_eq!(f.core.retry_delivery_now(&gone).unwrap().delivered, 1);
}

#[test]
fn a_paused_connection_holds_its_deliveries_until_it_resumes() {
    let f = fixture();
    let id = brevo(&f);
    f.core.pause_connection(&id).unwrap();
    let queued = f
        .core
        .send_event(&id, "send_transactional_email", email(5))
        .unwrap();
    assert!(queued.held);
    f.clock.advance(3_600_000);
    assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);
    f.core.resume_connection(&id).unwrap();
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 1);
}

#[test]
fn a_leased_delivery_is_not_attempted_twice_at_once() {
    let f = fixture();
    let id = brevo(&f);
    let slow = SandboxFaults {
        latency_ms: 500,
        ..Default::default()
    };
    f.core.set_sandbox_faults(&id, slow).unwrap();
    f.core
        .send_event(&id, "send_transactional_email", email(6))
        .unwrap();
    let worker = {
        let core = f.core.clone();
        std::thread::spawn(move || core.deliver_due(10).unwrap())
    };
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);
    assert_eq!(worker.join().unwrap().delivered, 1);
    assert_eq!(attempts(&f, &id).len(), 1);
}

#[test]
fn an_action_needing_a_scope_the_connection_lacks_queues_nothing() {
    let f = fixture();
    let request = OAuthConnectRequest {
        connector_type: "hubspot".into(),
        display_name: "HubSpot (contacts only)".into(),
        scopes: vec!["oauth".into(), "crm.objects.contacts.write".into()],
        api_base_override: Some(SANDBOX_ENDPOINT.into()),
        oauth_server: None,
    };
    let started = f.core.begin_oauth(&live(&f.summary), request).unwrap();
    let finishing = {
        let core = f.core.clone();
        let flow = started.flow_id.clone();
        std::thread::spawn(move || core.finish_oauth(&flow))
    };
    assert_eq!(
        browser_returns(&consent(&started.authorize_url, "approve")),
        200
    );
    let id = finishing.join().unwrap().unwrap().row.record.id;

    let deal = OutboundEvent {
        originating_module: "forms".into(),
        event_identifier: "quote.requested quo_1".into(),
        payload: serde_json::json!({"properties": {"dealname": "Tents"}}),
    };
    let refused = f
        .core
        .send_event(&id, "create_deal", deal.clone())
        .unwrap_err();
    assert_eq!(refused.code(), "scope_missing");
    assert!(
        refused.to_string().contains("crm.objects.deals.write"),
        "{refused}"
    );
    assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);
    let unknown = f.core.send_event(&id, "launch_rocket", deal).unwrap_err();
    assert!(unknown.to_string().contains("upsert_contact"), "{unknown}");

    let contact = OutboundEvent {
        originating_module: "forms".into(),
        event_identifier: "form.submitted frm_1".into(),
        payload: serde_json::json!({"inputs": []}),
    };
    f.core.send_event(&id, "upsert_contact", contact).unwrap();
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 1);
}

#[test]
fn a_run_of_failures_moves_the_connection_to_error_and_a_good_test_restores_it() {
    let f = fixture();
    let id = brevo(&f);
    fault(&f, &id, Some(503));
    for n in 0..5 {
        f.core
            .send_event(&id, "send_transactional_email", email(100 + n))
            .unwrap();
    }
    // Five first attempts, then (after the 5 s step and its jitter) five second ones.
    assert_eq!(f.core.deliver_due(10).unwrap().retrying, 5);
    let record = f.core.connection(&id).unwrap().row.record;
    assert_eq!(
        record.state,
        ConnectionState::Active,
        "nine in a row is not yet a run"
    );
    f.clock.advance(6_000);
    assert_eq!(f.core.deliver_due(10).unwrap().retrying, 5);
    let detail = f.core.connection(&id).unwrap();
    assert_eq!(detail.row.record.state, ConnectionState::Error);
    assert_eq!(
        detail.transitions[0].cause,
        "10 delivery attempts in a row failed (last: HTTP 503)"
    );

    // The vendor recovers; a test call shows it, and the retries go through.
    fault(&f, &id, None);
    f.core.test_connection(&id).unwrap();
    assert_eq!(
        f.core.connection(&id).unwrap().row.record.state,
        ConnectionState::Active
    );
    f.clock.advance(360_000);
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 5);
}

#[test]
fn one_pass_records_every_delivery_it_sent() {
    let f = fixture();
    let id = brevo(&f);
    let queued: Vec<String> = (0..64)
        .map(|n| {
            f.core
                .send_event(&id, "send_transactional_email", email(200 + n))
                .unwrap()
                .delivery_id
        })
        .collect();
    let round = f.core.deliver_due(100).unwrap();
    assert_eq!((round.attempted, round.delivered), (64, 64));
    let mut logged: Vec<String> = attempts(&f, &id)
        .into_iter()
        .map(|a| a.delivery_id)
        .collect();
    logged.sort();
    let mut expected = queued;
    expected.sort();
    assert_eq!(logged, expected);
}

#[test]
fn disconnecting_ends_the_connections_undelivered_deliveries() {
    let f = fixture();
    let id = brevo(&f);
    f.core.pause_connection(&id).unwrap();
    let held = f
        .core
        .send_event(&id, "send_transactional_email", email(300))
        .unwrap();
    f.core.disconnect_connection(&id).unwrap();
    f.clock.advance(3_600_000);
    assert_eq!(f.core.deliver_due(10).unwrap().attempted, 0);
    let err = f.core.retry_delivery(&held.delivery_id).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn a_slow_vendor_holds_only_its_own_deliveries_and_stopping_gives_back_the_rest() {
    let f = fixture();
    let healthy = brevo(&f);
    let slow = f
        .core
        .create_connection(
            &live(&f.summary),
            NewConnectionRequest {
                connector_type: "brevo".into(),
                display_name: "Brevo (slow account)".into(),
                auth_flow: "api_key".into(),
                fields: BTreeMap::from([(
                    "api_key".to_string(),
                    Secret::new(KEY.replace("AbCdEfGhIjKlMnOp", "SlowSlowSlowSlow")),
                )]),
                api_base_override: Some(SANDBOX_ENDPOINT.into()),
            },
        )
        .unwrap()
        .row
        .record
        .id;
    let answers_in_a_second = SandboxFaults {
        latency_ms: 1_000,
        ..Default::default()
    };
    f.core
        .set_sandbox_faults(&slow, answers_in_a_second)
        .unwrap();
    for n in 0..20 {
        f.core
            .send_event(&slow, "send_transactional_email", email(800 + n))
            .unwrap();
    }
    for n in 0..20 {
        f.core
            .send_event(&healthy, "send_transactional_email", email(900 + n))
            .unwrap();
    }
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let worker = {
        let (core, running) = (f.core.clone(), running.clone());
        std::thread::spawn(move || {
            core.deliver_continuously(std::time::Duration::from_millis(50), &|| {
                running.load(std::sync::atomic::Ordering::Relaxed)
            })
            .unwrap()
        })
    };
    // The healthy connection's twenty go through while the slow one still works on its first.
    while attempts(&f, &healthy).len() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(attempts(&f, &slow).len() < 20);
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    let round = worker.join().unwrap();
    assert!(round.delivered >= 20, "{round:?}");
    // What the worker leased but did not attempt is free at once, not after its lease.
    f.core
        .set_sandbox_faults(&slow, SandboxFaults::default())
        .unwrap();
    let done_before = attempts(&f, &slow).len();
    let rest = f.core.deliver_due(100).unwrap();
    assert_eq!(rest.delivered as usize, 20 - done_before);
    assert_eq!(attempts(&f, &slow).len(), 20);
}
