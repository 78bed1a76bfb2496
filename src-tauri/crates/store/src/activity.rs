//! The append-only activity log (SPEC §8). Triggers in the schema refuse updates and deletes.

use rusqlite::{params, Connection, Transaction};

pub struct NewActivity<'a> {
    pub at: i64,
    pub operator_id: &'a str,
    pub site_id: Option<&'a str>,
    pub environment_id: Option<i64>,
    pub connection_id: Option<&'a str>,
    pub action: &'a str,
    pub outcome: &'a str,
    /// JSON object; never contains a secret value.
    pub details: &'a serde_json::Value,
    pub catalog_version: &'a str,
}

pub fn append(tx: &Transaction<'_>, entry: &NewActivity<'_>) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO activity_log (at, operator_id, site_id, environment_id, connection_id, action, outcome, details, catalog_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.at,
            entry.operator_id,
            entry.site_id,
            entry.environment_id,
            entry.connection_id,
            entry.action,
            entry.outcome,
            entry.details.to_string(),
            entry.catalog_version
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// One row as the activity view shows it, with the names it refers to.
#[derive(Debug, Clone)]
pub struct ActivityRecord {
    pub id: i64,
    pub at: i64,
    pub operator_id: String,
    pub operator_name: String,
    pub site_id: Option<String>,
    pub connection_id: Option<String>,
    /// The connection's name when it still has a row (a disconnected one keeps it).
    pub connection_name: Option<String>,
    pub connector: Option<String>,
    pub action: String,
    pub outcome: String,
    pub details: String,
    pub catalog_version: String,
}

/// What selects rows: one site's rows and the app-wide ones (settings, operators), narrowed by
/// any of the rest.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter<'a> {
    pub site_id: &'a str,
    pub connection_id: Option<&'a str>,
    pub operator_id: Option<&'a str>,
    /// An action (`connection.disconnect`) or a family of them (`connection.`).
    pub action: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// Where a page starts: after this row, in the order asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityKeyset {
    pub at: i64,
    pub id: i64,
}

// The names come from subqueries, not joins, so the activity log is the query's one table and
// the planner walks one of its indexes in the order asked, stopping at the page's end.
const RECORD_COLUMNS: &str = "a.id, a.at, a.operator_id,
     (SELECT name FROM operators WHERE id = a.operator_id), a.site_id, a.connection_id,
     (SELECT display_name FROM connections WHERE id = a.connection_id),
     (SELECT connector_type FROM connections WHERE id = a.connection_id),
     a.action, a.outcome, a.details, a.catalog_version
     FROM activity_log a";

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<ActivityRecord> {
    Ok(ActivityRecord {
        id: row.get(0)?,
        at: row.get(1)?,
        operator_id: row.get(2)?,
        operator_name: row.get(3)?,
        site_id: row.get(4)?,
        connection_id: row.get(5)?,
        connection_name: row.get(6)?,
        connector: row.get(7)?,
        action: row.get(8)?,
        outcome: row.get(9)?,
        details: row.get(10)?,
        catalog_version: row.get(11)?,
    })
}

/// The WHERE clause and its parameters for a filter (and a page's start).
fn where_clause(
    filter: &ActivityFilter<'_>,
    after: Option<ActivityKeyset>,
    descending: bool,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    // A site's rows and the app-wide ones (no site). Written so no index serves it: a site is
    // most of the log, and the planner should walk the time index (or a filter's) instead.
    let mut terms = vec!["coalesce(a.site_id, ?1) = ?1".to_string()];
    let mut values = vec![Value::Text(filter.site_id.into())];
    if let Some(id) = filter.connection_id {
        terms.push("a.connection_id = ?".into());
        values.push(Value::Text(id.into()));
    }
    if let Some(id) = filter.operator_id {
        terms.push("a.operator_id = ?".into());
        values.push(Value::Text(id.into()));
    }
    match filter.action {
        // A family (`connection.`) is a range of the index, not a LIKE it cannot use.
        Some(prefix) if prefix.ends_with('.') => {
            terms.push("a.action >= ? AND a.action < ?".into());
            values.push(Value::Text(prefix.into()));
            values.push(Value::Text(format!("{}/", &prefix[..prefix.len() - 1])));
        }
        Some(action) => {
            terms.push("a.action = ?".into());
            values.push(Value::Text(action.into()));
        }
        None => {}
    }
    if let Some(outcome) = filter.outcome {
        terms.push("a.outcome = ?".into());
        values.push(Value::Text(outcome.into()));
    }
    if let Some(since) = filter.since {
        terms.push("a.at >= ?".into());
        values.push(Value::Integer(since));
    }
    if let Some(until) = filter.until {
        terms.push("a.at < ?".into());
        values.push(Value::Integer(until));
    }
    if let Some(key) = after {
        let op = if descending { "<" } else { ">" };
        terms.push(format!("(a.at, a.id) {op} (?, ?)"));
        values.push(Value::Integer(key.at));
        values.push(Value::Integer(key.id));
    }
    (terms.join(" AND "), values)
}

