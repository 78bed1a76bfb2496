//! Runs move on step by step (SPEC §7), each step journaled in the transaction that does its
//! work: a notification and its step's success are one commit, a delivery queued and its step's
//! "waiting on it" are one commit. So after a kill a run goes on from its last recorded step, a
//! step that recorded success is never done again, and a delivery is never queued twice; the
//! outbox attempts a queued one with its id as the idempotency key, however often it retries.
//! The runs due in a pass move on in transactions of up to `RUNS_PER_COMMIT` (each run in a
//! savepoint of its own, so one run's trouble undoes only its own steps): a commit per run
//! would cap the engine at the disk's commit rate. A dry run records what each step would have
//! done and does nothing.

use crate::automations::definition::{
    Action, ActionKind, AutomationDefinition, DelayParams, DeliveryParams, NotifyParams,
    TaskParams, WaitParams,
};
use crate::kernel::events::CoreEvent;
use crate::kernel::notifications::raise;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, RunProgress, RunRecord, StepEntry, StepRecord};
use sgen_store::notifications::NewNotification;
use std::collections::HashMap;

/// Runs moved on per pass.
pub(super) const RUNS_PER_PASS: u32 = 500;
/// Runs moved on per commit.
const RUNS_PER_COMMIT: usize = 250;

/// What a step came to.
pub(super) enum Outcome {
    /// Done: the run goes on to the next step.
    Done,
    /// Not yet: look again at this time (never, until something wakes it, for `None`).
    Wait(Option<i64>),
    /// Queued a delivery and waits on it until this time.
    Queued(i64),
    /// The run fails with this error.
    Failed(String),
}

/// A definition as the engine reads it for a pass: read once per version.
type Definitions = HashMap<(String, i64), CoreResult<AutomationDefinition>>;

impl Core {
    /// Moves every due run on as far as it can go now; returns how many were looked at.
    pub(crate) fn advance_runs(&self) -> CoreResult<usize> {
        let now = self.now();
        let due = self
            .store
            .read(|conn| Ok::<_, CoreError>(automation_runs::due(conn, now, RUNS_PER_PASS)?))?;
        let mut definitions = Definitions::new();
        for run in &due {
            definitions
                .entry((run.automation_id.clone(), run.version))
                .or_insert_with(|| self.automation_version(&run.automation_id, run.version));
        }
        for batch in due.chunks(RUNS_PER_COMMIT) {
            let queued = self.write(|tx| {
                let mut queued = false;
                for run in batch {
                    let definition =
                        definitions[&(run.automation_id.clone(), run.version)].as_ref();
                    queued |= self.advance_in_savepoint(tx, run, definition, now)?;
                }
                Ok(queued)
            })?;
            fail::fail_point!("automations.step_recorded");
            if queued {
                self.delivery.bell.ring();
            }
        }
        Ok(due.len())
    }

    /// Moves one run on now, in a transaction of its own (a dry run, a manual run, a run whose
    /// task was just completed), while no engine pass runs.
    pub(super) fn advance_one(&self, run_id: &str) -> CoreResult<()> {
        let _one_at_a_time = self
            .automations
            .pass
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let run = self.run_record(run_id)?;
        let definition = self.automation_version(&run.automation_id, run.version);
        let definition = definition.as_ref();
        let now = self.now();
        let queued = self.write(|tx| self.advance_in_savepoint(tx, &run, definition, now))?;
        if queued {
            self.delivery.bell.ring();
        }
        Ok(())
    }

    /// One run moves on inside a savepoint: what goes wrong with it (the database's own
    /// trouble aside) undoes its steps and fails it, saying why, rather than stopping the
    /// others or coming back every pass. Returns whether it queued a delivery.
    pub(super) fn advance_in_savepoint(
        &self,
        tx: &Tx<'_, '_>,
        run: &RunRecord,
        definition: Result<&AutomationDefinition, &CoreError>,
        now: i64,
    ) -> CoreResult<bool> {
        // Read as the pass began; someone may have moved it since (an operator cancelled it,
        // completing its task moved it on): then it is left as it now is.
        let unmoved = automation_runs::get(tx, &run.id)?.as_ref() == Some(run);
        if !unmoved || !matches!(run.status.as_str(), "running" | "waiting") {
            return Ok(false);
        }
        tx.execute_batch("SAVEPOINT run")?;
        let result = match definition {
            Ok(definition) => self.advance_run(tx, run, definition, now),
            Err(e) => Err(CoreError::Internal(format!(
                "its version does not read: {e}"
            ))),
        };
        match result {
            Ok(queued) => {
                tx.execute_batch("RELEASE run")?;
                Ok(queued)
            }
            Err(e @ (CoreError::Busy | CoreError::StorageFull(_))) => Err(e),
            Err(e) => {
                tx.execute_batch("ROLLBACK TO run; RELEASE run")?;
                tracing::warn!(run = %run.id, error = %e, "a run could not go on");
                let name = definition
                    .as_ref()
                    .map_or("an automation", |d| d.name.as_str());
                let error = format!("the engine could not go on: {e}");
                finish_run(tx, run, name, "failed", Some(&error), run.next_step, now)?;
                Ok(false)
            }
        }
    }

