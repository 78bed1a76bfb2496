//! What of a site a support bundle carries, table by table: the columns each may carry (an
//! allow-list — a column added later is left out until someone decides it may travel; no
//! sealed blob, passphrase hash, lockout or OS user is on it) and which rows belong to the
//! slice. The same list, in the same order, puts the rows into a support workspace: parents
//! before children, so foreign keys hold as rows arrive.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, Transaction};
use serde_json::{Map, Value};

/// The rows of one site in a bundle: `?1` the site, `?2` the earliest time (ms), `?3` a JSON
/// array of connection ids, or NULL for all of them, `?4` the app settings that travel.
pub struct Slice<'a> {
    pub site_id: &'a str,
    pub since_ms: i64,
    pub connections: Option<&'a [String]>,
    pub settings: &'a [String],
}

pub struct BundleTable {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    /// The slice's rows, as a condition on the table's own columns.
    slice: &'static str,
    /// Rows the workspace may already have (the built-in roles) are kept as they are.
    merge: bool,
}

const ENVIRONMENTS: &str = "(SELECT id FROM environments WHERE site_id = ?1)";
const CONNECTIONS: &str = "(SELECT id FROM connections WHERE environment_id IN (SELECT id FROM environments WHERE site_id = ?1)
     AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3))))";
const AUTOMATIONS: &str = "(SELECT id FROM automations WHERE environment_id IN (SELECT id FROM environments WHERE site_id = ?1))";

macro_rules! table {
    ($name:literal, [$($column:literal),+ $(,)?], $slice:expr) => {
        table!($name, [$($column),+], $slice, false)
    };
    ($name:literal, [$($column:literal),+ $(,)?], $slice:expr, $merge:expr) => {
        BundleTable { name: $name, columns: &[$($column),+], slice: $slice, merge: $merge }
    };
}

