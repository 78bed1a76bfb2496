//! Human tasks (migration 0011): a run's step waiting for an operator to complete it.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRecord {
    pub id: String,
    pub run_id: String,
    pub step: i64,
    pub automation_id: String,
    pub automation_name: String,
    pub environment_id: i64,
    pub title: String,
    pub instructions: Option<String>,
    pub output_schema: Option<String>,
    pub status: String,
    pub output: Option<String>,
    pub completed_by: Option<String>,
    pub created_at: i64,
    pub due_at: Option<i64>,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "t.id, t.run_id, t.step, t.automation_id, a.name, t.environment_id,
    t.title, t.instructions, t.output_schema, t.status, t.output, t.completed_by, t.created_at,
    t.due_at, t.finished_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<TaskRecord> {
    Ok(TaskRecord {
        id: row.get(0)?,
        run_id: row.get(1)?,
        step: row.get(2)?,
        automation_id: row.get(3)?,
        automation_name: row.get(4)?,
        environment_id: row.get(5)?,
        title: row.get(6)?,
        instructions: row.get(7)?,
        output_schema: row.get(8)?,
        status: row.get(9)?,
        output: row.get(10)?,
        completed_by: row.get(11)?,
        created_at: row.get(12)?,
        due_at: row.get(13)?,
        finished_at: row.get(14)?,
    })
}

pub struct NewTask<'a> {
    pub id: &'a str,
    pub run_id: &'a str,
    pub step: i64,
    pub automation_id: &'a str,
    pub environment_id: i64,
    pub title: &'a str,
    pub instructions: Option<&'a str>,
    pub output_schema: Option<&'a str>,
    pub due_at: Option<i64>,
    pub now: i64,
}

pub fn insert(tx: &Transaction<'_>, task: &NewTask<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO automation_tasks (id, run_id, step, automation_id, environment_id, title,
             instructions, output_schema, status, created_at, due_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9, ?10)",
        params![
            task.id,
            task.run_id,
            task.step,
            task.automation_id,
            task.environment_id,
            task.title,
            task.instructions,
            task.output_schema,
            task.now,
            task.due_at
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<TaskRecord>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM automation_tasks t JOIN automations a ON a.id = t.automation_id
             WHERE t.id = ?1"
        ),
        [id],
        from_row,
    )
    .optional()
}

pub fn of_step(conn: &Connection, run_id: &str, step: i64) -> rusqlite::Result<Option<TaskRecord>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM automation_tasks t JOIN automations a ON a.id = t.automation_id
             WHERE t.run_id = ?1 AND t.step = ?2"
        ),
        params![run_id, step],
        from_row,
    )
    .optional()
}

/// An environment's tasks of one status (or all), oldest first: the inbox.
pub fn list(
    conn: &Connection,
    environment_id: i64,
    status: Option<&str>,
    limit: u32,
) -> rusqlite::Result<Vec<TaskRecord>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM automation_tasks t JOIN automations a ON a.id = t.automation_id
         WHERE t.environment_id = ?1 AND (?2 IS NULL OR t.status = ?2)
         ORDER BY t.id LIMIT ?3"
    ))?;
    let rows = statement.query_map(params![environment_id, status, limit], from_row)?;
    rows.collect()
}

/// Ends a pending task (`completed` with output, `expired`, `cancelled`); false when it was
/// no longer pending.
pub fn finish(
    tx: &Transaction<'_>,
    id: &str,
    status: &str,
    output: Option<&str>,
    by: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "UPDATE automation_tasks SET status = ?2, output = ?3, completed_by = ?4, finished_at = ?5
         WHERE id = ?1 AND status = 'pending'",
        params![id, status, output, by, now],
    )? == 1)
}

/// A cancelled run's pending tasks are cancelled with it.
pub fn cancel_of_run(tx: &Transaction<'_>, run_id: &str, now: i64) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE automation_tasks SET status = 'cancelled', finished_at = ?2
         WHERE run_id = ?1 AND status = 'pending'",
        params![run_id, now],
    )
}
