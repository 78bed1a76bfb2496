//! Runs move on step by step (SPEC §7), each step journaled in the transaction that does its
//! work: a notification and its step's success are one commit, a delivery queued and its step's
//! "waiting on it" are one commit. So after a kill a run goes on from its last recorded step, a
//! step that recorded success is never done again, and a delivery is never queued twice; the
//! outbox attempts a queued one with its id as the idempotency key, however often it retries.
//! A dry run records what each step would have done and does nothing.

use crate::automations::definition::{
    Action, ActionKind, AutomationDefinition, DelayParams, DeliveryParams, NotifyParams,
};
use crate::kernel::events::CoreEvent;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, RunProgress, RunRecord, StepEntry, StepRecord};
use sgen_store::notifications::{self, NewNotification};

/// Runs moved on per pass.
pub(super) const RUNS_PER_PASS: u32 = 500;

/// What a step came to.
pub(super) enum Outcome {
    /// Done: the run goes on to the next step.
    Done,
    /// Not yet: look again at this time.
    WaitUntil(i64),
    /// The run fails with this error.
    Failed(String),
}

impl Core {
    /// Moves every due run on as far as it can go now; returns how many were looked at.
    pub(crate) fn advance_runs(&self) -> CoreResult<usize> {
        let now = self.now();
        let due = self
            .store
            .read(|conn| Ok::<_, CoreError>(automation_runs::due(conn, now, RUNS_PER_PASS)?))?;
        for run in &due {
            if let Err(e) = self.advance_run(run) {
                // One run's trouble (the database aside) does not stop the others.
                tracing::warn!(run = %run.id, error = %e, "a run could not go on");
                if matches!(e, CoreError::Busy | CoreError::StorageFull(_)) {
                    return Err(e);
                }
            }
        }
        Ok(due.len())
    }

    pub(super) fn advance_run(&self, run: &RunRecord) -> CoreResult<()> {
        let definition = self.automation_version(&run.automation_id, run.version)?;
        let event: Value = serde_json::from_str(&run.input).unwrap_or(Value::Null);
        let mut step = run.next_step;
        loop {
            let Some(action) = definition.actions.get(step as usize) else {
                return self.finish_run(run, "completed", None, step);
            };
            let recorded = self.store.read(|conn| {
                Ok::<_, CoreError>(
                    automation_runs::steps(conn, &run.id)?
                        .into_iter()
                        .find(|s| s.step == step),
                )
            })?;
            fail::fail_point!("automations.step_begun");
            match self.perform(run, &definition, step, action, &event, recorded.as_ref())? {
                Outcome::Done => {
                    fail::fail_point!("automations.step_recorded");
                    step += 1
                }
                Outcome::WaitUntil(at) => {
                    let now = self.now();
                    return self.write(|tx| {
                        automation_runs::set_progress(
                            tx,
                            &run.id,
                            &RunProgress {
                                status: "waiting",
                                next_step: step,
                                wake_at: Some(at),
                                error: None,
                                now,
                            },
                        )?;
                        Ok(())
                    });
                }
                Outcome::Failed(error) => {
                    return self.finish_run(run, "failed", Some(&error), step);
                }
            }
        }
    }

