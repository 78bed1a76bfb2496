//! The app's background work under its supervisor: stopping it while deliveries are in flight
//! loses nothing — what was sent is recorded, what was leased but not sent is due again at
//! once — and finishes within the bound.

use super::oauth::fixture;
use super::outbound::{brevo, email};
use sgen_core::background::{Cadences, SHUTDOWN_WITHIN};
use sgen_core::kernel::supervisor::TaskState;
use sgen_core::SandboxFaults;
use std::time::Duration;

#[test]
fn stopping_with_deliveries_in_flight_loses_nothing_and_gives_leases_back() {
    let f = fixture();
    let id = brevo(&f);
    let slow = SandboxFaults {
        latency_ms: 700,
        ..Default::default()
    };
    f.core.set_sandbox_faults(&id, slow).unwrap();
    const SENT: u32 = 30;
    for n in 0..SENT {
        f.core
            .send_event(&id, "send_transactional_email", email(n))
            .unwrap();
    }
    let db = rusqlite::Connection::open(f.core.data_dir().join(sgen_core::DATABASE_FILE)).unwrap();
    let count = |sql: &str| -> u32 { db.query_row(sql, [], |row| row.get(0)).unwrap() };

    let cadences = Cadences {
        deliver_every: Duration::from_millis(10),
        ..Cadences::default()
    };
    let background = f.core.start_background(cadences).unwrap();
    // Wait until the worker has leased deliveries, then a little for its first requests to be
    // under way: the vendor takes 700 ms to answer each.
    for _ in 0..200 {
        if count("SELECT count(*) FROM outbox WHERE leased_until > 0") > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(count("SELECT count(*) FROM outbox WHERE leased_until > 0") > 0);
    std::thread::sleep(Duration::from_millis(300));
    let status = background.status();
    assert_eq!(status.len(), 7, "{status:?}");
    assert!(status.iter().all(|task| task.state == TaskState::Running));

    let shutdown = background.shutdown(SHUTDOWN_WITHIN);
    assert!(shutdown.finished, "shutdown took longer than its bound");
    assert!(shutdown
        .tasks
        .iter()
        .all(|task| task.state == TaskState::Stopped));

    // Every delivery is either recorded as attempted or waiting, unleased, in the outbox.
    let attempted = count("SELECT count(DISTINCT delivery_id) FROM delivery_attempts WHERE connection_id IN (SELECT id FROM connections WHERE connector_type = 'brevo' AND display_name = 'Brevo (outbound)')");
    let waiting = count("SELECT count(*) FROM outbox");
    let leased = count("SELECT count(*) FROM outbox WHERE leased_until > 0");
    assert!(attempted > 0, "the in-flight attempts were recorded");
    assert_eq!(leased, 0, "every lease was given back");
    assert_eq!(attempted + waiting, SENT);
}
