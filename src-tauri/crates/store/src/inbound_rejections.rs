//! Requests the listener refused (migration 0009), newest kept, oldest dropped past a bound.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;
use ts_rs::TS;

/// How many refused requests are kept: enough to see a pattern, bounded against a flood.
pub const KEPT: i64 = 2_000;

pub struct NewRejection<'a> {
    pub connection_id: &'a str,
    pub environment_id: Option<i64>,
    pub received_at: i64,
    pub rejection: &'a str,
    pub method: &'a str,
    pub target: &'a str,
    pub headers: &'a str,
    pub body: &'a [u8],
    pub body_length: u64,
}

/// Keeps the refused request and drops what falls past the bound; returns its sequence number.
pub fn insert(tx: &Transaction<'_>, r: &NewRejection<'_>) -> rusqlite::Result<i64> {
    let seq = tx
        .prepare_cached(
            "INSERT INTO inbound_rejections (connection_id, environment_id, received_at, rejection,
                 method, target, headers, body, body_length)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING seq",
        )?
        .query_row(
            params![
                r.connection_id,
                r.environment_id,
                r.received_at,
                r.rejection,
                r.method,
                r.target,
                r.headers,
                r.body,
                r.body_length as i64
            ],
            |row| row.get::<_, i64>(0),
        )?;
    tx.prepare_cached("DELETE FROM inbound_rejections WHERE seq <= ?1")?
        .execute([seq - KEPT])?;
    Ok(seq)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RejectionRow {
    #[ts(type = "number")]
    pub seq: i64,
    pub connection_id: String,
    pub connection_name: Option<String>,
    #[ts(type = "number")]
    pub received_at: i64,
    /// The rejection's JSON: `{"step": …, …}`.
    pub rejection: String,
    pub method: String,
    pub target: String,
    #[ts(type = "number")]
    pub body_length: i64,
    #[ts(type = "number | null")]
    pub rechecked_at: Option<i64>,
    pub recheck: Option<String>,
}

const COLUMNS: &str =
    "r.seq, r.connection_id, c.display_name, r.received_at, r.rejection, r.method,
    r.target, r.body_length, r.rechecked_at, r.recheck";

fn row_from(row: &Row<'_>) -> rusqlite::Result<RejectionRow> {
    Ok(RejectionRow {
        seq: row.get(0)?,
        connection_id: row.get(1)?,
        connection_name: row.get(2)?,
        received_at: row.get(3)?,
        rejection: row.get(4)?,
        method: row.get(5)?,
        target: row.get(6)?,
        body_length: row.get(7)?,
        rechecked_at: row.get(8)?,
        recheck: row.get(9)?,
    })
}

/// Newest first; those of the environment, and those that named no connection of any.
pub fn page(
    conn: &Connection,
    environment_id: i64,
    connection_id: Option<&str>,
    before_seq: Option<i64>,
    limit: u32,
) -> rusqlite::Result<Vec<RejectionRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM inbound_rejections r LEFT JOIN connections c ON c.id = r.connection_id
         WHERE (r.environment_id = ?1 OR r.environment_id IS NULL)
           AND (?2 IS NULL OR r.connection_id = ?2)
           AND (?3 IS NULL OR r.seq < ?3)
         ORDER BY r.seq DESC LIMIT ?4"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![environment_id, connection_id, before_seq, limit],
        row_from,
    )?;
    rows.collect()
}

pub struct RejectionDetail {
    pub row: RejectionRow,
    pub headers: String,
    pub body: Vec<u8>,
}

pub fn get(conn: &Connection, seq: i64) -> rusqlite::Result<Option<RejectionDetail>> {
    let sql = format!(
        "SELECT {COLUMNS}, r.headers, r.body FROM inbound_rejections r
         LEFT JOIN connections c ON c.id = r.connection_id WHERE r.seq = ?1"
    );
    conn.query_row(&sql, [seq], |row| {
        Ok(RejectionDetail {
            row: row_from(row)?,
            headers: row.get(10)?,
            body: row.get(11)?,
        })
    })
    .optional()
}

pub fn set_recheck(tx: &Transaction<'_>, seq: i64, at: i64, recheck: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE inbound_rejections SET rechecked_at = ?2, recheck = ?3 WHERE seq = ?1",
        params![seq, at, recheck],
    )?;
    Ok(())
}
