//! Where each connection's catch-up from its vendor's events API stands (migration 0009).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundCursor {
    /// The vendor's position: for Stripe, the newest event's `created` (seconds) seen.
    pub position: Option<String>,
    pub caught_up_at: Option<i64>,
    pub last_error: Option<String>,
}

pub fn get(conn: &Connection, connection_id: &str) -> rusqlite::Result<Option<InboundCursor>> {
    conn.query_row(
        "SELECT position, caught_up_at, last_error FROM inbound_cursors WHERE connection_id = ?1",
        [connection_id],
        |row| {
            Ok(InboundCursor {
                position: row.get(0)?,
                caught_up_at: row.get(1)?,
                last_error: row.get(2)?,
            })
        },
    )
    .optional()
}

pub fn set(
    tx: &Transaction<'_>,
    connection_id: &str,
    cursor: &InboundCursor,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO inbound_cursors (connection_id, position, caught_up_at, last_error)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id) DO UPDATE
             SET position = ?2, caught_up_at = ?3, last_error = ?4",
        params![
            connection_id,
            cursor.position,
            cursor.caught_up_at,
            cursor.last_error
        ],
    )?;
    Ok(())
}