pub fn tables() -> Vec<BundleTable> {
    let settings = "key IN (SELECT value FROM json_each(?4))";
    vec![
        table!("app_settings", ["key", "value"], settings),
        table!("sites", ["id", "name", "domain", "demo", "created_at"], "id = ?1"),
        table!("environments", ["id", "site_id", "name"], "site_id = ?1"),
        table!("roles", ["id", "name", "capabilities", "created_at"], "1", true),
        table!("operators", ["id", "name", "role", "created_at", "removed_at"], "1"),
        table!(
            "connections",
            [
                "id", "environment_id", "connector_type", "display_name", "state", "auth_flow",
                "vendor_account_id", "scopes_granted", "expires_at", "last_test_at",
                "last_test_outcome", "last_delivery_at", "operator_of_record", "base_url_override",
                "field_mapping", "created_at", "updated_at", "oauth_server",
            ],
            "id IN CONNECTIONS"
        ),
        table!(
            "connection_transitions",
            ["id", "connection_id", "from_state", "to_state", "cause", "operator_id", "at"],
            "connection_id IN CONNECTIONS"
        ),
        table!(
            "deliveries",
            [
                "id", "connection_id", "environment_id", "originating_module", "event_identifier",
                "action", "status", "created_at",
            ],
            "environment_id IN ENVIRONMENTS AND created_at >= ?2 AND connection_id IN CONNECTIONS"
        ),
        table!(
            "delivery_attempts",
            [
                "id", "delivery_id", "connection_id", "environment_id", "originating_module",
                "event_identifier", "attempt_number", "trigger", "outcome", "vendor_response_code",
                "latency_ms", "attempted_at", "next_attempt_at", "error_class", "request_summary",
                "response_summary", "exchange",
            ],
            // Every attempt of a delivery in the slice is at or after its creation.
            "environment_id IN ENVIRONMENTS AND attempted_at >= ?2 AND delivery_id IN
                (SELECT id FROM deliveries WHERE created_at >= ?2 AND connection_id IN CONNECTIONS)"
        ),
        table!(
            "outbox",
            ["delivery_id", "connection_id", "payload", "attempts_made", "due_at", "parked", "manual"],
            "delivery_id IN (SELECT id FROM deliveries WHERE created_at >= ?2 AND connection_id IN CONNECTIONS)"
        ),
        table!(
            "activity_log",
            [
                "id", "at", "operator_id", "site_id", "environment_id", "connection_id", "action",
                "outcome", "details", "catalog_version",
            ],
            "at >= ?2 AND (connection_id IN CONNECTIONS OR (connection_id IS NULL AND site_id = ?1))"
        ),
        table!(
            "inbound_events",
            [
                "id", "environment_id", "connection_id", "dedupe_key", "vendor_event_id",
                "event_type", "arrival", "verified_by", "received_at", "signed_at", "duplicates",
                "last_duplicate_at", "headers", "payload",
            ],
            "connection_id IN CONNECTIONS AND received_at >= ?2"
        ),
        table!(
            "automations",
            [
                "id", "environment_id", "name", "status", "status_reason", "version",
                "trigger_key", "created_at", "updated_at", "next_fire_at", "paused_for",
            ],
            "id IN AUTOMATIONS"
        ),
        table!(
            "automation_versions",
            ["automation_id", "version", "definition", "saved_at", "saved_by"],
            "automation_id IN AUTOMATIONS"
        ),
        table!(
            "automation_dependencies",
            ["automation_id", "connection_id"],
            "automation_id IN AUTOMATIONS AND connection_id IN CONNECTIONS"
        ),
        table!(
            "automation_runs",
            [
                "id", "automation_id", "environment_id", "version", "status", "dry_run",
                "event_id", "input", "explain", "next_step", "wake_at", "error", "started_at",
                "updated_at", "finished_at", "held_for", "retry_of",
            ],
            "automation_id IN AUTOMATIONS AND started_at >= ?2"
        ),
        table!(
            "automation_steps",
            [
                "run_id", "step", "kind", "status", "input", "output", "error", "attempts",
                "delivery_id", "started_at", "finished_at",
            ],
            "run_id IN (SELECT id FROM automation_runs WHERE automation_id IN AUTOMATIONS AND started_at >= ?2)"
        ),
        table!(
            "automation_tasks",
            [
                "id", "run_id", "step", "automation_id", "environment_id", "title",
                "instructions", "output_schema", "status", "output", "completed_by", "created_at",
                "due_at", "finished_at",
            ],
            "run_id IN (SELECT id FROM automation_runs WHERE automation_id IN AUTOMATIONS AND started_at >= ?2)"
        ),
    ]
}

