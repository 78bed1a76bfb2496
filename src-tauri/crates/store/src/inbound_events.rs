//! The event log (migration 0009): one row per event per connection, a second copy counted as
//! a duplicate; pages newest first by id, which is time-ordered.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;
use ts_rs::TS;

pub struct NewInboundEvent<'a> {
    pub id: &'a str,
    pub environment_id: i64,
    pub connection_id: &'a str,
    pub dedupe_key: &'a str,
    pub vendor_event_id: Option<&'a str>,
    pub event_type: &'a str,
    pub arrival: &'a str,
    pub verified_by: &'a str,
    pub received_at: i64,
    pub signed_at: Option<i64>,
    pub headers: &'a str,
    pub payload: &'a [u8],
}

/// Where an event stands after it was offered: the row it is, and whether it was one already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub duplicate: bool,
}

const INSERT: &str = "INSERT INTO inbound_events (id, environment_id, connection_id, dedupe_key,
         vendor_event_id, event_type, arrival, verified_by, received_at, signed_at, headers, payload)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

fn values<'a>(e: &'a NewInboundEvent<'a>) -> [&'a dyn rusqlite::ToSql; 12] {
    [
        &e.id,
        &e.environment_id,
        &e.connection_id,
        &e.dedupe_key,
        &e.vendor_event_id,
        &e.event_type,
        &e.arrival,
        &e.verified_by,
        &e.received_at,
        &e.signed_at,
        &e.headers,
        &e.payload,
    ]
}

/// Stores the event, or counts a duplicate of the one with its key.
pub fn insert(tx: &Transaction<'_>, e: &NewInboundEvent<'_>) -> rusqlite::Result<Stored> {
    let sql = format!(
        "{INSERT} ON CONFLICT (connection_id, dedupe_key) DO UPDATE
             SET duplicates = duplicates + 1, last_duplicate_at = excluded.received_at
         RETURNING id, duplicates"
    );
    tx.prepare_cached(&sql)?
        .query_row(values(e).as_slice(), |row| {
            Ok(Stored {
                id: row.get(0)?,
                duplicate: row.get::<_, i64>(1)? > 0,
            })
        })
}

/// Stores an event fetched from the vendor's events API, unless one with its key is stored
/// already (it was pushed, or fetched before): fetching it again is no second copy from the
/// vendor, so no duplicate is counted. Returns whether it was new.
pub fn insert_fetched(tx: &Transaction<'_>, e: &NewInboundEvent<'_>) -> rusqlite::Result<bool> {
    let sql = format!("{INSERT} ON CONFLICT (connection_id, dedupe_key) DO NOTHING");
    Ok(tx.prepare_cached(&sql)?.execute(values(e).as_slice())? == 1)
}

/// One row of the Events view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboundEventRow {
    pub id: String,
    pub connection_id: String,
    pub connection_name: Option<String>,
    pub connector_type: Option<String>,
    pub vendor_event_id: Option<String>,
    pub event_type: String,
    pub arrival: String,
    pub verified_by: String,
    #[ts(type = "number")]
    pub received_at: i64,
    #[ts(type = "number | null")]
    pub signed_at: Option<i64>,
    pub duplicates: u32,
    #[ts(type = "number | null")]
    pub last_duplicate_at: Option<i64>,
}

pub struct EventFilter<'a> {
    pub environment_id: i64,
    pub connection_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub arrival: Option<&'a str>,
    /// The start of a type.
    pub type_prefix: Option<&'a str>,
    /// Ids are time-ordered: the bounds of a date range are ids too.
    pub from_id: Option<&'a str>,
    pub to_id: Option<&'a str>,
    /// The last id of the previous page.
    pub before_id: Option<&'a str>,
    pub limit: u32,
}

const ROW_COLUMNS: &str =
    "e.id, e.connection_id, c.display_name, c.connector_type, e.vendor_event_id,
    e.event_type, e.arrival, e.verified_by, e.received_at, e.signed_at, e.duplicates,
    e.last_duplicate_at";

fn row_from(row: &Row<'_>) -> rusqlite::Result<InboundEventRow> {
    Ok(InboundEventRow {
        id: row.get(0)?,
        connection_id: row.get(1)?,
        connection_name: row.get(2)?,
        connector_type: row.get(3)?,
        vendor_event_id: row.get(4)?,
        event_type: row.get(5)?,
        arrival: row.get(6)?,
        verified_by: row.get(7)?,
        received_at: row.get(8)?,
        signed_at: row.get(9)?,
        duplicates: row.get(10)?,
        last_duplicate_at: row.get(11)?,
    })
}