/// A page of rows by time (and id within the same millisecond), after `after`.
pub fn page(
    conn: &Connection,
    filter: &ActivityFilter<'_>,
    after: Option<ActivityKeyset>,
    descending: bool,
    limit: u32,
) -> rusqlite::Result<Vec<ActivityRecord>> {
    match filter.action {
        // A kind of action is a range of the action index, which is not in time order: each
        // action's own page is, so those are read and merged (a few indexed reads, however
        // rare or common the kind), rather than sorting every row of the kind.
        Some(prefix) if prefix.ends_with('.') => {
            let mut rows = Vec::new();
            for action in actions_in(conn, prefix)? {
                let one = ActivityFilter {
                    action: Some(&action),
                    ..filter.clone()
                };
                rows.extend(page(conn, &one, after, descending, limit)?);
            }
            rows.sort_by_key(|r| (r.at, r.id));
            if descending {
                rows.reverse();
            }
            rows.truncate(limit as usize);
            Ok(rows)
        }
        _ => {
            let (clause, values) = where_clause(filter, after, descending);
            let order = if descending { "DESC" } else { "ASC" };
            let sql = format!(
                "SELECT {RECORD_COLUMNS} WHERE {clause} ORDER BY a.at {order}, a.id {order} LIMIT {limit}"
            );
            conn.prepare_cached(&sql)?
                .query_map(rusqlite::params_from_iter(values), record)?
                .collect()
        }
    }
}

/// How many rows the filter selects (the export's progress needs the total).
pub fn count(conn: &Connection, filter: &ActivityFilter<'_>) -> rusqlite::Result<i64> {
    let (clause, values) = where_clause(filter, None, true);
    conn.prepare_cached(&format!(
        "SELECT count(*) FROM activity_log a WHERE {clause}"
    ))?
    .query_row(rusqlite::params_from_iter(values), |row| row.get(0))
}

/// Every row the filter selects, newest first, one at a time (the CSV export: a million rows
/// are never held at once).
pub fn each<E: From<rusqlite::Error>>(
    conn: &Connection,
    filter: &ActivityFilter<'_>,
    mut visit: impl FnMut(ActivityRecord) -> Result<(), E>,
) -> Result<(), E> {
    let (clause, values) = where_clause(filter, None, true);
    let sql = format!("SELECT {RECORD_COLUMNS} WHERE {clause} ORDER BY a.at DESC, a.id DESC");
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        visit(record(row)?)?;
    }
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<ActivityRecord>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS} WHERE a.id = ?1"))?
        .query_row([id], record)
        .optional()
}

/// The actions recorded so far (the view's filter offers them).
pub fn actions(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    actions_in(conn, "")
}

/// The distinct actions starting with `prefix`, by a skip scan of the action index: one probe
/// per distinct action, not a walk of every row.
fn actions_in(conn: &Connection, prefix: &str) -> rusqlite::Result<Vec<String>> {
    let mut actions = Vec::new();
    let mut statement =
        conn.prepare_cached("SELECT min(action) FROM activity_log WHERE action > ?1")?;
    // The first action at or after the prefix, then each next one while it has the prefix.
    let mut next: Option<String> = conn
        .prepare_cached("SELECT min(action) FROM activity_log WHERE action >= ?1")?
        .query_row([prefix], |row| row.get(0))?;
    while let Some(action) = next.filter(|a: &String| a.starts_with(prefix)) {
        next = statement.query_row([&action], |row| row.get(0))?;
        actions.push(action);
    }
    Ok(actions)
}

/// Retention: rows older than `cutoff` go. The cutoff is written first, in the same
/// transaction, because the schema refuses to delete any row newer than the stored cutoff.
pub fn purge_older_than(tx: &Transaction<'_>, cutoff: i64) -> rusqlite::Result<usize> {
    crate::settings::set(tx, "activity_retention_cutoff", &cutoff.to_string())?;
    tx.execute("DELETE FROM activity_log WHERE at < ?1", [cutoff])
}