    /// Moves a run on in `tx` until it waits or ends; returns whether it queued a delivery.
    fn advance_run(
        &self,
        tx: &Tx<'_, '_>,
        run: &RunRecord,
        definition: &AutomationDefinition,
        now: i64,
    ) -> CoreResult<bool> {
        let event: Value = serde_json::from_str(&run.input).unwrap_or(Value::Null);
        let recorded: HashMap<i64, StepRecord> = automation_runs::steps(tx, &run.id)?
            .into_iter()
            .map(|s| (s.step, s))
            .collect();
        let mut step = run.next_step;
        loop {
            let Some(action) = definition.actions.get(step as usize) else {
                finish_run(tx, run, &definition.name, "completed", None, step, now)?;
                return Ok(false);
            };
            fail::fail_point!("automations.step_begun");
            let journal = Journal {
                tx,
                run,
                step,
                kind: action.kind.as_str(),
                now,
            };
            let outcome =
                self.perform(&journal, definition, action, &event, recorded.get(&step))?;
            let (wake_at, queued) = match outcome {
                Outcome::Done => {
                    step += 1;
                    continue;
                }
                Outcome::Failed(error) => {
                    finish_run(tx, run, &definition.name, "failed", Some(&error), step, now)?;
                    return Ok(false);
                }
                Outcome::Wait(at) => (at, false),
                Outcome::Queued(at) => (Some(at), true),
            };
            automation_runs::set_progress(
                tx,
                &run.id,
                &RunProgress {
                    status: "waiting",
                    next_step: step,
                    wake_at,
                    error: None,
                    now,
                },
            )?;
            tx.publish(CoreEvent::RunsChanged);
            return Ok(queued);
        }
    }

    /// One step; its journal entry is written in the transaction that does its work.
    fn perform(
        &self,
        journal: &Journal<'_, '_, '_>,
        definition: &AutomationDefinition,
        action: &Action,
        event: &Value,
        recorded: Option<&StepRecord>,
    ) -> CoreResult<Outcome> {
        let step = journal.step;
        let params = |action: &Action| action.params.clone();
        let bad_params = |e: serde_json::Error| Ok(Outcome::Failed(format!("step {step}: {e}")));
        match action.kind {
            ActionKind::Notify => match serde_json::from_value::<NotifyParams>(params(action)) {
                Ok(p) => notify_step(journal, definition, p),
                Err(e) => bad_params(e),
            },
            ActionKind::Delay => match serde_json::from_value::<DelayParams>(params(action)) {
                Ok(p) => delay_step(journal, &p, recorded),
                Err(e) => bad_params(e),
            },
            ActionKind::ConnectorAction | ActionKind::Webhook => {
                match serde_json::from_value::<DeliveryParams>(params(action)) {
                    Ok(p) => match recorded.and_then(|s| s.delivery_id.clone()) {
                        Some(delivery_id) => self.delivery_step_outcome(journal, &delivery_id),
                        None => self.queue_step_delivery(journal, definition, &p, event),
                    },
                    Err(e) => bad_params(e),
                }
            }
            ActionKind::Task => match serde_json::from_value::<TaskParams>(params(action)) {
                Ok(p) => self.task_step(journal, definition, &p),
                Err(e) => bad_params(e),
            },
            ActionKind::WaitForEvent => {
                match serde_json::from_value::<WaitParams>(params(action)) {
                    Ok(p) => self.wait_step(journal, &p, recorded),
                    Err(e) => bad_params(e),
                }
            }
        }
    }
}

