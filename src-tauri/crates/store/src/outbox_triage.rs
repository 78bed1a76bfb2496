//! Reading and re-queuing the outbox for operators: the deliveries that stopped (dead letters,
//! destinations gone) with their last attempt, and a filtered set put back for an attempt now.

use crate::model::{ConnectionState, DeliveryStatus};
use rusqlite::{params, Connection, Transaction};

/// A delivery that stopped and waits for an operator.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct StoppedDelivery {
    pub delivery_id: String,
    pub connection_id: String,
    pub connection_display_name: Option<String>,
    pub connector_type: Option<String>,
    pub connection_state: Option<ConnectionState>,
    pub event_identifier: String,
    pub action: Option<String>,
    pub status: DeliveryStatus,
    pub attempts_made: u32,
    #[ts(type = "number | null")]
    pub last_attempted_at: Option<i64>,
    pub last_response_code: Option<u16>,
    pub last_error_class: Option<String>,
}

/// Which waiting deliveries an operator's bulk retry takes.
#[derive(Debug, Clone, Default)]
pub struct RetrySelection<'a> {
    /// Stopped ones (dead letters, destinations gone) rather than ones waiting for their
    /// scheduled retry.
    pub stopped: bool,
    pub connection_id: Option<&'a str>,
    /// Created at or after (ms).
    pub since: Option<i64>,
    /// Created before (ms).
    pub until: Option<i64>,
    /// Text the event identifier contains (case-insensitive).
    pub search: Option<&'a str>,
}

pub fn stopped(
    conn: &Connection,
    environment_id: i64,
    limit: u32,
) -> rusqlite::Result<Vec<StoppedDelivery>> {
    conn.prepare_cached(
        "SELECT o.delivery_id, o.connection_id, c.display_name, c.connector_type, c.state,
                d.event_identifier, d.action, d.status, o.attempts_made,
                a.attempted_at, a.vendor_response_code, a.error_class
         FROM outbox o
         JOIN deliveries d ON d.id = o.delivery_id
         LEFT JOIN connections c ON c.id = o.connection_id
         LEFT JOIN delivery_attempts a ON a.id =
             (SELECT max(id) FROM delivery_attempts WHERE delivery_id = o.delivery_id)
         WHERE o.parked = 1 AND d.environment_id = ?1
         ORDER BY a.attempted_at DESC, o.delivery_id
         LIMIT ?2",
    )?
    .query_map(params![environment_id, limit], |row| {
        Ok(StoppedDelivery {
            delivery_id: row.get(0)?,
            connection_id: row.get(1)?,
            connection_display_name: row.get(2)?,
            connector_type: row.get(3)?,
            connection_state: row.get(4)?,
            event_identifier: row.get(5)?,
            action: row.get(6)?,
            status: row.get(7)?,
            attempts_made: row.get(8)?,
            last_attempted_at: row.get(9)?,
            last_response_code: row.get(10)?,
            last_error_class: row.get(11)?,
        })
    })?
    .collect()
}

/// The ids a bulk retry takes, oldest first.
pub fn select_for_retry(
    conn: &Connection,
    environment_id: i64,
    selection: &RetrySelection<'_>,
) -> rusqlite::Result<Vec<String>> {
    let search = selection.search.map(|s| {
        format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    conn.prepare_cached(
        "SELECT o.delivery_id FROM outbox o JOIN deliveries d ON d.id = o.delivery_id
         WHERE d.environment_id = ?1 AND o.parked = ?2
           AND (?3 IS NULL OR o.connection_id = ?3)
           AND (?4 IS NULL OR d.created_at >= ?4)
           AND (?5 IS NULL OR d.created_at < ?5)
           AND (?6 IS NULL OR d.event_identifier LIKE ?6 ESCAPE '\\')
         ORDER BY o.delivery_id",
    )?
    .query_map(
        params![
            environment_id,
            selection.stopped,
            selection.connection_id,
            selection.since,
            selection.until,
            search
        ],
        |row| row.get(0),
    )?
    .collect()
}

/// Makes `ids` due at `now` as an operator's retries (same ids, earlier attempts kept). One a
/// worker is attempting right now is left to it. Returns how many are now due.
pub fn requeue(tx: &Transaction<'_>, ids: &[String], now: i64) -> rusqlite::Result<usize> {
    let mut requeue = tx.prepare_cached(
        "UPDATE outbox SET parked = 0, manual = 1, due_at = ?2, leased_until = 0
         WHERE delivery_id = ?1 AND leased_until <= ?2",
    )?;
    let mut pending =
        tx.prepare_cached("UPDATE deliveries SET status = 'pending' WHERE id = ?1")?;
    let mut done = 0;
    for id in ids {
        if requeue.execute(params![id, now])? == 1 {
            pending.execute([id])?;
            done += 1;
        }
    }
    Ok(done)
}

/// Where a delivery stands: its status, and its outbox row if it still has one.
pub struct Standing {
    pub status: DeliveryStatus,
    /// (due_at, parked, attempts_made) while it is in the outbox.
    pub waiting: Option<(i64, bool, u32)>,
}

pub fn standing(conn: &Connection, delivery_id: &str) -> rusqlite::Result<Option<Standing>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT d.status, o.due_at, o.parked, o.attempts_made
         FROM deliveries d LEFT JOIN outbox o ON o.delivery_id = d.id WHERE d.id = ?1",
    )?
    .query_row([delivery_id], |row| {
        let due_at: Option<i64> = row.get(1)?;
        Ok(Standing {
            status: row.get(0)?,
            waiting: match due_at {
                Some(due_at) => Some((due_at, row.get(2)?, row.get(3)?)),
                None => None,
            },
        })
    })
    .optional()
}

/// How the environment's outbox stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct OutboxCounts {
    /// Due now (or being attempted).
    pub due: u32,
    /// Waiting for a scheduled retry.
    pub scheduled: u32,
    /// Stopped: dead letters and destinations gone.
    pub stopped: u32,
    /// Held because their connection is paused.
    pub held: u32,
}

pub fn counts(conn: &Connection, environment_id: i64, now: i64) -> rusqlite::Result<OutboxCounts> {
    conn.prepare_cached(
        "SELECT coalesce(sum(o.parked = 0 AND c.state IS NOT 'paused' AND o.due_at <= ?2), 0),
                coalesce(sum(o.parked = 0 AND c.state IS NOT 'paused' AND o.due_at > ?2), 0),
                coalesce(sum(o.parked = 1), 0),
                coalesce(sum(o.parked = 0 AND c.state IS 'paused'), 0)
         FROM outbox o JOIN deliveries d ON d.id = o.delivery_id
         LEFT JOIN connections c ON c.id = o.connection_id
         WHERE d.environment_id = ?1",
    )?
    .query_row(params![environment_id, now], |row| {
        Ok(OutboxCounts {
            due: row.get(0)?,
            scheduled: row.get(1)?,
            stopped: row.get(2)?,
            held: row.get(3)?,
        })
    })
}
