//! The outbox (migration 0004): enqueue a delivery with its payload, claim due ones with a lease,
//! and end or reschedule each in the transaction that records its attempt.

use crate::delivery_writes::{append_attempts, insert_deliveries, NewAttempt, NewDelivery};
use crate::model::DeliveryStatus;
use rusqlite::types::Value;
use rusqlite::{params, Transaction};
use std::rc::Rc;

/// A delivery a worker holds the lease on.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery_id: String,
    pub connection_id: String,
    pub environment_id: i64,
    pub originating_module: String,
    pub event_identifier: String,
    pub action: String,
    pub payload: String,
    pub attempts_made: u32,
    /// An operator asked for this attempt.
    pub manual: bool,
}

/// Where an attempt leaves its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    Delivered,
    RetryAt(i64),
    DeadLetter,
    /// The destination said it is gone for good (410).
    DestinationGone,
}

impl AfterAttempt {
    /// Where the delivery stands after the attempt.
    pub fn status(self) -> DeliveryStatus {
        match self {
            AfterAttempt::RetryAt(_) => DeliveryStatus::Pending,
            AfterAttempt::Delivered => DeliveryStatus::Delivered,
            AfterAttempt::DeadLetter => DeliveryStatus::DeadLetter,
            AfterAttempt::DestinationGone => DeliveryStatus::Failed,
        }
    }
}

pub fn enqueue(
    tx: &Transaction<'_>,
    delivery: &NewDelivery<'_>,
    payload: &str,
    due_at: i64,
) -> rusqlite::Result<()> {
    insert_deliveries(tx, std::slice::from_ref(delivery))?;
    tx.execute(
        "INSERT INTO outbox (delivery_id, connection_id, payload, due_at) VALUES (?1, ?2, ?3, ?4)",
        params![delivery.id, delivery.connection_id, payload, due_at],
    )?;
    Ok(())
}

/// Leases up to `limit` due deliveries until `now + lease_ms`: due, not leased by a live
/// worker, for a connection that is not paused (a paused connection's deliveries are held)
/// nor in `skip` (the worker has enough of its deliveries waiting already).
pub fn claim(
    tx: &Transaction<'_>,
    now: i64,
    lease_ms: i64,
    limit: u32,
    skip: &[String],
) -> rusqlite::Result<Vec<Claimed>> {
    let skip = Rc::new(skip.iter().cloned().map(Value::from).collect::<Vec<_>>());
    lease_where(
        tx,
        "AND o.connection_id NOT IN rarray(?3) ORDER BY o.due_at LIMIT ?2",
        params![now, limit, skip],
        now + lease_ms,
    )
}

/// Gives up every lease: at a writer's start, when no other process can hold one (the data
/// directory is locked to one writer), what a killed process leased is free again at once.
pub fn release_all(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE outbox SET leased_until = 0 WHERE leased_until > 0",
        [],
    )
}

/// Gives up the leases on deliveries a worker claimed but will not attempt.
pub fn release(tx: &Transaction<'_>, delivery_ids: &[String]) -> rusqlite::Result<()> {
    let mut release =
        tx.prepare_cached("UPDATE outbox SET leased_until = 0 WHERE delivery_id = ?1")?;
    for id in delivery_ids {
        release.execute([id])?;
    }
    Ok(())
}

/// Leases one delivery if it is due and free (an operator's "send now" or "retry now").
pub fn claim_one(
    tx: &Transaction<'_>,
    delivery_id: &str,
    now: i64,
    lease_ms: i64,
) -> rusqlite::Result<Option<Claimed>> {
    let mut one = lease_where(
        tx,
        "AND o.delivery_id = ?2",
        params![now, delivery_id],
        now + lease_ms,
    )?;
    Ok(one.pop())
}

/// Leases until `lease_until` the due, free, unheld rows that `rest` narrows (?1 is now).
fn lease_where(
    tx: &Transaction<'_>,
    rest: &str,
    values: impl rusqlite::Params,
    lease_until: i64,
) -> rusqlite::Result<Vec<Claimed>> {
    let claimed: Vec<Claimed> = tx
        .prepare_cached(&format!(
            "SELECT o.delivery_id, o.connection_id, d.environment_id, d.originating_module,
                    d.event_identifier, coalesce(d.action, ''), o.payload, o.attempts_made, o.manual
             FROM outbox o
             JOIN deliveries d ON d.id = o.delivery_id
             JOIN connections c ON c.id = o.connection_id
             WHERE o.due_at <= ?1 AND o.leased_until <= ?1 AND o.parked = 0 AND c.state != 'paused'
             {rest}"
        ))?
        .query_map(values, |row| {
            Ok(Claimed {
                delivery_id: row.get(0)?,
                connection_id: row.get(1)?,
                environment_id: row.get(2)?,
                originating_module: row.get(3)?,
                event_identifier: row.get(4)?,
                action: row.get(5)?,
                payload: row.get(6)?,
                attempts_made: row.get(7)?,
                manual: row.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut lease =
        tx.prepare_cached("UPDATE outbox SET leased_until = ?2 WHERE delivery_id = ?1")?;
    for c in &claimed {
        lease.execute(params![c.delivery_id, lease_until])?;
    }
    Ok(claimed)
}

/// A pass's attempts go into the delivery log, and each delivery ends or waits for its next
/// try — all in the caller's transaction, so one commit records the whole pass.
pub fn record_attempts(
    tx: &Transaction<'_>,
    attempts: &[NewAttempt<'_>],
    afters: &[AfterAttempt],
) -> rusqlite::Result<()> {
    append_attempts(tx, attempts)?;
    let mut reschedule = tx.prepare_cached(
        "UPDATE outbox SET attempts_made = attempts_made + 1, due_at = ?2, leased_until = 0, manual = 0
         WHERE delivery_id = ?1",
    )?;
    let mut remove = tx.prepare_cached("DELETE FROM outbox WHERE delivery_id = ?1")?;
    let mut park = tx.prepare_cached(
        "UPDATE outbox SET attempts_made = attempts_made + 1, leased_until = 0, parked = 1, manual = 0
         WHERE delivery_id = ?1",
    )?;
    let mut set_status = tx.prepare_cached("UPDATE deliveries SET status = ?2 WHERE id = ?1")?;
    for (attempt, after) in attempts.iter().zip(afters) {
        crate::connections::note_delivery(
            tx,
            attempt.delivery.connection_id,
            attempt.attempted_at,
        )?;
        let id = attempt.delivery.id;
        match *after {
            AfterAttempt::RetryAt(due_at) => {
                reschedule.execute(params![id, due_at])?;
                continue;
            }
            AfterAttempt::Delivered => remove.execute([id])?,
            AfterAttempt::DeadLetter | AfterAttempt::DestinationGone => park.execute([id])?,
        };
        set_status.execute(params![id, after.status()])?;
        // A run waiting on this delivery goes on now rather than at its next look.
        crate::automation_runs::wake_waiting_on_delivery(tx, id, attempt.attempted_at)?;
    }
    Ok(())
}

/// A disconnected connection's queued and parked deliveries can never be sent: they end as
/// failed, and leave the outbox. Returns how many, for the disconnect's activity row.
pub fn abandon_for_connection(
    tx: &Transaction<'_>,
    connection_id: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE deliveries SET status = 'failed'
         WHERE id IN (SELECT delivery_id FROM outbox WHERE connection_id = ?1)",
        [connection_id],
    )?;
    tx.execute(
        "DELETE FROM outbox WHERE connection_id = ?1",
        [connection_id],
    )
}
