//! Local operator profiles; every action is attributed to one. Removed profiles stay, so the
//! activity log can still name who did what.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;
use ts_rs::TS;

/// A profile as every view may see it: never its passphrase hash.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Operator {
    pub id: String,
    pub name: String,
    /// The role's id: `administrator`, `editor`, `viewer` or a custom role's `role_…`.
    pub role: String,
    pub role_name: String,
    #[ts(type = "number")]
    pub created_at: i64,
    /// Switching to it asks for a passphrase.
    pub has_passphrase: bool,
    /// Too many wrong passphrases: switching to it is refused until then (epoch ms).
    #[ts(type = "number | null")]
    pub locked_until: Option<i64>,
    /// The OS account this profile is the default of.
    pub os_user: Option<String>,
    #[ts(type = "number | null")]
    pub removed_at: Option<i64>,
}

/// A profile to add.
pub struct NewOperator<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub created_at: i64,
    pub passphrase_hash: Option<&'a str>,
    pub os_user: Option<&'a str>,
}

const COLUMNS: &str = "o.id, o.name, o.role, r.name, o.created_at, o.passphrase_hash IS NOT NULL,
     o.locked_until, o.os_user, o.removed_at FROM operators o JOIN roles r ON r.id = o.role";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Operator> {
    Ok(Operator {
        id: row.get(0)?,
        name: row.get(1)?,
        role: row.get(2)?,
        role_name: row.get(3)?,
        created_at: row.get(4)?,
        has_passphrase: row.get(5)?,
        locked_until: row.get(6)?,
        os_user: row.get(7)?,
        removed_at: row.get(8)?,
    })
}

pub fn insert(tx: &Transaction<'_>, operator: &NewOperator<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO operators (id, name, role, created_at, passphrase_hash, os_user)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            operator.id,
            operator.name,
            operator.role,
            operator.created_at,
            operator.passphrase_hash,
            operator.os_user
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Operator>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} WHERE o.id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The profile (not removed) with this name, compared without case.
pub fn by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<Operator>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} WHERE o.name = ?1 COLLATE NOCASE AND o.removed_at IS NULL"
    ))?
    .query_row([name], from_row)
    .optional()
}

pub fn by_os_user(conn: &Connection, os_user: &str) -> rusqlite::Result<Option<Operator>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} WHERE o.os_user = ?1 AND o.removed_at IS NULL"
    ))?
    .query_row([os_user], from_row)
    .optional()
}

/// Every profile not removed, by name.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Operator>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} WHERE o.removed_at IS NULL ORDER BY o.name COLLATE NOCASE"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// Every profile, removed ones included (the activity view's operator filter names them too).
pub fn list_all(conn: &Connection) -> rusqlite::Result<Vec<Operator>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} ORDER BY o.removed_at IS NOT NULL, o.name COLLATE NOCASE"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// The stored Argon2id hash and the wrong tries so far.
pub fn passphrase_state(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(Option<String>, i64)>> {
    conn.query_row(
        "SELECT passphrase_hash, failed_tries FROM operators WHERE id = ?1",
        [id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

pub fn update(tx: &Transaction<'_>, id: &str, name: &str, role: &str) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE operators SET name = ?2, role = ?3 WHERE id = ?1 AND removed_at IS NULL",
        params![id, name, role],
    )
}

/// Sets (or with None clears) the passphrase, and forgets earlier wrong tries and a lock.
pub fn set_passphrase_hash(
    tx: &Transaction<'_>,
    id: &str,
    hash: Option<&str>,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE operators SET passphrase_hash = ?2, failed_tries = 0, locked_until = NULL
         WHERE id = ?1",
        params![id, hash],
    )
}

/// Records the outcome of a passphrase try: `failed_tries` and `locked_until` as given.
pub fn set_tries(
    tx: &Transaction<'_>,
    id: &str,
    failed_tries: i64,
    locked_until: Option<i64>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE operators SET failed_tries = ?2, locked_until = ?3 WHERE id = ?1",
        params![id, failed_tries, locked_until],
    )?;
    Ok(())
}

pub fn remove(tx: &Transaction<'_>, id: &str, at: i64) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE operators SET removed_at = ?2, os_user = NULL, passphrase_hash = NULL
         WHERE id = ?1 AND removed_at IS NULL",
        params![id, at],
    )
}

/// Profiles not removed that hold `role`.
pub fn count_with_role(conn: &Connection, role: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM operators WHERE role = ?1 AND removed_at IS NULL",
        [role],
        |row| row.get(0),
    )
}

/// What a capability check reads, in one lookup: who is acting, their role's stored
/// capabilities (None: a built-in role) and the per-family overrides as stored.
#[derive(Debug, Clone)]
pub struct Acting {
    pub id: String,
    pub name: String,
    pub role: String,
    pub role_name: String,
    pub role_capabilities: Option<String>,
    pub family_gates: Option<String>,
}

pub fn acting(conn: &Connection, id: &str) -> rusqlite::Result<Option<Acting>> {
    conn.prepare_cached(
        "SELECT o.id, o.name, o.role, r.name, r.capabilities,
                (SELECT value FROM app_settings WHERE key = 'family_gates')
         FROM operators o JOIN roles r ON r.id = o.role
         WHERE o.id = ?1 AND o.removed_at IS NULL",
    )?
    .query_row([id], |row| {
        Ok(Acting {
            id: row.get(0)?,
            name: row.get(1)?,
            role: row.get(2)?,
            role_name: row.get(3)?,
            role_capabilities: row.get(4)?,
            family_gates: row.get(5)?,
        })
    })
    .optional()
}

/// Whether any profile is some OS account's default (none on a first start, or in a data
/// directory from before profiles had one).
pub fn any_os_user(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM operators WHERE os_user IS NOT NULL)",
        [],
        |row| row.get(0),
    )
}
