//! A connection's event source (migration 0008): the public address its vendor signs and its
//! sealed signing secrets. Only the core's vault opens the blob.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSource {
    pub public_url: Option<String>,
    pub sealed_secrets: Option<Vec<u8>>,
    /// How many secrets the blob holds (0 to 2), readable without opening it.
    pub secrets_active: u32,
}

pub fn get(conn: &Connection, connection_id: &str) -> rusqlite::Result<Option<EventSource>> {
    conn.query_row(
        "SELECT public_url, sealed_secrets, secrets_active FROM event_sources WHERE connection_id = ?1",
        [connection_id],
        |row| {
            Ok(EventSource {
                public_url: row.get(0)?,
                sealed_secrets: row.get(1)?,
                secrets_active: row.get(2)?,
            })
        },
    )
    .optional()
}

pub fn set_public_url(
    tx: &Transaction<'_>,
    connection_id: &str,
    public_url: Option<&str>,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO event_sources (connection_id, public_url, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (connection_id) DO UPDATE SET public_url = ?2, updated_at = ?3",
        params![connection_id, public_url, at],
    )?;
    Ok(())
}

pub fn set_secrets(
    tx: &Transaction<'_>,
    connection_id: &str,
    sealed: &[u8],
    active: u32,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO event_sources (connection_id, sealed_secrets, secrets_active, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id) DO UPDATE SET sealed_secrets = ?2, secrets_active = ?3, updated_at = ?4",
        params![connection_id, sealed, active, at],
    )?;
    Ok(())
}

/// Every public address given, for the listener's `Host` allow-list.
pub fn public_urls(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare("SELECT public_url FROM event_sources WHERE public_url IS NOT NULL")?;
    let urls = statement.query_map([], |row| row.get(0))?;
    urls.collect()
}
