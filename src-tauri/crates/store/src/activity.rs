//! The append-only activity log (SPEC §8). Triggers in the schema refuse updates and deletes.

use rusqlite::{params, Transaction};

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
