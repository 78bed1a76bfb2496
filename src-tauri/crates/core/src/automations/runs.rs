//! Run history (SPEC §7): runs newest first, of one automation or all, by status; a run's
//! steps with their inputs, outputs and errors.

use crate::automations::condition::Verdict;
use crate::automations::tasks::Task;
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sgen_store::automation_runs::{self, RunRecord, StepRecord};
use ts_rs::TS;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

/// Every status a run can have.
pub const RUN_STATUSES: [&str; 6] = [
    "running",
    "waiting",
    "completed",
    "failed",
    "cancelled",
    "skipped",
];

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct RunQuery {
    #[ts(optional)]
    pub automation_id: Option<String>,
    #[ts(optional)]
    pub status: Option<String>,
    /// The last row's id of the page before.
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional)]
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RunRow {
    pub id: String,
    pub automation_id: String,
    #[ts(type = "number")]
    pub version: i64,
    /// `running | waiting | completed | failed | cancelled | skipped` (its conditions did not
    /// pass).
    pub status: String,
    pub dry_run: bool,
    pub event_id: Option<String>,
    /// Why its conditions did not pass, part by part.
    pub explain: Option<Verdict>,
    #[ts(type = "number")]
    pub next_step: i64,
    pub error: Option<String>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    /// Kept until this connection recovers (its automation is paused for it).
    pub held_for: Option<String>,
    /// The run this one retries.
    pub retry_of: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RunPage {
    pub rows: Vec<RunRow>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StepRow {
    #[ts(type = "number")]
    pub step: i64,
    pub kind: String,
    pub status: String,
    #[ts(type = "unknown")]
    pub input: Option<Value>,
    #[ts(type = "unknown")]
    pub output: Option<Value>,
    pub error: Option<String>,
    #[ts(type = "number")]
    pub attempts: i64,
    pub delivery_id: Option<String>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RunDetail {
    pub run: RunRow,
    /// The trigger's input (the event's payload).
    #[ts(type = "unknown")]
    pub input: Value,
    pub steps: Vec<StepRow>,
    /// The runs that retried this one, oldest first.
    pub retries: Vec<String>,
    /// Its human tasks, pending or done.
    pub tasks: Vec<Task>,
}

impl Core {
    pub fn runs(&self, scope: &SiteEnvironment, query: &RunQuery) -> CoreResult<RunPage> {
        if let Some(status) = query.status.as_deref() {
            if !RUN_STATUSES.contains(&status) {
                return Err(CoreError::invalid(format!(
                    "`{status}` is not a run status ({})",
                    RUN_STATUSES.join(", ")
                )));
            }
        }
        let environment_id = self.environment_id(scope)?;
        let size = query.page_size.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let mut records = self.store.read(|conn| {
            Ok::<_, CoreError>(automation_runs::page(
                conn,
                environment_id,
                query.automation_id.as_deref(),
                query.status.as_deref(),
                query.cursor.as_deref(),
                size + 1,
            )?)
        })?;
        let more = records.len() > size as usize;
        records.truncate(size as usize);
        Ok(RunPage {
            next_cursor: more.then(|| records.last().map(|r| r.id.clone())).flatten(),
            rows: records.iter().map(run_row).collect(),
        })
    }

    pub fn run(&self, id: &str) -> CoreResult<RunDetail> {
        let (record, steps, retries) = self.store.read(|conn| {
            let record = automation_runs::get(conn, id)?;
            let steps = automation_runs::steps(conn, id)?;
            let retries = automation_runs::retries_of(conn, id)?;
            Ok::<_, CoreError>((record, steps, retries))
        })?;
        let record = record.ok_or_else(|| CoreError::NotFound {
            what: "run",
            id: id.to_string(),
        })?;
        Ok(RunDetail {
            input: serde_json::from_str(&record.input).unwrap_or(Value::Null),
            run: run_row(&record),
            tasks: steps
                .iter()
                .filter(|s| s.kind == "task")
                .filter_map(|s| self.task_of_step(id, s.step).transpose())
                .collect::<CoreResult<_>>()?,
            steps: steps.iter().map(step_row).collect(),
            retries,
        })
    }
}

fn json(text: &Option<String>) -> Option<Value> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

fn run_row(r: &RunRecord) -> RunRow {
    RunRow {
        id: r.id.clone(),
        automation_id: r.automation_id.clone(),
        version: r.version,
        status: r.status.clone(),
        dry_run: r.dry_run,
        event_id: r.event_id.clone(),
        explain: r
            .explain
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok()),
        next_step: r.next_step,
        error: r.error.clone(),
        started_at: r.started_at,
        finished_at: r.finished_at,
        held_for: r.held_for.clone(),
        retry_of: r.retry_of.clone(),
    }
}

fn step_row(s: &StepRecord) -> StepRow {
    StepRow {
        step: s.step,
        kind: s.kind.clone(),
        status: s.status.clone(),
        input: json(&s.input),
        output: json(&s.output),
        error: s.error.clone(),
        attempts: s.attempts,
        delivery_id: s.delivery_id.clone(),
        started_at: s.started_at,
        finished_at: s.finished_at,
    }
}
