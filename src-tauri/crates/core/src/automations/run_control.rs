//! What an operator does to runs (SPEC §7): retry a failed one — from the failed step (the
//! steps before it are not done again: their recorded outputs are reused) or from the start,
//! with the version that failed or the current one, after seeing how the two differ — one at a
//! time or a filtered set at once; and cancel one that is running or waiting.

use crate::access::{self, Target};
use crate::automations::runs::RunQuery;
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::sequential_id;
use crate::kernel::sites::SiteEnvironment;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sgen_store::automation_runs::{self, NewRun, RunRecord};
use sgen_store::automation_tasks;
use sgen_store::automations::AutomationRecord;
use ts_rs::TS;

/// Which version a retry runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RetryVersion {
    /// The version the run failed with.
    #[default]
    Failed,
    /// The automation's current version.
    Current,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, TS)]
#[ts(export)]
pub struct RetryOptions {
    /// Run every step again, rather than going on from the failed one.
    #[serde(default)]
    pub from_start: bool,
    #[serde(default)]
    pub version: RetryVersion,
}

/// What a retry would run, for the operator to see before choosing.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RetryPreview {
    pub run_id: String,
    #[ts(type = "number")]
    pub failed_version: i64,
    #[ts(type = "number")]
    pub current_version: i64,
    /// The step a retry from the failed step goes on from.
    #[ts(type = "number")]
    pub failed_step: i64,
    /// The two versions' definitions (the same when the automation has not changed since).
    #[ts(type = "unknown")]
    pub failed_definition: Value,
    #[ts(type = "unknown")]
    pub current_definition: Value,
}

/// The most runs one bulk retry starts.
const MAX_BULK_RETRY: usize = 10_000;

impl Core {
    pub fn retry_preview(&self, run_id: &str) -> CoreResult<RetryPreview> {
        let run = self.retryable(run_id)?;
        let record = self.automation_record(&run.automation_id)?;
        let definition = |version| -> CoreResult<Value> {
            Ok(
                serde_json::to_value(self.automation_version(&run.automation_id, version)?)
                    .expect("a definition serializes"),
            )
        };
        Ok(RetryPreview {
            run_id: run.id.clone(),
            failed_version: run.version,
            current_version: record.version,
            failed_step: run.next_step,
            failed_definition: definition(run.version)?,
            current_definition: definition(record.version)?,
        })
    }

    /// Retries a failed (or cancelled) run as a new run linked to it; returns the new run's id.
    pub fn retry_run(&self, run_id: &str, options: RetryOptions) -> CoreResult<String> {
        self.authorize(access::Operation::RetryRun, Target::App)?;
        let run = self.retryable(run_id)?;
        let record = self.automation_record(&run.automation_id)?;
        let now = self.now();
        let id = self.write(|tx| {
            let id = retry_in(tx, &run, &record, options, now)?;
            tx.publish(CoreEvent::RunsChanged);
            Ok(id)
        })?;
        Ok(id)
    }

    /// Retries every failed run the query finds (its status is taken to be `failed`), at most
    /// 10,000; returns the new runs' ids.
    pub fn retry_runs(
        &self,
        scope: &SiteEnvironment,
        query: &RunQuery,
        options: RetryOptions,
    ) -> CoreResult<Vec<String>> {
        self.authorize(access::Operation::RetryRuns, Target::App)?;
        let mut failed = Vec::new();
        let mut query = RunQuery {
            status: Some("failed".into()),
            page_size: Some(500),
            ..query.clone()
        };
        loop {
            let page = self.runs(scope, &query)?;
            failed.extend(page.rows.into_iter().map(|r| r.id));
            match page.next_cursor {
                Some(cursor) if failed.len() < MAX_BULK_RETRY => query.cursor = Some(cursor),
                _ => break,
            }
        }
        failed.truncate(MAX_BULK_RETRY);
        // Oldest first, as they first ran.
        failed.reverse();
        let now = self.now();
        let mut started = Vec::new();
        for batch in failed.chunks(500) {
            let runs = self.store.read(|conn| {
                batch
                    .iter()
                    .filter_map(|id| automation_runs::get(conn, id).transpose())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(CoreError::from)
            })?;
            let records = runs
                .iter()
                .map(|r| self.automation_record(&r.automation_id))
                .collect::<CoreResult<Vec<_>>>()?;
            let ids = self.write(|tx| {
                let ids = runs
                    .iter()
                    .zip(&records)
                    .map(|(run, record)| retry_in(tx, run, record, options, now))
                    .collect::<CoreResult<Vec<_>>>()?;
                tx.publish(CoreEvent::RunsChanged);
                Ok(ids)
            })?;
            started.extend(ids);
        }
        Ok(started)
    }

    /// Cancels a running or waiting run (a held one too); its pending tasks are cancelled.
    pub fn cancel_run(&self, run_id: &str) -> CoreResult<()> {
        let operator = self.authorize(access::Operation::CancelRun, Target::App)?;
        let run = self.run_record(run_id)?;
        if !matches!(run.status.as_str(), "running" | "waiting") {
            return Err(CoreError::invalid(format!(
                "the run is {}: only a running or waiting run can be cancelled",
                run.status
            )));
        }
        let now = self.now();
        self.write(|tx| {
            let why = format!("cancelled by {}", operator.name);
            automation_runs::cancel(tx, run_id, &why, now)?;
            automation_tasks::cancel_of_run(tx, run_id, now)?;
            tx.publish(CoreEvent::RunsChanged);
            tx.publish(CoreEvent::TasksChanged);
            Ok(())
        })
    }

    pub(crate) fn run_record(&self, run_id: &str) -> CoreResult<RunRecord> {
        self.store
            .read(|conn| Ok::<_, CoreError>(automation_runs::get(conn, run_id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "run",
                id: run_id.to_string(),
            })
    }

    fn retryable(&self, run_id: &str) -> CoreResult<RunRecord> {
        let run = self.run_record(run_id)?;
        if !matches!(run.status.as_str(), "failed" | "cancelled") {
            return Err(CoreError::invalid(format!(
                "the run is {}: only a failed or cancelled run can be retried",
                run.status
            )));
        }
        Ok(run)
    }
}

/// Writes the retry of `run` in `tx`: a new run from the failed step (the steps before it
/// copied with what they recorded) or from the start, with the chosen version. An archived
/// automation is not retried; one paused for a connection keeps the retry until it recovers;
/// a draft's retry is a dry run, as its runs are.
fn retry_in(
    tx: &Tx<'_, '_>,
    run: &RunRecord,
    record: &AutomationRecord,
    options: RetryOptions,
    now: i64,
) -> CoreResult<String> {
    if record.status == "archived" {
        return Err(CoreError::invalid(format!(
            "`{}` is archived: its runs are not retried",
            record.name
        )));
    }
    let version = match options.version {
        RetryVersion::Failed => run.version,
        RetryVersion::Current => record.version,
    };
    let from_step = match options.from_start {
        true => 0,
        false => run.next_step,
    };
    let id = sequential_id("run", now);
    automation_runs::insert(
        tx,
        &NewRun {
            id: &id,
            automation_id: &run.automation_id,
            environment_id: run.environment_id,
            version,
            status: "running",
            dry_run: run.dry_run || record.status == "draft",
            event_id: run.event_id.as_deref(),
            input: &run.input,
            explain: None,
            held_for: record.paused_for.as_deref(),
            retry_of: Some(&run.id),
            next_step: from_step,
            now,
        },
    )?;
    if from_step > 0 {
        automation_runs::copy_steps(tx, &run.id, &id, from_step)?;
    }
    Ok(id)
}
