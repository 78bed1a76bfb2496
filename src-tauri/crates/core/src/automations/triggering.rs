//! Events start runs (SPEC §7): the engine reads the event log after its cursor, in the order
//! events were stored; each event starts a run of every active automation (a dry run of every
//! draft) whose trigger it is, or records why its conditions did not pass. The runs and the
//! cursor's move are one transaction, so a kill at any moment neither loses an event nor starts
//! its runs twice. An event that says a connection became unhealthy (or recovered) also pauses
//! (or resumes) the automations that depend on it, in that same transaction (`posture.rs`).

use crate::automations::condition::{Condition, Verdict};
use crate::automations::definition::AutomationDefinition;
use crate::automations::library::{checked_text, trigger_key};
use crate::automations::posture::{self, Posture};
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::sequential_id;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, NewRun};
use sgen_store::automations::{self, AutomationRecord};
use sgen_store::inbound_events::{self, LoggedEvent};
use std::collections::HashMap;

/// Events read per pass.
const EVENTS_PER_PASS: u32 = 1_000;

/// An automation an event may start, with its conditions compiled.
struct Candidate {
    record: AutomationRecord,
    definition: AutomationDefinition,
    condition: Option<Condition>,
}

/// A run to write.
struct Started<'c> {
    candidate: &'c Candidate,
    id: String,
    automation_id: String,
    environment_id: i64,
    version: i64,
    status: &'static str,
    dry_run: bool,
    event_id: String,
    input: String,
    explain: Option<String>,
    held_for: Option<String>,
}

impl Core {
    /// Starts the runs the events stored since the last pass call for; returns how many events
    /// were read (0: the engine is caught up).
    pub(crate) fn start_runs_from_events(&self) -> CoreResult<usize> {
        let (events, candidates) = self.store.read(|conn| {
            let cursor = automation_runs::event_cursor(conn)?;
            let mut events = inbound_events::after_rowid(conn, cursor, EVENTS_PER_PASS)?;
            // An event that changes which automations run ends the pass: the next reads them
            // as it left them.
            if let Some(at) = events
                .iter()
                .position(|e| Posture::of(&e.event_type).is_some())
            {
                events.truncate(at + 1);
            }
            let mut candidates: HashMap<(i64, String), Vec<(AutomationRecord, String)>> =
                HashMap::new();
            for event in &events {
                let key = (event.environment_id, trigger_key(&event.event_type));
                if let std::collections::hash_map::Entry::Vacant(slot) = candidates.entry(key) {
                    let (environment_id, trigger) = slot.key();
                    let found = automations::triggered_by(conn, *environment_id, trigger)?;
                    slot.insert(found);
                }
            }
            Ok::<_, CoreError>((events, candidates))
        })?;
        let Some(last) = events.last().map(|e| e.rowid) else {
            return Ok(0);
        };
        let candidates: HashMap<(i64, String), Vec<Candidate>> = candidates
            .into_iter()
            .map(|(key, found)| (key, found.into_iter().filter_map(compiled).collect()))
            .collect();
        let now = self.now();
        let mut started = Vec::new();
        let mut connections = HashMap::new();
        for event in &events {
            let key = (event.environment_id, trigger_key(&event.event_type));
            for candidate in candidates.get(&key).into_iter().flatten() {
                let wanted = candidate.definition.trigger.connection.as_deref();
                if wanted.is_some_and(|c| c != event.connection_id) {
                    continue;
                }
                let connection = connections
                    .entry(event.connection_id.clone())
                    .or_insert_with(|| self.connection_value(&event.connection_id));
                started.push(start(candidate, event, connection, now));
            }
        }
        let changing = events
            .last()
            .and_then(|e| Posture::of(&e.event_type).map(|p| (p, e)));
        let mut queued = false;
        self.write(|tx| {
            for run in &started {
                automation_runs::insert(
                    tx,
                    &NewRun {
                        id: &run.id,
                        automation_id: &run.automation_id,
                        environment_id: run.environment_id,
                        version: run.version,
                        status: run.status,
                        dry_run: run.dry_run,
                        event_id: Some(&run.event_id),
                        input: &run.input,
                        explain: run.explain.as_deref(),
                        held_for: run.held_for.as_deref(),
                        retry_of: None,
                        next_step: 0,
                        now,
                    },
                )?;
            }
            // Each run takes its first steps in the commit that starts it: one commit, not
            // two, between an event stored and its run's first step recorded.
            for run in started
                .iter()
                .filter(|r| r.status == "running" && r.held_for.is_none())
            {
                let record = automation_runs::get(tx, &run.id)?.expect("inserted above");
                if self.advance_in_savepoint(tx, &record, Ok(&run.candidate.definition), now)? {
                    queued = true;
                }
            }
            if let Some((change, event)) = &changing {
                posture::apply(self, tx, *change, event, now)?;
            }
            automation_runs::set_event_cursor(tx, last)?;
            if !started.is_empty() {
                tx.publish(CoreEvent::RunsChanged);
            }
            Ok(())
        })?;
        if queued {
            self.delivery.bell.ring();
        }
        fail::fail_point!("automations.runs_started");
        Ok(events.len())
    }

