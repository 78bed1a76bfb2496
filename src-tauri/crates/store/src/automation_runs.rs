//! Automation runs and their journaled steps (migration 0010), and how far the engine has read
//! the event log.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    pub id: String,
    pub automation_id: String,
    pub environment_id: i64,
    pub version: i64,
    pub status: String,
    pub dry_run: bool,
    pub event_id: Option<String>,
    pub input: String,
    pub explain: Option<String>,
    pub next_step: i64,
    pub wake_at: Option<i64>,
    pub error: Option<String>,
    pub started_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    /// Held until this connection recovers (its automation was paused for it).
    pub held_for: Option<String>,
    /// The run this one retries.
    pub retry_of: Option<String>,
}

const RUN_COLUMNS: &str = "id, automation_id, environment_id, version, status, dry_run, event_id,
    input, explain, next_step, wake_at, error, started_at, updated_at, finished_at, held_for,
    retry_of";

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: row.get(0)?,
        automation_id: row.get(1)?,
        environment_id: row.get(2)?,
        version: row.get(3)?,
        status: row.get(4)?,
        dry_run: row.get(5)?,
        event_id: row.get(6)?,
        input: row.get(7)?,
        explain: row.get(8)?,
        next_step: row.get(9)?,
        wake_at: row.get(10)?,
        error: row.get(11)?,
        started_at: row.get(12)?,
        updated_at: row.get(13)?,
        finished_at: row.get(14)?,
        held_for: row.get(15)?,
        retry_of: row.get(16)?,
    })
}

pub struct NewRun<'a> {
    pub id: &'a str,
    pub automation_id: &'a str,
    pub environment_id: i64,
    pub version: i64,
    /// `running`, or `skipped` when its conditions did not pass.
    pub status: &'a str,
    pub dry_run: bool,
    pub event_id: Option<&'a str>,
    pub input: &'a str,
    pub explain: Option<&'a str>,
    /// Kept, not started, until this connection recovers.
    pub held_for: Option<&'a str>,
    pub retry_of: Option<&'a str>,
    /// The step it starts from (a retry from the failed step).
    pub next_step: i64,
    pub now: i64,
}

pub fn insert(tx: &Transaction<'_>, run: &NewRun<'_>) -> rusqlite::Result<()> {
    let finished = (run.status != "running").then_some(run.now);
    let (status, wake_at) = match run.held_for {
        Some(_) if run.status == "running" => ("waiting", None),
        _ => (run.status, Some(run.now)),
    };
    tx.execute(
        "INSERT INTO automation_runs (id, automation_id, environment_id, version, status, dry_run,
             event_id, input, explain, wake_at, started_at, updated_at, finished_at, held_for,
             retry_of, next_step)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14, ?15)",
        params![
            run.id,
            run.automation_id,
            run.environment_id,
            run.version,
            status,
            run.dry_run,
            run.event_id,
            run.input,
            run.explain,
            wake_at,
            run.now,
            finished,
            run.held_for.filter(|_| status == "waiting"),
            run.retry_of,
            run.next_step
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<RunRecord>> {
    conn.query_row(
        &format!("SELECT {RUN_COLUMNS} FROM automation_runs WHERE id = ?1"),
        [id],
        run_from_row,
    )
    .optional()
}

/// Runs that are due to go on at `now`: running ones, and waiting ones whose time has come.
pub fn due(conn: &Connection, now: i64, limit: u32) -> rusqlite::Result<Vec<RunRecord>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM automation_runs
         WHERE status IN ('running', 'waiting') AND wake_at <= ?1
         ORDER BY wake_at, id LIMIT ?2"
    ))?;
    let rows = statement.query_map(params![now, limit], run_from_row)?;
    rows.collect()
}

/// Where a run stands after a step: its status, the step it goes on from, when to look again.
pub struct RunProgress<'a> {
    pub status: &'a str,
    pub next_step: i64,
    pub wake_at: Option<i64>,
    pub error: Option<&'a str>,
    pub now: i64,
}

