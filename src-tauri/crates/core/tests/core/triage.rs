//! Operators' side of delivery: the triage queue names what to do about each stopped
//! delivery, a bulk retry re-queues a filtered set with progress and the same ids, and
//! retention deletes attempts older than the setting while keeping what can still be retried.

use super::live;
use super::oauth::fixture;
use super::outbound::{brevo, email, fault};
use sgen_core::delivery::triage::RetryFilter;

#[test]
fn stopped_deliveries_are_triaged_and_retried_in_bulk_with_the_same_ids() {
    let f = fixture();
    let scope = live(&f.summary);
    let id = brevo(&f);
    fault(&f, &id, Some(410));
    let mut gone = Vec::new();
    for n in 0..3 {
        let queued = f
            .core
            .send_event(&id, "send_transactional_email", email(400 + n))
            .unwrap();
        gone.push(queued.delivery_id);
    }
    assert_eq!(f.core.deliver_due(10).unwrap().gone, 3);
    let counts = f.core.outbox_counts(&scope).unwrap();
    assert_eq!((counts.due, counts.stopped), (0, 3));
    let queue = f.core.triage_queue(&scope).unwrap();
    let ours: Vec<_> = queue
        .iter()
        .filter(|item| item.delivery.connection_id == id)
        .collect();
    assert_eq!(ours.len(), 3);
    assert_eq!(ours[0].delivery.last_response_code, Some(410));
    assert!(
        ours[0].next_step.contains("gone (410)"),
        "{}",
        ours[0].next_step
    );

    // Only the ones the filter names are taken.
    fault(&f, &id, None);
    let mut seen = Vec::new();
    let one = RetryFilter {
        outcome: "failed".into(),
        connection_id: Some(id.clone()),
        search: Some("usr_401".into()),
        ..Default::default()
    };
    let bulk = f
        .core
        .retry_deliveries(&scope, &one, |done, total| seen.push((done, total)))
        .unwrap();
    assert_eq!((bulk.matched, bulk.requeued), (1, 1));
    assert_eq!(seen, [(0, 1), (1, 1)]);
    let all = RetryFilter {
        outcome: "failed".into(),
        connection_id: Some(id.clone()),
        ..Default::default()
    };
    let bulk = f.core.retry_deliveries(&scope, &all, |_, _| {}).unwrap();
    assert_eq!((bulk.matched, bulk.requeued), (2, 2));
    let counts = f.core.outbox_counts(&scope).unwrap();
    assert_eq!((counts.due, counts.stopped), (3, 0));
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 3);
    assert!(f
        .core
        .triage_queue(&scope)
        .unwrap()
        .iter()
        .all(|item| item.delivery.connection_id != id));
    let delivered: Vec<String> = super::outbound::attempts(&f, &id)
        .into_iter()
        .filter(|a| a.outcome.as_str() == "delivered")
        .map(|a| a.delivery_id)
        .collect();
    for id in &gone {
        assert!(
            delivered.contains(id),
            "{id} was delivered under its own id"
        );
    }

    let wrong = RetryFilter {
        outcome: "delivered".into(),
        ..Default::default()
    };
    let err = f
        .core
        .retry_deliveries(&scope, &wrong, |_, _| {})
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
}