    /// The connection an event came from, as a condition reads it (`connection.connector`).
    pub(super) fn connection_value(&self, connection_id: &str) -> Value {
        match self.record(connection_id) {
            Ok(record) => json!({
                "id": record.id,
                "connector": record.connector_type,
                "name": record.display_name,
                "state": record.state.as_str(),
            }),
            Err(_) => json!({ "id": connection_id }),
        }
    }
}

/// The automation with its definition's conditions compiled; one whose stored definition no
/// longer reads starts nothing, and says so.
fn compiled((record, text): (AutomationRecord, String)) -> Option<Candidate> {
    match checked_text(&text) {
        Ok(checked) => Some(Candidate {
            record,
            definition: checked.definition,
            condition: checked.condition,
        }),
        Err(e) => {
            tracing::error!(automation = %record.id, error = %e, "a stored automation does not read");
            None
        }
    }
}

fn start<'c>(
    candidate: &'c Candidate,
    event: &LoggedEvent,
    connection: &Value,
    now: i64,
) -> Started<'c> {
    let payload: Value = serde_json::from_slice(&event.payload).unwrap_or(Value::Null);
    let (status, explain) = judged(candidate.condition.as_ref(), &payload, connection);
    Started {
        candidate,
        // In the order events were stored: the run list's keyset order.
        id: sequential_id("run", now),
        automation_id: candidate.record.id.clone(),
        environment_id: event.environment_id,
        version: candidate.record.version,
        status,
        dry_run: candidate.record.status == "draft",
        event_id: event.id.clone(),
        input: String::from_utf8_lossy(&event.payload).into_owned(),
        explain,
        held_for: candidate.record.paused_for.clone(),
    }
}

/// A run no event started (a manual one, a schedule's firing), as it is written.
pub(super) fn unprompted_run<'a>(
    record: &'a AutomationRecord,
    id: &'a str,
    input: &'a str,
    (status, explain): (&'a str, Option<&'a str>),
    dry_run: bool,
    now: i64,
) -> NewRun<'a> {
    NewRun {
        id,
        automation_id: &record.id,
        environment_id: record.environment_id,
        version: record.version,
        status,
        dry_run,
        event_id: None,
        input,
        explain,
        held_for: None,
        retry_of: None,
        next_step: 0,
        now,
    }
}

/// A trigger's input judged by its conditions: `running`, or `skipped` with the explain
/// trace saying why.
pub(super) fn judged(
    condition: Option<&Condition>,
    input: &Value,
    connection: &Value,
) -> (&'static str, Option<String>) {
    let verdict = match condition {
        Some(condition) => condition.evaluate(input, connection),
        None => Verdict {
            passed: true,
            error: None,
            trace: Vec::new(),
        },
    };
    match verdict.passed {
        true => ("running", None),
        false => (
            "skipped",
            Some(serde_json::to_string(&verdict).expect("a verdict serializes")),
        ),
    }
}
