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
    include_str!("../migrations/0012_operators_roles_activity.sql"),
    include_str!("../migrations/0013_attempt_exchange.sql"),
];

pub const LATEST_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Applies every migration newer than the file's version. The caller has already refused a
/// file whose version is newer than [`LATEST_SCHEMA_VERSION`].
///
/// Foreign keys are off while they run (SQLite's way to rebuild a table others refer to, which
/// is how a migration changes a column's constraint) and checked before each one commits, so a
/// migration that would leave a dangling reference fails whole.
pub(crate) fn apply_pending(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply_each(conn);
    conn.pragma_update(None, "foreign_keys", true)?;
    applied
}

fn apply_each(conn: &mut Connection) -> rusqlite::Result<()> {
    let current = schema_version(conn)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        let dangling: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
                row.get(0)
            })?;
        if dangling > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!(
                    "migration {} would leave {dangling} dangling references",
                    index + 1
                )),
            ));
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied schema migration");
    }
    Ok(())
}
