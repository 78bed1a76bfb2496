//! The sealed credential columns of a connection, and removing a connection. Only the core's
//! vault turns these blobs into secrets; nothing here can read them.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// A connection's sealed blobs and what the vault needs to open them.
pub struct SealedCredentials {
    pub site_id: String,
    pub credential_blob: Option<Vec<u8>>,
    pub refresh_token_blob: Option<Vec<u8>>,
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<SealedCredentials>> {
    conn.query_row(
        "SELECT e.site_id, c.credential_blob, c.refresh_token_blob
         FROM connections c JOIN environments e ON e.id = c.environment_id WHERE c.id = ?1",
        [id],
        |row| {
            Ok(SealedCredentials {
                site_id: row.get(0)?,
                credential_blob: row.get(1)?,
                refresh_token_blob: row.get(2)?,
            })
        },
    )
    .optional()
}

/// Stores a connection's sealed credential (and refresh token, when it has one).
pub fn set(
    tx: &Transaction<'_>,
    id: &str,
    credential_blob: &[u8],
    refresh_token_blob: Option<&[u8]>,
    expires_at: Option<i64>,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE connections SET credential_blob = ?2, refresh_token_blob = ?3, expires_at = ?4, updated_at = ?5
         WHERE id = ?1",
        params![id, credential_blob, refresh_token_blob, expires_at, at],
    )?;
    Ok(())
}

/// Forgets a refresh token the vendor refused (`invalid_grant`): it can never work again, so
/// nothing should try it again.
pub fn forget_refresh_token(tx: &Transaction<'_>, id: &str, at: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE connections SET refresh_token_blob = NULL, updated_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Removes a connection, its ciphertext and its state history. The delivery log and the
/// activity log keep their rows: they outlive the connection by design.
pub fn delete(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<bool> {
    tx.execute(
        "DELETE FROM connection_transitions WHERE connection_id = ?1",
        [id],
    )?;
    Ok(tx.execute("DELETE FROM connections WHERE id = ?1", [id])? == 1)
}
