//! The notification centre's rows (migration 0010): what the app told the operator.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    pub id: i64,
    pub environment_id: Option<i64>,
    pub priority: String,
    pub title: String,
    pub body: String,
    pub subject: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub struct NewNotification<'a> {
    pub environment_id: Option<i64>,
    /// `normal` or `high` (high ones also reach the OS).
    pub priority: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub subject: Option<&'a str>,
    pub now: i64,
}

pub fn insert(tx: &Transaction<'_>, n: &NewNotification<'_>) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO notifications (environment_id, priority, title, body, subject, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            n.environment_id,
            n.priority,
            n.title,
            n.body,
            n.subject,
            n.now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Newest first.
pub fn newest(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<NotificationRecord>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, environment_id, priority, title, body, subject, created_at, read_at
         FROM notifications ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = statement.query_map([limit], |row| {
        Ok(NotificationRecord {
            id: row.get(0)?,
            environment_id: row.get(1)?,
            priority: row.get(2)?,
            title: row.get(3)?,
            body: row.get(4)?,
            subject: row.get(5)?,
            created_at: row.get(6)?,
            read_at: row.get(7)?,
        })
    })?;
    rows.collect()
}

pub fn unread_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM notifications WHERE read_at IS NULL",
        [],
        |row| row.get(0),
    )
}

/// Marks notifications read: those up to and including `up_to_id` (the newest the operator
/// saw), so one that arrives meanwhile stays unread.
pub fn mark_read(tx: &Transaction<'_>, up_to_id: i64, now: i64) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE notifications SET read_at = ?2 WHERE read_at IS NULL AND id <= ?1",
        params![up_to_id, now],
    )
}
