//! Roles: the three built-in ones (their capabilities are the app's, stored as NULL) and custom
//! ones with the capabilities an Administrator chose.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

pub struct StoredRole {
    pub id: String,
    pub name: String,
    /// Capability names; None for a built-in role.
    pub capabilities: Option<Vec<String>>,
    pub created_at: i64,
    /// Profiles (not removed) that hold it.
    pub operators: i64,
}

const SELECT: &str = "SELECT r.id, r.name, r.capabilities, r.created_at,
     (SELECT count(*) FROM operators o WHERE o.role = r.id AND o.removed_at IS NULL)
     FROM roles r";

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredRole> {
    let capabilities: Option<String> = row.get(2)?;
    let capabilities = capabilities
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?;
    Ok(StoredRole {
        id: row.get(0)?,
        name: row.get(1)?,
        capabilities,
        created_at: row.get(3)?,
        operators: row.get(4)?,
    })
}

/// Built-in roles first, then custom ones by name.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<StoredRole>> {
    conn.prepare_cached(&format!(
        "{SELECT} ORDER BY r.capabilities IS NOT NULL, r.created_at, r.name COLLATE NOCASE"
    ))?
    .query_map([], from_row)?
    .collect()
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<StoredRole>> {
    conn.prepare_cached(&format!("{SELECT} WHERE r.id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// A custom role's capabilities as stored (JSON text), or None for a built-in role; the
/// capability check reads this on every call, so it is one indexed lookup.
pub fn capabilities_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<Option<String>>> {
    conn.prepare_cached("SELECT capabilities FROM roles WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()
}

pub fn insert(
    tx: &Transaction<'_>,
    id: &str,
    name: &str,
    capabilities: &[String],
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO roles (id, name, capabilities, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            id,
            name,
            serde_json::to_string(capabilities).expect("strings serialize"),
            at
        ],
    )?;
    Ok(())
}

/// Changes a custom role; a built-in one is never changed (0 rows).
pub fn update(
    tx: &Transaction<'_>,
    id: &str,
    name: &str,
    capabilities: &[String],
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE roles SET name = ?2, capabilities = ?3 WHERE id = ?1 AND capabilities IS NOT NULL",
        params![
            id,
            name,
            serde_json::to_string(capabilities).expect("strings serialize")
        ],
    )
}

/// Removes a custom role no profile holds (removed profiles keep theirs, so the foreign key
/// refuses one any profile ever held; the caller says so first).
pub fn delete(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<usize> {
    tx.execute(
        "DELETE FROM roles WHERE id = ?1 AND capabilities IS NOT NULL",
        [id],
    )
}

/// Profiles, removed ones included, that hold `role`.
pub fn ever_held(conn: &Connection, id: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM operators WHERE role = ?1",
        [id],
        |row| row.get(0),
    )
}
