//! Revocations waiting for the vendor (migration 0007): kept when the first attempt could not
//! reach it, retried when due, removed with their sealed token once the vendor confirms or the
//! schedule ends.

use rusqlite::{params, Connection, Transaction};

/// A revocation to retry, with the sealed token it revokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRevocation {
    pub id: String,
    pub site_id: String,
    pub environment_id: i64,
    pub connection_id: String,
    pub connector_type: String,
    pub display_name: String,
    pub operator_id: String,
    /// `disconnect` or `reauthorize`.
    pub reason: String,
    /// None: the app's own sandbox vendor, looked up again at each attempt.
    pub revoke_url: Option<String>,
    pub client_id: String,
    /// `refresh_token` or `access_token`.
    pub token_kind: String,
    pub sealed_token: Vec<u8>,
    pub attempts_made: u32,
    pub due_at: i64,
    /// Why the last attempt failed; None before the first.
    pub last_error: Option<String>,
    pub created_at: i64,
}

pub fn insert(tx: &Transaction<'_>, p: &PendingRevocation) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO pending_revocations (id, site_id, environment_id, connection_id,
           connector_type, display_name, operator_id, reason, revoke_url, client_id, token_kind,
           sealed_token, attempts_made, due_at, last_error, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            p.id,
            p.site_id,
            p.environment_id,
            p.connection_id,
            p.connector_type,
            p.display_name,
            p.operator_id,
            p.reason,
            p.revoke_url,
            p.client_id,
            p.token_kind,
            p.sealed_token,
            p.attempts_made,
            p.due_at,
            p.last_error,
            p.created_at
        ],
    )?;
    Ok(())
}

/// Those due at `now`, the longest-waiting first.
pub fn due(conn: &Connection, now: i64, limit: u32) -> rusqlite::Result<Vec<PendingRevocation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, site_id, environment_id, connection_id, connector_type, display_name,
                operator_id, reason, revoke_url, client_id, token_kind, sealed_token,
                attempts_made, due_at, last_error, created_at
         FROM pending_revocations WHERE due_at <= ?1 ORDER BY due_at LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit], |row| {
        Ok(PendingRevocation {
            id: row.get(0)?,
            site_id: row.get(1)?,
            environment_id: row.get(2)?,
            connection_id: row.get(3)?,
            connector_type: row.get(4)?,
            display_name: row.get(5)?,
            operator_id: row.get(6)?,
            reason: row.get(7)?,
            revoke_url: row.get(8)?,
            client_id: row.get(9)?,
            token_kind: row.get(10)?,
            sealed_token: row.get(11)?,
            attempts_made: row.get(12)?,
            due_at: row.get(13)?,
            last_error: row.get(14)?,
            created_at: row.get(15)?,
        })
    })?;
    rows.collect()
}

/// Another attempt failed; the next is at `due_at`.
pub fn reschedule(
    tx: &Transaction<'_>,
    id: &str,
    attempts_made: u32,
    due_at: i64,
    last_error: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE pending_revocations SET attempts_made = ?2, due_at = ?3, last_error = ?4
         WHERE id = ?1",
        params![id, attempts_made, due_at, last_error],
    )?;
    Ok(())
}

/// Done, one way or the other: the row and its sealed token go.
pub fn remove(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM pending_revocations WHERE id = ?1", [id])?;
    Ok(())
}