    /// One step; its journal entry (and the run's next step, when it is done) are written in
    /// the transaction that does its work.
    fn perform(
        &self,
        run: &RunRecord,
        definition: &AutomationDefinition,
        step: i64,
        action: &Action,
        event: &Value,
        recorded: Option<&StepRecord>,
    ) -> CoreResult<Outcome> {
        let now = self.now();
        let kind = action.kind.as_str();
        let journal = Journal {
            run,
            step,
            kind,
            now,
        };
        let params_error = |e: serde_json::Error| Outcome::Failed(format!("step {step}: {e}"));
        match action.kind {
            ActionKind::Notify => {
                let params: NotifyParams = match serde_json::from_value(action.params.clone()) {
                    Ok(params) => params,
                    Err(e) => return Ok(params_error(e)),
                };
                let title = params.title.unwrap_or_else(|| definition.name.clone());
                let priority = params.priority.unwrap_or_else(|| "normal".into());
                let output =
                    json!({"title": title, "message": params.message, "priority": priority});
                self.write(|tx| {
                    if !run.dry_run {
                        notifications::insert(
                            tx,
                            &NewNotification {
                                environment_id: Some(run.environment_id),
                                priority: &priority,
                                title: &title,
                                body: &params.message,
                                subject: Some(&format!("run:{}", run.id)),
                                now,
                            },
                        )?;
                    }
                    let output = output.to_string();
                    automation_runs::record_step(
                        tx,
                        &journal.entry("completed", None, Some(&output), None),
                    )?;
                    advanced(tx, run, step + 1, now)
                })?;
                Ok(Outcome::Done)
            }
            ActionKind::Delay => {
                let params: DelayParams = match serde_json::from_value(action.params.clone()) {
                    Ok(params) => params,
                    Err(e) => return Ok(params_error(e)),
                };
                let until = match recorded.and_then(|s| s.input.as_deref()) {
                    Some(input) => serde_json::from_str::<Value>(input)
                        .ok()
                        .and_then(|v| v["until"].as_i64())
                        .unwrap_or(now),
                    None => now + params.seconds * 1000,
                };
                if run.dry_run || now >= until {
                    let output = json!({"waited_until": until, "dry_run": run.dry_run}).to_string();
                    self.write(|tx| {
                        automation_runs::record_step(
                            tx,
                            &journal.entry("completed", None, Some(&output), None),
                        )?;
                        advanced(tx, run, step + 1, now)
                    })?;
                    return Ok(Outcome::Done);
                }
                if recorded.is_none() {
                    let input = json!({ "until": until }).to_string();
                    self.write(|tx| {
                        automation_runs::record_step(
                            tx,
                            &journal.entry("waiting", Some(&input), None, None),
                        )?;
                        Ok(())
                    })?;
                }
                Ok(Outcome::WaitUntil(until))
            }
            ActionKind::ConnectorAction | ActionKind::Webhook => {
                let params: DeliveryParams = match serde_json::from_value(action.params.clone()) {
                    Ok(params) => params,
                    Err(e) => return Ok(params_error(e)),
                };
                match recorded.and_then(|s| s.delivery_id.clone()) {
                    Some(delivery_id) => self.delivery_step_outcome(&journal, &delivery_id),
                    None => self.queue_step_delivery(&journal, definition, &params, event),
                }
            }
        }
    }

    /// Ends a run; a failed one tells the operator (a notification, high priority).
    fn finish_run(
        &self,
        run: &RunRecord,
        status: &str,
        error: Option<&str>,
        step: i64,
    ) -> CoreResult<()> {
        let now = self.now();
        let name = self.automation_record(&run.automation_id)?.name;
        self.write(|tx| {
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
                notifications::insert(
                    tx,
                    &NewNotification {
                        environment_id: Some(run.environment_id),
                        priority: "high",
                        title: &format!("Automation failed: {name}"),
                        body: error,
                        subject: Some(&format!("run:{}", run.id)),
                        now,
                    },
                )?;
            }
            tx.publish(CoreEvent::RunsChanged);
            Ok(())
        })
    }
}

/// Where a step's journal entries go.
#[derive(Clone, Copy)]
pub(super) struct Journal<'a> {
    pub(super) run: &'a RunRecord,
    pub(super) step: i64,
    pub(super) kind: &'a str,
    pub(super) now: i64,
}

impl<'a> Journal<'a> {
    pub(super) fn entry(
        &self,
        status: &'a str,
        input: Option<&'a str>,
        output: Option<&'a str>,
        error: Option<&'a str>,
    ) -> StepEntry<'a> {
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
}

/// The run goes on from `next_step`.
pub(super) fn advanced(
    tx: &Tx<'_, '_>,
    run: &RunRecord,
    next_step: i64,
    now: i64,
) -> CoreResult<()> {
    automation_runs::set_progress(
        tx,
        &run.id,
        &RunProgress {
            status: "running",
            next_step,
            wake_at: Some(now),
            error: None,
            now,
        },
    )?;
    tx.publish(CoreEvent::RunsChanged);
    Ok(())
}
