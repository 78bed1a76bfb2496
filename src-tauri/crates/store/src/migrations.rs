//! Append-only plain-SQL migrations, tracked with `PRAGMA user_version`. Each one runs in its own
//! IMMEDIATE transaction together with the version bump, so a crash leaves a whole version.

use rusqlite::{Connection, TransactionBehavior};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_latency_order_from_outcome_indexes.sql"),
    include_str!("../migrations/0003_connection_oauth_server.sql"),
    include_str!("../migrations/0004_outbox.sql"),
    include_str!("../migrations/0005_cursor_key.sql"),
    include_str!("../migrations/0006_data_dir_id.sql"),
    include_str!("../migrations/0007_pending_revocations.sql"),
    include_str!("../migrations/0008_event_sources.sql"),
    include_str!("../migrations/0009_inbound_events.sql"),
    include_str!("../migrations/0010_automations.sql"),
    include_str!("../migrations/0011_automation_tasks_schedules_posture.sql"),
];

pub const LATEST_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Applies every migration newer than the file's version. The caller has already refused a
/// file whose version is newer than [`LATEST_SCHEMA_VERSION`].
pub(crate) fn apply_pending(conn: &mut Connection) -> rusqlite::Result<()> {
    let current = schema_version(conn)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied schema migration");
    }
    Ok(())
}
