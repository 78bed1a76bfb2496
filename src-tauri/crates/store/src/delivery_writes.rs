//! Writing deliveries and delivery-log attempts. Rows go in as multi-row INSERTs, because a
//! statement's setup costs more than a row's insert. Attempts are written as a [`BulkLoad`]
//! (the demo history, an import), which defers the log's indexes to one pass at the end.

use crate::attempt_search;
use crate::model::{AttemptTrigger, DeliveryStatus, Outcome};
use rusqlite::{params_from_iter, ToSql, Transaction};

pub struct NewDelivery<'a> {
    pub id: &'a str,
    pub connection_id: &'a str,
    pub environment_id: i64,
    pub originating_module: &'a str,
    pub event_identifier: &'a str,
    pub action: Option<&'a str>,
    pub status: DeliveryStatus,
    pub created_at: i64,
}

pub struct NewAttempt<'a> {
    pub delivery: &'a NewDelivery<'a>,
    pub attempt_number: u32,
    pub trigger: AttemptTrigger,
    pub outcome: Outcome,
    pub vendor_response_code: Option<u16>,
    pub latency_ms: u32,
    pub attempted_at: i64,
    pub next_attempt_at: Option<i64>,
    pub error_class: Option<&'a str>,
    pub request_summary: Option<&'a str>,
    pub response_summary: Option<&'a str>,
    /// The request and the answer, redacted (JSON).
    pub exchange: Option<&'a str>,
}

/// Rows per INSERT statement: large enough to amortise a statement's setup, small enough to
/// stay far below SQLite's bound-parameter limit (16 columns × 64 = 1,024 of 32,766).
const ROWS_PER_STATEMENT: usize = 64;

pub fn insert_deliveries(tx: &Transaction<'_>, rows: &[NewDelivery<'_>]) -> rusqlite::Result<()> {
    insert_rows(
        tx,
        "deliveries (id, connection_id, environment_id, originating_module, event_identifier, action, status, created_at)",
        rows,
        delivery_values,
    )
}

fn delivery_values<'r>(d: &'r NewDelivery<'_>) -> [&'r dyn ToSql; 8] {
    [
        &d.id,
        &d.connection_id,
        &d.environment_id,
        &d.originating_module,
        &d.event_identifier,
        &d.action,
        &d.status,
        &d.created_at,
    ]
}

/// Appends attempts to the delivery log, outside a bulk load (the delivery engine's attempts).
pub fn append_attempts(tx: &Transaction<'_>, rows: &[NewAttempt<'_>]) -> rusqlite::Result<()> {
    let newest_before = newest_attempt_id(tx)?;
    write_attempt_rows(tx, rows)?;
    attempt_search::index_attempts_after(tx, newest_before)
}

/// AUTOINCREMENT gives every new row a larger id than any row before it, so the rows written
/// after this call are exactly those above it.
fn newest_attempt_id(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.prepare_cached("SELECT coalesce(max(id), 0) FROM delivery_attempts")?
        .query_row([], |row| row.get(0))
}

fn write_attempt_rows(tx: &Transaction<'_>, rows: &[NewAttempt<'_>]) -> rusqlite::Result<()> {
    insert_rows(
        tx,
        "delivery_attempts (delivery_id, connection_id, environment_id, originating_module, event_identifier,
             attempt_number, trigger, outcome, vendor_response_code, latency_ms, attempted_at, next_attempt_at,
             error_class, request_summary, response_summary, exchange)",
        rows,
        attempt_values,
    )
}

fn attempt_values<'r>(a: &'r NewAttempt<'_>) -> [&'r dyn ToSql; 16] {
    let d = a.delivery;
    [
        &d.id,
        &d.connection_id,
        &d.environment_id,
        &d.originating_module,
        &d.event_identifier,
        &a.attempt_number,
        &a.trigger,
        &a.outcome,
        &a.vendor_response_code,
        &a.latency_ms,
        &a.attempted_at,
        &a.next_attempt_at,
        &a.error_class,
        &a.request_summary,
        &a.response_summary,
        &a.exchange,
    ]
}

/// Inserts `rows` into `target` (a table and its column list) a chunk per statement.
fn insert_rows<T, const COLUMNS: usize>(
    tx: &Transaction<'_>,
    target: &str,
    rows: &[T],
    values: impl for<'r> Fn(&'r T) -> [&'r dyn ToSql; COLUMNS],
) -> rusqlite::Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let bound: Vec<&dyn ToSql> = chunk.iter().flat_map(&values).collect();
        tx.prepare_cached(&multi_row_insert(target, COLUMNS, chunk.len()))?
            .execute(params_from_iter(bound))?;
    }
    Ok(())
}

/// `INSERT INTO {target} VALUES (?, …), …` for `rows` rows of `columns` values.
fn multi_row_insert(target: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("INSERT INTO {target} VALUES {}", vec![row; rows].join(", "))
}

/// The page cache while a bulk load sorts its indexes: 4 MiB (SQLite reads a negative
/// `cache_size` as KiB), which is also the size of each sorted run.
const INDEX_SORT_CACHE_SIZE: i64 = -4096;

/// A bulk load in progress in the caller's transaction: the delivery log's secondary indexes
/// are dropped and the search index writes large unmerged segments; [`finish`] merges the
/// search index once and sorts each log index once, which is far cheaper than a million
/// inserts scattered over every B-tree. The schema stays the single source of what the indexes
/// are, and a rollback undoes all of it.
///
/// [`finish`]: BulkLoad::finish
pub struct BulkLoad {
    index_definitions: Vec<String>,
}

impl BulkLoad {
    pub fn begin(tx: &Transaction<'_>) -> rusqlite::Result<Self> {
        let indexes: Vec<(String, String)> = tx
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'delivery_attempts' AND sql IS NOT NULL")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        attempt_search::begin_bulk_writes(tx)?;
        Ok(BulkLoad {
            index_definitions: indexes.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Appends attempts to the delivery log and adds them to the search index. The search
    /// index is written per call, while the rows are still in the page cache: one statement
    /// for a whole million rows measured slower.
    pub fn insert_attempts(
        &self,
        tx: &Transaction<'_>,
        rows: &[NewAttempt<'_>],
    ) -> rusqlite::Result<()> {
        append_attempts(tx, rows)
    }

    pub fn finish(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        attempt_search::finish_bulk_writes(tx)?;
        // SQLite sorts an index in runs as large as the page cache, each on a worker thread
        // (`threads`), then merges them; with the full cache the whole index is one run,
        // sorted on this thread alone. Small runs let both cores sort.
        let cache_size: i64 = tx.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
        tx.pragma_update(None, "cache_size", INDEX_SORT_CACHE_SIZE)?;
        let built = self
            .index_definitions
            .iter()
            .try_for_each(|sql| tx.execute_batch(sql));
        tx.pragma_update(None, "cache_size", cache_size)?;
        built
    }
}

/// A delivery's status (`pending`, `delivered`, `failed`, `dead_letter`), if it exists.
pub fn status(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT status FROM deliveries WHERE id = ?1", [id], |row| {
        row.get(0)
    })
    .optional()
}
