//! Automations and their saved versions (migration 0010).

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutomationRecord {
    pub id: String,
    pub environment_id: i64,
    pub name: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub version: i64,
    pub trigger_key: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// A scheduled automation's next firing.
    pub next_fire_at: Option<i64>,
    /// The connection whose trouble paused it, when the app paused it.
    pub paused_for: Option<String>,
}

const COLUMNS: &str = "id, environment_id, name, status, status_reason, version, trigger_key,
    created_at, updated_at, next_fire_at, paused_for";

fn from_row(row: &Row<'_>) -> rusqlite::Result<AutomationRecord> {
    Ok(AutomationRecord {
        id: row.get(0)?,
        environment_id: row.get(1)?,
        name: row.get(2)?,
        status: row.get(3)?,
        status_reason: row.get(4)?,
        version: row.get(5)?,
        trigger_key: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        next_fire_at: row.get(9)?,
        paused_for: row.get(10)?,
    })
}

/// A version to save: the automation's row follows it.
pub struct NewVersion<'a> {
    pub id: &'a str,
    pub environment_id: i64,
    pub name: &'a str,
    pub status: &'a str,
    pub trigger_key: &'a str,
    pub definition: &'a str,
    pub dependencies: &'a [String],
    pub saved_by: &'a str,
    /// When a schedule trigger next fires.
    pub next_fire_at: Option<i64>,
    pub now: i64,
}

/// Saves a new version (1 for a new automation); returns its number.
pub fn save(tx: &Transaction<'_>, new: &NewVersion<'_>) -> rusqlite::Result<i64> {
    let version: i64 = tx
        .query_row(
            "SELECT version FROM automations WHERE id = ?1",
            [new.id],
            |row| row.get(0),
        )
        .optional()?
        .map_or(1, |v: i64| v + 1);
    tx.execute(
        "INSERT INTO automations (id, environment_id, name, status, version, trigger_key,
             created_at, updated_at, next_fire_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET name = ?3, status = ?4, status_reason = NULL,
             paused_for = NULL, version = ?5, trigger_key = ?6, updated_at = ?7,
             next_fire_at = ?8",
        params![
            new.id,
            new.environment_id,
            new.name,
            new.status,
            version,
            new.trigger_key,
            new.now,
            new.next_fire_at
        ],
    )?;
    tx.execute(
        "INSERT INTO automation_versions (automation_id, version, definition, saved_at, saved_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![new.id, version, new.definition, new.now, new.saved_by],
    )?;
    tx.execute(
        "DELETE FROM automation_dependencies WHERE automation_id = ?1",
        [new.id],
    )?;
    for connection_id in new.dependencies {
        tx.execute(
            "INSERT OR IGNORE INTO automation_dependencies (automation_id, connection_id)
             VALUES (?1, ?2)",
            params![new.id, connection_id],
        )?;
    }
    Ok(version)
}

pub fn set_status(
    tx: &Transaction<'_>,
    id: &str,
    status: &str,
    reason: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "UPDATE automations SET status = ?2, status_reason = ?3, paused_for = NULL,
             updated_at = ?4
         WHERE id = ?1",
        params![id, status, reason, now],
    )? == 1)
}

/// The app pauses an active automation for a connection's trouble, saying why.
pub fn pause_for(
    tx: &Transaction<'_>,
    id: &str,
    connection_id: &str,
    reason: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "UPDATE automations SET status = 'paused', status_reason = ?3, paused_for = ?2,
             updated_at = ?4
         WHERE id = ?1 AND status = 'active'",
        params![id, connection_id, reason, now],
    )? == 1)
}

/// The automations the app paused for a connection.
pub fn paused_for(
    conn: &Connection,
    connection_id: &str,
) -> rusqlite::Result<Vec<AutomationRecord>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM automations WHERE paused_for = ?1 ORDER BY id"
    ))?;
    let rows = statement.query_map([connection_id], from_row)?;
    rows.collect()
}

pub fn set_next_fire(tx: &Transaction<'_>, id: &str, at: Option<i64>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE automations SET next_fire_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Scheduled automations (active, or drafts: dry runs) whose time has come, with the
/// definition of their current version.
pub fn due_schedules(
    conn: &Connection,
    now: i64,
) -> rusqlite::Result<Vec<(AutomationRecord, String)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {}, v.definition
         FROM automations a
         JOIN automation_versions v ON v.automation_id = a.id AND v.version = a.version
         WHERE a.next_fire_at <= ?1 AND a.status IN ('active', 'draft')
         ORDER BY a.next_fire_at",
        prefixed_columns()
    ))?;
    let rows = statement.query_map([now], |row| Ok((from_row(row)?, row.get(11)?)))?;
    rows.collect()
}

fn prefixed_columns() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<AutomationRecord>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM automations WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

pub fn list(conn: &Connection, environment_id: i64) -> rusqlite::Result<Vec<AutomationRecord>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM automations WHERE environment_id = ?1 ORDER BY name, id"
    ))?;
    let rows = statement.query_map([environment_id], from_row)?;
    rows.collect()
}

/// The automations an event of `trigger_key` starts, with the definition of their current
/// version: active ones, drafts (whose runs are dry runs), and those the app paused for a
/// connection (whose runs are held until it recovers).
pub fn triggered_by(
    conn: &Connection,
    environment_id: i64,
    trigger_key: &str,
) -> rusqlite::Result<Vec<(AutomationRecord, String)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {}, v.definition
         FROM automations a
         JOIN automation_versions v ON v.automation_id = a.id AND v.version = a.version
         WHERE a.environment_id = ?1 AND a.trigger_key = ?2
             AND (a.status IN ('active', 'draft') OR a.paused_for IS NOT NULL)",
        prefixed_columns()
    ))?;
    let rows = statement.query_map(params![environment_id, trigger_key], |row| {
        Ok((from_row(row)?, row.get(11)?))
    })?;
    rows.collect()
}

/// A saved version's definition.
pub fn definition(conn: &Connection, id: &str, version: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT definition FROM automation_versions WHERE automation_id = ?1 AND version = ?2",
        params![id, version],
        |row| row.get(0),
    )
    .optional()
}

/// The automations that depend on a connection.
pub fn depending_on(conn: &Connection, connection_id: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT automation_id FROM automation_dependencies WHERE connection_id = ?1",
    )?;
    let rows = statement.query_map([connection_id], |row| row.get(0))?;
    rows.collect()
}