pub fn set_progress(
    tx: &Transaction<'_>,
    id: &str,
    progress: &RunProgress<'_>,
) -> rusqlite::Result<()> {
    let finished =
        matches!(progress.status, "completed" | "failed" | "cancelled").then_some(progress.now);
    tx.execute(
        "UPDATE automation_runs SET status = ?2, next_step = ?3, wake_at = ?4, error = ?5,
             updated_at = ?6, finished_at = ?7
         WHERE id = ?1",
        params![
            id,
            progress.status,
            progress.next_step,
            progress.wake_at,
            progress.error,
            progress.now,
            finished
        ],
    )?;
    Ok(())
}

/// Newest first, `before` an id (keyset paging), of one automation or all in the environment,
/// of one status or any.
pub fn page(
    conn: &Connection,
    environment_id: i64,
    automation_id: Option<&str>,
    status: Option<&str>,
    before: Option<&str>,
    limit: u32,
) -> rusqlite::Result<Vec<RunRecord>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM automation_runs
         WHERE environment_id = ?1 AND (?2 IS NULL OR automation_id = ?2)
             AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR id < ?4)
         ORDER BY id DESC LIMIT ?5"
    ))?;
    let rows = statement.query_map(
        params![environment_id, automation_id, status, before, limit],
        run_from_row,
    )?;
    rows.collect()
}

/// A run an event started, with its automation's name: what processed the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRun {
    pub run_id: String,
    pub automation_id: String,
    pub automation_name: String,
    pub status: String,
    pub dry_run: bool,
}

pub fn of_event(conn: &Connection, event_id: &str) -> rusqlite::Result<Vec<EventRun>> {
    let mut statement = conn.prepare_cached(
        "SELECT r.id, r.automation_id, a.name, r.status, r.dry_run
         FROM automation_runs r JOIN automations a ON a.id = r.automation_id
         WHERE r.event_id = ?1 ORDER BY r.id",
    )?;
    let rows = statement.query_map([event_id], |row| {
        Ok(EventRun {
            run_id: row.get(0)?,
            automation_id: row.get(1)?,
            automation_name: row.get(2)?,
            status: row.get(3)?,
            dry_run: row.get(4)?,
        })
    })?;
    rows.collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    pub step: i64,
    pub kind: String,
    pub status: String,
    pub input: Option<String>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
    pub delivery_id: Option<String>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

pub fn steps(conn: &Connection, run_id: &str) -> rusqlite::Result<Vec<StepRecord>> {
    let mut statement = conn.prepare_cached(
        "SELECT step, kind, status, input, output, error, attempts, delivery_id, started_at,
             finished_at
         FROM automation_steps WHERE run_id = ?1 ORDER BY step",
    )?;
    let rows = statement.query_map([run_id], |row| {
        Ok(StepRecord {
            step: row.get(0)?,
            kind: row.get(1)?,
            status: row.get(2)?,
            input: row.get(3)?,
            output: row.get(4)?,
            error: row.get(5)?,
            attempts: row.get(6)?,
            delivery_id: row.get(7)?,
            started_at: row.get(8)?,
            finished_at: row.get(9)?,
        })
    })?;
    rows.collect()
}

/// A step's journal entry, written whole each time it changes.
pub struct StepEntry<'a> {
    pub run_id: &'a str,
    pub step: i64,
    pub kind: &'a str,
    pub status: &'a str,
    pub input: Option<&'a str>,
    pub output: Option<&'a str>,
    pub error: Option<&'a str>,
    pub delivery_id: Option<&'a str>,
    pub now: i64,
}

/// Records a step: the first time it starts (one attempt), and each change after.
pub fn record_step(tx: &Transaction<'_>, entry: &StepEntry<'_>) -> rusqlite::Result<()> {
    let finished = matches!(entry.status, "completed" | "failed" | "skipped").then_some(entry.now);
    tx.execute(
        "INSERT INTO automation_steps (run_id, step, kind, status, input, output, error, attempts,
             delivery_id, started_at, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10)
         ON CONFLICT (run_id, step) DO UPDATE SET status = ?4,
             input = COALESCE(?5, input), output = ?6, error = ?7,
             delivery_id = COALESCE(?8, delivery_id), finished_at = ?10",
        params![
            entry.run_id,
            entry.step,
            entry.kind,
            entry.status,
            entry.input,
            entry.output,
            entry.error,
            entry.delivery_id,
            entry.now,
            finished
        ],
    )?;
    Ok(())
}