/// A page, newest first. Each filter that is None matches everything; the query walks one
/// index in id order, so a page costs about its own rows whatever the log's size.
pub fn page(conn: &Connection, f: &EventFilter<'_>) -> rusqlite::Result<Vec<InboundEventRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM inbound_events e LEFT JOIN connections c ON c.id = e.connection_id
         WHERE e.environment_id = ?1
           AND (?2 IS NULL OR e.connection_id = ?2)
           AND (?3 IS NULL OR e.event_type = ?3)
           AND (?4 IS NULL OR e.arrival = ?4)
           AND (?5 IS NULL OR e.event_type LIKE ?10 || '%' ESCAPE '\\')
           AND (?6 IS NULL OR e.id >= ?6)
           AND (?7 IS NULL OR e.id < ?7)
           AND (?8 IS NULL OR e.id < ?8)
         ORDER BY e.id DESC LIMIT ?9"
    );
    let escaped = f.type_prefix.map(escape_like);
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            f.environment_id,
            f.connection_id,
            f.event_type,
            f.arrival,
            f.type_prefix,
            f.from_id,
            f.to_id,
            f.before_id,
            f.limit,
            escaped
        ],
        row_from,
    )?;
    rows.collect()
}

/// The events whose id, ours or the vendor's, is `id` (more than one where several
/// connections' vendors used it), newest first, within the filter's environment and connection.
/// Written as a lookup in each id's index (the `+` keeps the planner off the environment's
/// index, which would walk every event of the environment).
pub fn with_id(
    conn: &Connection,
    environment_id: i64,
    connection_id: Option<&str>,
    id: &str,
) -> rusqlite::Result<Vec<InboundEventRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM inbound_events e LEFT JOIN connections c ON c.id = e.connection_id
         WHERE e.id IN (SELECT ?1 UNION SELECT id FROM inbound_events WHERE vendor_event_id = ?1)
           AND +e.environment_id = ?2 AND (?3 IS NULL OR e.connection_id = ?3)
         ORDER BY e.id DESC LIMIT 100"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![id, environment_id, connection_id], row_from)?;
    rows.collect()
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// An event with what it carried.
pub struct InboundEventDetail {
    pub row: InboundEventRow,
    pub environment_id: i64,
    pub headers: String,
    pub payload: Vec<u8>,
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<InboundEventDetail>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, e.environment_id, e.headers, e.payload
         FROM inbound_events e LEFT JOIN connections c ON c.id = e.connection_id WHERE e.id = ?1"
    );
    conn.query_row(&sql, [id], |row| {
        Ok(InboundEventDetail {
            row: row_from(row)?,
            environment_id: row.get(12)?,
            headers: row.get(13)?,
            payload: row.get(14)?,
        })
    })
    .optional()
}

pub fn count(conn: &Connection, environment_id: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM inbound_events WHERE environment_id = ?1",
        [environment_id],
        |row| row.get(0),
    )
}

/// An event as the automation engine reads it: in the order events were stored.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub rowid: i64,
    pub id: String,
    pub environment_id: i64,
    pub connection_id: String,
    pub event_type: String,
    pub payload: Vec<u8>,
}

/// The events stored after `rowid`, oldest first.
pub fn after_rowid(
    conn: &Connection,
    rowid: i64,
    limit: u32,
) -> rusqlite::Result<Vec<LoggedEvent>> {
    let mut statement = conn.prepare_cached(
        "SELECT rowid, id, environment_id, connection_id, event_type, payload
         FROM inbound_events WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
    )?;
    let rows = statement.query_map(rusqlite::params![rowid, limit], logged_from_row)?;
    rows.collect()
}

fn logged_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<LoggedEvent> {
    Ok(LoggedEvent {
        rowid: row.get(0)?,
        id: row.get(1)?,
        environment_id: row.get(2)?,
        connection_id: row.get(3)?,
        event_type: row.get(4)?,
        payload: row.get(5)?,
    })
}

/// Events of one type (from one connection, if given) in an environment with ids after
/// `after_id`, oldest first: what a run waiting for an event looks through. Ids sort by the
/// time the event was stored, so `after_id` may be a bare time (`ine_` and its hex digits).
pub fn of_type_after(
    conn: &Connection,
    environment_id: i64,
    event_type: &str,
    connection_id: Option<&str>,
    after_id: &str,
    limit: u32,
) -> rusqlite::Result<Vec<LoggedEvent>> {
    let mut statement = conn.prepare_cached(
        "SELECT rowid, id, environment_id, connection_id, event_type, payload
         FROM inbound_events
         WHERE environment_id = ?1 AND event_type = ?2 AND id > ?3
             AND (?4 IS NULL OR connection_id = ?4)
         ORDER BY id LIMIT ?5",
    )?;
    let rows = statement.query_map(
        rusqlite::params![environment_id, event_type, after_id, connection_id, limit],
        logged_from_row,
    )?;
    rows.collect()
}
