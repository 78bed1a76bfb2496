//! Human tasks (SPEC §7): a task step creates a task and the run waits for an operator to
//! complete it with output (checked against the step's JSON Schema), or for it to expire — then
//! the run fails or goes on, as the step says, and the operator is told either way. Tasks live
//! in the database, so they outlive restarts; the Tasks inbox lists the pending ones of every
//! automation.

use crate::access::{self, Target};
use crate::automations::definition::{AutomationDefinition, OnTimeout, TaskParams};
use crate::automations::stepping::{Journal, Outcome};
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::{random_bits, time_ordered_id};
use crate::kernel::notifications::raise;
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, RunProgress};
use sgen_store::automation_tasks::{self, NewTask, TaskRecord};
use sgen_store::notifications::NewNotification;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Task {
    pub id: String,
    pub run_id: String,
    #[ts(type = "number")]
    pub step: i64,
    pub automation_id: String,
    pub automation_name: String,
    pub title: String,
    pub instructions: Option<String>,
    /// The JSON Schema the output must meet, if the step gives one.
    #[ts(type = "unknown")]
    pub output_schema: Option<Value>,
    /// `pending`, `completed`, `expired` or `cancelled`.
    pub status: String,
    #[ts(type = "unknown")]
    pub output: Option<Value>,
    pub completed_by: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub due_at: Option<i64>,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
}

fn task(record: TaskRecord) -> Task {
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Task {
        id: record.id,
        run_id: record.run_id,
        step: record.step,
        automation_id: record.automation_id,
        automation_name: record.automation_name,
        title: record.title,
        instructions: record.instructions,
        output_schema: json(record.output_schema),
        status: record.status,
        output: json(record.output),
        completed_by: record.completed_by,
        created_at: record.created_at,
        due_at: record.due_at,
        finished_at: record.finished_at,
    }
}

/// The most tasks a list returns.
const MAX_TASKS: u32 = 1_000;

impl Core {
    /// The environment's tasks of one status (`pending` for the inbox), oldest first.
    pub fn tasks(&self, scope: &SiteEnvironment, status: Option<&str>) -> CoreResult<Vec<Task>> {
        if let Some(status) = status {
            if !["pending", "completed", "expired", "cancelled"].contains(&status) {
                return Err(CoreError::invalid(format!(
                    "`{status}` is not a task status (pending, completed, expired, cancelled)"
                )));
            }
        }
        let environment_id = self.environment_id(scope)?;
        let records = self.store.read(|conn| {
            Ok::<_, CoreError>(automation_tasks::list(
                conn,
                environment_id,
                status,
                MAX_TASKS,
            )?)
        })?;
        Ok(records.into_iter().map(task).collect())
    }

    /// The task a run's step created, if it created one.
    pub(super) fn task_of_step(&self, run_id: &str, step: i64) -> CoreResult<Option<Task>> {
        Ok(self
            .store
            .read(|conn| Ok::<_, CoreError>(automation_tasks::of_step(conn, run_id, step)?))?
            .map(task))
    }

    pub fn task(&self, id: &str) -> CoreResult<Task> {
        self.store
            .read(|conn| Ok::<_, CoreError>(automation_tasks::get(conn, id)?))?
            .map(task)
            .ok_or_else(|| CoreError::NotFound {
                what: "task",
                id: id.to_string(),
            })
    }

    /// Completes a pending task with the operator's output: checked against the step's
    /// schema (every problem named by its path), recorded with who completed it; its run goes
    /// on at once. Who may decide is the `run_automations` capability's.
    pub fn complete_task(&self, id: &str, output: &Value) -> CoreResult<Task> {
        let operator = self.authorize(access::Operation::CompleteTask, Target::App)?;
        let found = self.task(id)?;
        if found.status != "pending" {
            return Err(CoreError::invalid(format!(
                "the task is {}, not pending",
                found.status
            )));
        }
        if !output.is_object() {
            return Err(CoreError::invalid("a task's output is a JSON object"));
        }
        if let Some(schema) = &found.output_schema {
            let validator = jsonschema::validator_for(schema).map_err(|e| {
                CoreError::Internal(format!("the task's schema does not read: {e}"))
            })?;
            let problems: Vec<String> = validator
                .iter_errors(output)
                .map(|e| match e.instance_path().to_string().as_str() {
                    "" => e.to_string(),
                    path => format!("{path}: {e}"),
                })
                .collect();
            if !problems.is_empty() {
                return Err(CoreError::invalid(format!(
                    "the output does not meet the task's schema: {}",
                    problems.join("; ")
                )));
            }
        }
        let now = self.now();
        let output_text = output.to_string();
        self.write(|tx| {
            if !automation_tasks::finish(
                tx,
                id,
                "completed",
                Some(&output_text),
                Some(&operator.name),
                now,
            )? {
                return Err(CoreError::invalid("the task is no longer pending"));
            }
            wake(tx, &found.run_id, found.step, now)?;
            tx.publish(CoreEvent::TasksChanged);
            Ok(())
        })?;
        // The run goes on at once (in the CLI too, where no engine runs).
        self.advance_one(&found.run_id)?;
        self.task(id)
    }

