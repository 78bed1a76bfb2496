//! The event bus: each state change publishes exactly one `connection.state_changed` after its
//! transaction commits; an operation that keeps the state publishes `connection.changed`; a
//! delivery is announced when queued, when each attempt is recorded, and when it dead-letters.

use super::oauth::fixture;
use super::outbound::{brevo, email, fault};
use sgen_core::kernel::events::CoreEvent;
use sgen_core::model::{ConnectionState, DeliveryStatus};
use tokio::sync::broadcast::{error::TryRecvError, Receiver};

fn drained(events: &mut Receiver<CoreEvent>) -> Vec<CoreEvent> {
    let mut seen = Vec::new();
    loop {
        match events.try_recv() {
            Ok(event) => seen.push(event),
            Err(TryRecvError::Empty) => return seen,
            Err(other) => panic!("{other}"),
        }
    }
}

fn state_changed(
    id: &str,
    from: ConnectionState,
    to: ConnectionState,
) -> impl Fn(&CoreEvent) -> bool + '_ {
    move |event| {
        matches!(event, CoreEvent::ConnectionStateChanged { connection_id, from: f, to: t, .. }
            if connection_id == id && *f == from && *t == to)
    }
}

#[test]
fn each_state_change_is_announced_once_after_it_commits() {
    let f = fixture();
    let id = brevo(&f);
    let mut events = f.core.subscribe();

    f.core.pause_connection(&id).unwrap();
    let seen = drained(&mut events);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(state_changed(
        &id,
        ConnectionState::Active,
        ConnectionState::Paused
    )(&seen[0]));

    // Refused before anything is written: nothing to announce.
    f.core.pause_connection(&id).unwrap_err();
    assert!(drained(&mut events).is_empty());

    // A test while paused keeps the state: announced as a change to the connection only.
    f.core.test_connection(&id).unwrap();
    assert_eq!(
        drained(&mut events),
        vec![CoreEvent::ConnectionChanged {
            connection_id: id.clone()
        }]
    );

    f.core.resume_connection(&id).unwrap();
    let seen = drained(&mut events);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(state_changed(
        &id,
        ConnectionState::Paused,
        ConnectionState::Active
    )(&seen[0]));
}

#[test]
fn deliveries_are_announced_queued_recorded_and_dead_lettered() {
    let f = fixture();
    let id = brevo(&f);
    f.core.set_retry_schedule(vec![0, 5]).unwrap();
    fault(&f, &id, Some(503));
    let mut events = f.core.subscribe();

    let queued = f
        .core
        .send_event(&id, "send_transactional_email", email(1))
        .unwrap();
    let delivery = |status| CoreEvent::DeliveryRecorded {
        delivery_id: queued.delivery_id.clone(),
        connection_id: id.clone(),
        status,
    };
    assert_eq!(
        drained(&mut events),
        vec![CoreEvent::DeliveryQueued {
            delivery_id: queued.delivery_id.clone(),
            connection_id: id.clone(),
        }]
    );
    f.core.deliver_due(10).unwrap();
    assert_eq!(
        drained(&mut events),
        vec![delivery(DeliveryStatus::Pending)]
    );
    f.clock.advance(10_000);
    f.core.deliver_due(10).unwrap();
    assert_eq!(
        drained(&mut events),
        vec![
            delivery(DeliveryStatus::DeadLetter),
            CoreEvent::DeliveryDeadLettered {
                delivery_id: queued.delivery_id.clone(),
                connection_id: id.clone(),
            }
        ]
    );
}