#[test]
fn retention_deletes_old_attempts_and_keeps_what_can_still_be_retried() {
    let f = fixture();
    let scope = live(&f.summary);
    let id = brevo(&f);
    assert_eq!(f.core.delivery_log_retention_days().unwrap(), 90);
    f.core
        .send_event(&id, "send_transactional_email", email(500))
        .unwrap();
    f.core.deliver_due(10).unwrap();
    fault(&f, &id, Some(410));
    let stopped = f
        .core
        .send_event(&id, "send_transactional_email", email(501))
        .unwrap();
    f.core.deliver_due(10).unwrap();
    assert_eq!(super::outbound::attempts(&f, &id).len(), 2);

    assert_eq!(
        f.core
            .set_delivery_log_retention_days(0)
            .unwrap_err()
            .code(),
        "invalid_argument"
    );
    f.core.set_delivery_log_retention_days(30).unwrap();
    f.clock.advance(29 * 24 * 3_600_000);
    f.core.purge_delivery_log().unwrap();
    assert_eq!(super::outbound::attempts(&f, &id).len(), 2);
    f.clock.advance(2 * 24 * 3_600_000);
    // The demo's generated history is older still: it goes too.
    assert!(f.core.purge_delivery_log().unwrap() >= 2);
    assert!(super::outbound::attempts(&f, &id).is_empty());
    // The stopped delivery's attempts are gone from the log; it can still be retried.
    fault(&f, &id, None);
    f.core.retry_delivery(&stopped.delivery_id).unwrap();
    assert_eq!(f.core.deliver_due(10).unwrap().delivered, 1);
    let searched = f
        .core
        .deliveries(
            &scope,
            &sgen_core::delivery::log::DeliveryQuery {
                search: Some("usr_500".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(searched.rows.is_empty(), "the search index forgot it too");
}

#[test]
fn a_deliverys_timeline_shows_its_attempts_and_the_schedule_ahead() {
    let f = fixture();
    let id = brevo(&f);
    fault(&f, &id, Some(503));
    let queued = f
        .core
        .send_event(&id, "send_transactional_email", email(600))
        .unwrap();
    f.core.deliver_due(10).unwrap();
    let timeline = f.core.delivery_timeline(&queued.delivery_id).unwrap();
    assert_eq!(timeline.attempts.len(), 1);
    assert_eq!(timeline.attempts[0].vendor_response_code, Some(503));
    let next = timeline.next_attempt_at.unwrap();
    assert_eq!(next, timeline.attempts[0].next_attempt_at.unwrap());
    // After the 5 s retry: 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then a dead letter.
    let minutes: Vec<i64> = timeline
        .schedule_ahead
        .iter()
        .map(|at| (at - next) / 60_000)
        .collect();
    assert_eq!(minutes, [5, 35, 155, 455, 1055, 1655]);
    assert!(!timeline.stopped);

    // A shorter schedule set by an Administrator: the second attempt is the last.
    assert_eq!(
        f.core.set_retry_schedule(vec![5]).unwrap_err().code(),
        "invalid_argument"
    );
    f.core.set_retry_schedule(vec![0, 5]).unwrap();
    assert_eq!(f.core.retry_schedule().unwrap(), [0, 5]);
    f.clock.advance(6_000);
    assert_eq!(f.core.deliver_due(10).unwrap().dead_lettered, 1);
    let timeline = f.core.delivery_timeline(&queued.delivery_id).unwrap();
    assert!(timeline.stopped);
    assert_eq!(timeline.status.as_str(), "dead_letter");
    assert_eq!(timeline.next_attempt_at, None);
    assert_eq!(
        f.core.delivery_timeline("dlv_nope").unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn delivery_health_counts_deliveries_and_latency_per_bucket() {
    let f = fixture();
    let id = brevo(&f);
    for n in 0..3 {
        f.core
            .send_event(&id, "send_transactional_email", email(700 + n))
            .unwrap();
    }
    f.core.deliver_due(10).unwrap();
    fault(&f, &id, Some(500));
    f.core
        .send_event(&id, "send_transactional_email", email(703))
        .unwrap();
    f.core.deliver_due(10).unwrap();
    let health = f.core.delivery_health(&id, 1).unwrap();
    assert_eq!(health.bucket_ms, 3_600_000);
    let total: u32 = health.buckets.iter().map(|b| b.attempts).sum();
    let delivered: u32 = health.buckets.iter().map(|b| b.delivered).sum();
    assert_eq!((total, delivered), (4, 3));
    assert!(health.buckets.iter().all(|b| b.start >= health.since));
    assert_eq!(
        f.core.delivery_health(&id, 0).unwrap_err().code(),
        "invalid_argument"
    );
    assert_eq!(
        f.core.delivery_health(&id, 30).unwrap().bucket_ms,
        86_400_000
    );
}

#[test]
fn a_field_mapping_makes_the_request_from_the_event_and_refuses_events_it_cannot_map() {
    let f = fixture();
    let id = brevo(&f);
    let mapping = [
        ("to.0.email", "customer.email"),
        ("templateId", "\"7\""),
        ("params.order", "order.id"),
    ]
    .into_iter()
    .map(|(t, s)| (t.to_string(), s.to_string()))
    .collect();
    let stored = f
        .core
        .set_field_mapping(&id, "send_transactional_email", mapping)
        .unwrap();
    assert_eq!(
        stored["send_transactional_email"]["to.0.email"],
        "customer.email"
    );
    let order = |customer: serde_json::Value| sgen_core::delivery::enqueue::OutboundEvent {
        originating_module: "commerce".into(),
        event_identifier: "order.paid ord_77".into(),
        payload: serde_json::json!({"customer": customer, "order": {"id": "ord_77"}}),
    };
    let sent = f
        .core
        .send_event_now(
            &id,
            "send_transactional_email",
            order(serde_json::json!({"email": "ada@example.com"})),
        )
        .unwrap();
    assert_eq!(sent.round.delivered, 1);
    let refused = f
        .core
        .send_event(
            &id,
            "send_transactional_email",
            order(serde_json::json!({})),
        )
        .unwrap_err();
    assert!(refused.to_string().contains("customer.email"), "{refused}");
    let bad = f.core.set_field_mapping(
        &id,
        "send_transactional_email",
        [("to email".to_string(), "x".to_string())]
            .into_iter()
            .collect(),
    );
    assert_eq!(bad.unwrap_err().code(), "invalid_argument");
    let unknown = f
        .core
        .set_field_mapping(&id, "launch_rocket", Default::default());
    assert_eq!(unknown.unwrap_err().code(), "invalid_argument");
    // An empty mapping clears it: the event goes as it is again.
    let cleared = f
        .core
        .set_field_mapping(&id, "send_transactional_email", Default::default())
        .unwrap();
    assert_eq!(cleared, serde_json::json!({}));
}