    /// A task step: creates the task and waits; once the task is completed the step is done
    /// with its output; once it expires the run fails or goes on, as the step says.
    pub(super) fn task_step(
        &self,
        journal: &Journal<'_, '_, '_>,
        definition: &AutomationDefinition,
        params: &TaskParams,
    ) -> CoreResult<Outcome> {
        let (tx, run, now) = (journal.tx, journal.run, journal.now);
        if run.dry_run {
            journal.completed(
                None,
                &json!({"dry_run": true, "would_create_task": params.title}),
            )?;
            return Ok(Outcome::Done);
        }
        let Some(existing) = automation_tasks::of_step(tx, &run.id, journal.step)? else {
            let id = time_ordered_id("task", now, random_bits()?);
            let due_at = params.timeout_seconds.map(|s| now + s * 1000);
            let schema = params.output_schema.as_ref().map(Value::to_string);
            automation_tasks::insert(
                tx,
                &NewTask {
                    id: &id,
                    run_id: &run.id,
                    step: journal.step,
                    automation_id: &run.automation_id,
                    environment_id: run.environment_id,
                    title: &params.title,
                    instructions: params.instructions.as_deref(),
                    output_schema: schema.as_deref(),
                    due_at,
                    now,
                },
            )?;
            let input = json!({ "task_id": id, "due_at": due_at }).to_string();
            automation_runs::record_step(tx, &journal.entry("waiting", Some(&input), None, None))?;
            raise(
                tx,
                &NewNotification {
                    environment_id: Some(run.environment_id),
                    priority: "normal",
                    title: &format!("Task waiting: {}", params.title),
                    body: &format!("{} waits for someone to complete it", definition.name),
                    subject: Some(&format!("task:{id}")),
                    now,
                },
            )?;
            tx.publish(CoreEvent::TasksChanged);
            return Ok(Outcome::Wait(due_at));
        };
        match existing.status.as_str() {
            "completed" => {
                let output: Value = existing
                    .output
                    .as_deref()
                    .and_then(|o| serde_json::from_str(o).ok())
                    .unwrap_or(Value::Null);
                journal.completed(
                    None,
                    &json!({"task_id": existing.id, "output": output,
                    "completed_by": existing.completed_by}),
                )?;
                Ok(Outcome::Done)
            }
            "pending" if existing.due_at.is_some_and(|due| now >= due) => {
                automation_tasks::finish(tx, &existing.id, "expired", None, None, now)?;
                tx.publish(CoreEvent::TasksChanged);
                raise(
                    tx,
                    &NewNotification {
                        environment_id: Some(run.environment_id),
                        priority: "high",
                        title: &format!("Task expired: {}", existing.title),
                        body: &format!(
                            "Nobody completed it in time; {} {}",
                            definition.name,
                            match params.on_timeout {
                                OnTimeout::Fail => "failed",
                                OnTimeout::Continue => "went on without it",
                            }
                        ),
                        subject: Some(&format!("run:{}", run.id)),
                        now,
                    },
                )?;
                let output = json!({"task_id": existing.id, "expired": true});
                match params.on_timeout {
                    OnTimeout::Fail => journal.failed(
                        Some(&output),
                        &format!("the task `{}` expired", existing.title),
                    ),
                    OnTimeout::Continue => {
                        journal.completed(None, &output)?;
                        Ok(Outcome::Done)
                    }
                }
            }
            "pending" => Ok(Outcome::Wait(existing.due_at)),
            other => journal.failed(None, &format!("the task was {other}")),
        }
    }
}

/// A waiting run goes on now (its task was completed).
fn wake(
    tx: &crate::kernel::write::Tx<'_, '_>,
    run_id: &str,
    step: i64,
    now: i64,
) -> CoreResult<()> {
    automation_runs::set_progress(
        tx,
        run_id,
        &RunProgress {
            status: "running",
            next_step: step,
            wake_at: Some(now),
            error: None,
            now,
        },
    )?;
    tx.publish(CoreEvent::RunsChanged);
    Ok(())
}