/// An automation's latest runs (dry runs and skipped ones aside), newest first: when each
/// started and its status.
pub fn recent_outcomes(
    conn: &Connection,
    automation_id: &str,
    limit: u32,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT started_at, status FROM automation_runs
         WHERE automation_id = ?1 AND dry_run = 0 AND status != 'skipped'
         ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![automation_id, limit], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    rows.collect()
}

/// The run whose step waits on `delivery_id` (once it is delivered or has failed) is due at
/// `at`.
pub fn wake_waiting_on_delivery(
    tx: &Transaction<'_>,
    delivery_id: &str,
    at: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE automation_runs SET wake_at = ?2
         WHERE status = 'waiting' AND wake_at > ?2
             AND id IN (SELECT run_id FROM automation_steps WHERE delivery_id = ?1)",
    )?
    .execute(params![delivery_id, at])?;
    Ok(())
}

/// Cancels a running or waiting run (a held one too), saying why.
pub fn cancel(tx: &Transaction<'_>, id: &str, why: &str, now: i64) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "UPDATE automation_runs SET status = 'cancelled', wake_at = NULL, held_for = NULL,
             error = ?2, updated_at = ?3, finished_at = ?3
         WHERE id = ?1 AND status IN ('running', 'waiting')",
        params![id, why, now],
    )? == 1)
}

/// Held runs of an automation go on now, in the order their events came.
pub fn release_held(
    tx: &Transaction<'_>,
    automation_id: &str,
    now: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE automation_runs SET status = 'running', wake_at = ?2, held_for = NULL,
             updated_at = ?2
         WHERE automation_id = ?1 AND held_for IS NOT NULL",
        params![automation_id, now],
    )
}

/// Held runs of an automation are cancelled, saying why.
pub fn discard_held(
    tx: &Transaction<'_>,
    automation_id: &str,
    reason: &str,
    now: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE automation_runs SET status = 'cancelled', wake_at = NULL, held_for = NULL,
             error = ?3, updated_at = ?2, finished_at = ?2
         WHERE automation_id = ?1 AND held_for IS NOT NULL",
        params![automation_id, now, reason],
    )
}

pub fn held_count(conn: &Connection, automation_id: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM automation_runs WHERE automation_id = ?1 AND held_for IS NOT NULL",
        [automation_id],
        |row| row.get(0),
    )
}

/// The runs that retried this one, oldest first.
pub fn retries_of(conn: &Connection, run_id: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT id FROM automation_runs WHERE retry_of = ?1 ORDER BY id")?;
    let rows = statement.query_map([run_id], |row| row.get(0))?;
    rows.collect()
}

/// A retry from a failed step reuses what the steps before it recorded: they are copied into
/// the new run's journal as they were.
pub fn copy_steps(
    tx: &Transaction<'_>,
    from_run: &str,
    to_run: &str,
    before_step: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO automation_steps (run_id, step, kind, status, input, output, error, attempts,
             delivery_id, started_at, finished_at)
         SELECT ?2, step, kind, status, input, output, error, attempts, delivery_id, started_at,
             finished_at
         FROM automation_steps WHERE run_id = ?1 AND step < ?3 AND status = 'completed'",
        params![from_run, to_run, before_step],
    )
}

/// The event log's rowid the engine has read up to.
pub fn event_cursor(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT last_rowid FROM automation_event_cursor WHERE id = 1",
        [],
        |row| row.get(0),
    )
}

pub fn set_event_cursor(tx: &Transaction<'_>, last_rowid: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE automation_event_cursor SET last_rowid = ?1 WHERE id = 1",
        [last_rowid],
    )?;
    Ok(())
}