impl BundleTable {
    /// Calls `row` with each row of the slice as a JSON object (column → value; a BLOB as its
    /// text, lossily: every BLOB column here holds text a vendor sent).
    pub fn read_slice<E: From<rusqlite::Error>>(
        &self,
        conn: &Connection,
        slice: &Slice<'_>,
        mut row: impl FnMut(Map<String, Value>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut statement = self.statement(conn, slice, &self.columns.join(", "))?;
        let mut rows = statement.raw_query();
        while let Some(found) = rows.next()? {
            let mut object = Map::with_capacity(self.columns.len());
            for (i, column) in self.columns.iter().enumerate() {
                let value = match found.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => n.into(),
                    ValueRef::Real(x) => x.into(),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned().into()
                    }
                };
                object.insert((*column).to_string(), value);
            }
            row(object)?;
        }
        Ok(())
    }

    /// How many rows the slice has.
    pub fn count_slice(&self, conn: &Connection, slice: &Slice<'_>) -> rusqlite::Result<u64> {
        let mut statement = self.statement(conn, slice, "count(*)")?;
        let mut rows = statement.raw_query();
        match rows.next()? {
            Some(row) => Ok(row.get::<_, i64>(0)? as u64),
            None => Ok(0),
        }
    }

    /// `SELECT <what>` over the slice's rows, its parameters bound.
    fn statement<'c>(
        &self,
        conn: &'c Connection,
        slice: &Slice<'_>,
        what: &str,
    ) -> rusqlite::Result<rusqlite::Statement<'c>> {
        let condition = self
            .slice
            .replace("CONNECTIONS", CONNECTIONS)
            .replace("ENVIRONMENTS", ENVIRONMENTS)
            .replace("AUTOMATIONS", AUTOMATIONS);
        let sql = format!("SELECT {what} FROM {} WHERE {condition}", self.name);
        let connections = slice
            .connections
            .map(|ids| serde_json::to_string(ids).expect("strings serialize"));
        let settings = serde_json::to_string(slice.settings).expect("strings serialize");
        let params: [&dyn rusqlite::ToSql; 4] =
            [&slice.site_id, &slice.since_ms, &connections, &settings];
        let mut statement = conn.prepare(&sql)?;
        // Each condition names only the parameters it needs.
        for (i, param) in params.iter().enumerate().take(statement.parameter_count()) {
            statement.raw_bind_parameter(i + 1, param)?;
        }
        Ok(statement)
    }

    /// Inserts rows read back from a bundle. A row must have exactly this table's columns;
    /// SQLite's STRICT tables and CHECKs judge the values.
    pub fn insert(
        &self,
        tx: &Transaction<'_>,
        rows: &[Map<String, Value>],
    ) -> Result<(), InsertError> {
        let blobs: Vec<bool> = self
            .columns
            .iter()
            .map(|column| declared_blob(tx, self.name, column))
            .collect::<Result<_, _>>()?;
        let sql = format!(
            "INSERT {} INTO {} ({}) VALUES ({})",
            if self.merge { "OR IGNORE" } else { "" },
            self.name,
            self.columns.join(", "),
            vec!["?"; self.columns.len()].join(", ")
        );
        let mut statement = tx.prepare_cached(&sql)?;
        for (n, row) in rows.iter().enumerate() {
            let fault =
                |what: String| InsertError::Row(format!("{} row {}: {what}", self.name, n + 1));
            if let Some(extra) = row.keys().find(|k| !self.columns.contains(&k.as_str())) {
                return Err(fault(format!(
                    "`{extra}` is not a column a bundle may carry"
                )));
            }
            let values = self
                .columns
                .iter()
                .zip(&blobs)
                .map(|(column, blob)| sql_value(row.get(*column), *blob))
                .collect::<Result<Vec<_>, _>>()
                .map_err(fault)?;
            if let Err(e) = statement.execute(params_from_iter(values)) {
                // A value its table refuses (a type, a CHECK, a reference): the row's fault.
                return Err(match e.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::ConstraintViolation) => fault(e.to_string()),
                    _ => e.into(),
                });
            }
        }
        Ok(())
    }
}

/// Why a bundle's rows did not go in.
#[derive(Debug)]
pub enum InsertError {
    /// The bundle's own fault: a row that does not fit its table, named.
    Row(String),
    /// The database's (a full disk, a busy file): nothing about the bundle.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for InsertError {
    fn from(e: rusqlite::Error) -> Self {
        InsertError::Sql(e)
    }
}

fn declared_blob(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT type = 'BLOB' FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |row| row.get(0),
    )
}

fn sql_value(value: Option<&Value>, blob: bool) -> Result<SqlValue, String> {
    Ok(match value {
        None | Some(Value::Null) => SqlValue::Null,
        Some(Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => SqlValue::Integer(i),
            (None, Some(x)) => SqlValue::Real(x),
            _ => return Err(format!("{n} is out of range")),
        },
        Some(Value::String(s)) if blob => SqlValue::Blob(s.clone().into_bytes()),
        Some(Value::String(s)) => SqlValue::Text(s.clone()),
        Some(other) => return Err(format!("{other} is neither text nor a number")),
    })
}

/// After every table is in: the delivery log's search index.
pub fn finish_import(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    crate::attempt_search::index_attempts_after(tx, 0)
}