/// A notify step: the notification and the step's success are one commit.
fn notify_step(
    journal: &Journal<'_, '_, '_>,
    definition: &AutomationDefinition,
    params: NotifyParams,
) -> CoreResult<Outcome> {
    let run = journal.run;
    let title = params.title.unwrap_or_else(|| definition.name.clone());
    let priority = params.priority.unwrap_or_else(|| "normal".into());
    if !run.dry_run {
        raise(
            journal.tx,
            &NewNotification {
                environment_id: Some(run.environment_id),
                priority: &priority,
                title: &title,
                body: &params.message,
                subject: Some(&format!("run:{}", run.id)),
                now: journal.now,
            },
        )?;
    }
    let output = json!({"title": title, "message": params.message, "priority": priority});
    journal.completed(None, &output)?;
    Ok(Outcome::Done)
}

/// A delay: its end is recorded when it begins, so a restart waits only for what is left.
fn delay_step(
    journal: &Journal<'_, '_, '_>,
    params: &DelayParams,
    recorded: Option<&StepRecord>,
) -> CoreResult<Outcome> {
    let (run, now) = (journal.run, journal.now);
    let until = match recorded_input(recorded) {
        Some(input) => input["until"].as_i64().unwrap_or(now),
        None => now + params.seconds * 1000,
    };
    if run.dry_run || now >= until {
        journal.completed(
            None,
            &json!({"waited_until": until, "dry_run": run.dry_run}),
        )?;
        return Ok(Outcome::Done);
    }
    if recorded.is_none() {
        let input = json!({ "until": until }).to_string();
        automation_runs::record_step(
            journal.tx,
            &journal.entry("waiting", Some(&input), None, None),
        )?;
    }
    Ok(Outcome::Wait(Some(until)))
}

/// What a step recorded as its input when it began (a delay's end, a task's id).
pub(super) fn recorded_input(recorded: Option<&StepRecord>) -> Option<Value> {
    recorded
        .and_then(|s| s.input.as_deref())
        .and_then(|input| serde_json::from_str(input).ok())
}

/// Ends a run; a failed one tells the operator (a notification, high priority).
pub(super) fn finish_run(
    tx: &Tx<'_, '_>,
    run: &RunRecord,
    automation_name: &str,
    status: &str,
    error: Option<&str>,
    step: i64,
    now: i64,
) -> CoreResult<()> {
    automation_runs::set_progress(
        tx,
        &run.id,
        &RunProgress {
            status,
            next_step: step,
            wake_at: None,
            error,
            now,
        },
    )?;
    if let (Some(error), false) = (error, run.dry_run) {
        raise(
            tx,
            &NewNotification {
                environment_id: Some(run.environment_id),
                priority: "high",
                title: &format!("Automation failed: {automation_name}"),
                body: error,
                subject: Some(&format!("run:{}", run.id)),
                now,
            },
        )?;
    }
    tx.publish(CoreEvent::RunsChanged);
    Ok(())
}

/// A step's place in its run and the transaction its journal entries go in.
pub(super) struct Journal<'j, 't, 'c> {
    pub(super) tx: &'j Tx<'t, 'c>,
    pub(super) run: &'j RunRecord,
    pub(super) step: i64,
    pub(super) kind: &'j str,
    pub(super) now: i64,
}

impl<'j> Journal<'j, '_, '_> {
    pub(super) fn entry(
        &self,
        status: &'j str,
        input: Option<&'j str>,
        output: Option<&'j str>,
        error: Option<&'j str>,
    ) -> StepEntry<'j> {
        StepEntry {
            run_id: &self.run.id,
            step: self.step,
            kind: self.kind,
            status,
            input,
            output,
            error,
            delivery_id: None,
            now: self.now,
        }
    }

    /// Records the step done, with what it came to.
    pub(super) fn completed(&self, input: Option<&str>, output: &Value) -> CoreResult<()> {
        let output = output.to_string();
        automation_runs::record_step(
            self.tx,
            &self.entry("completed", input, Some(&output), None),
        )?;
        Ok(())
    }

    /// Records the step failed; the run fails with `error`.
    pub(super) fn failed(&self, output: Option<&Value>, error: &str) -> CoreResult<Outcome> {
        let output = output.map(Value::to_string);
        automation_runs::record_step(
            self.tx,
            &self.entry("failed", None, output.as_deref(), Some(error)),
        )?;
        Ok(Outcome::Failed(format!("step {}: {error}", self.step)))
    }
}
