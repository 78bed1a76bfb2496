//! A step that waits for another event (SPEC §7): of a type, from a connection if it says, on
//! which its conditions hold — with a timeout. An event stored shortly before the wait began
//! (`lookback_seconds`, 300 by default) still counts: a vendor's follow-up often arrives before
//! the run gets to its wait. The step records where it has looked up to, so each look reads
//! only what is new.

use crate::automations::condition::Condition;
use crate::automations::definition::{OnTimeout, WaitParams};
use crate::automations::stepping::{recorded_input, Journal, Outcome};
use crate::{Core, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, StepRecord};
use sgen_store::inbound_events;

/// How soon a waiting run looks for its event again.
const WAIT_POLL_MS: i64 = 1_000;
/// Events looked through per look.
const EVENTS_PER_LOOK: u32 = 200;

impl Core {
    pub(super) fn wait_step(
        &self,
        journal: &Journal<'_, '_, '_>,
        params: &WaitParams,
        recorded: Option<&StepRecord>,
    ) -> CoreResult<Outcome> {
        let (tx, run, now) = (journal.tx, journal.run, journal.now);
        if run.dry_run {
            journal.completed(
                None,
                &json!({"dry_run": true, "would_wait_for": params.event}),
            )?;
            return Ok(Outcome::Done);
        }
        let (mut after, until) = match recorded_input(recorded) {
            Some(input) => (
                input["after"].as_str().unwrap_or_default().to_string(),
                input["until"].as_i64().unwrap_or(now),
            ),
            // Event ids begin with the time they were stored: a bare time is a bound.
            None => (
                format!("ine_{:012x}", (now - params.lookback_seconds * 1000).max(0)),
                now + params.timeout_seconds * 1000,
            ),
        };
        let condition = match &params.conditions {
            Some(conditions) => match Condition::compile(&conditions.to_cel()) {
                Ok(condition) => Some(condition),
                Err(e) => return journal.failed(None, &format!("the conditions do not read: {e}")),
            },
            None => None,
        };
        let events = inbound_events::of_type_after(
            tx,
            run.environment_id,
            &params.event,
            params.connection.as_deref(),
            &after,
            EVENTS_PER_LOOK,
        )?;
        for event in &events {
            after = event.id.clone();
            // The event that started the run is not the one it waits for.
            if run.event_id.as_deref() == Some(event.id.as_str()) {
                continue;
            }
            let payload: Value = serde_json::from_slice(&event.payload).unwrap_or(Value::Null);
            let passed = match &condition {
                Some(condition) => {
                    condition
                        .evaluate(&payload, &self.connection_value(&event.connection_id))
                        .passed
                }
                None => true,
            };
            if passed {
                let output = json!({"event_id": event.id, "event": payload});
                journal.completed(None, &output)?;
                return Ok(Outcome::Done);
            }
        }
        // More may be stored already: look again at once rather than after the poll.
        let full = events.len() == EVENTS_PER_LOOK as usize;
        if now >= until && !full {
            let output = json!({"timed_out": true, "waited_until": until});
            return match params.on_timeout {
                OnTimeout::Fail => journal.failed(
                    Some(&output),
                    &format!(
                        "no matching `{}` event came within {} s",
                        params.event, params.timeout_seconds
                    ),
                ),
                OnTimeout::Continue => {
                    journal.completed(None, &output)?;
                    Ok(Outcome::Done)
                }
            };
        }
        let input = json!({"after": after, "until": until}).to_string();
        automation_runs::record_step(tx, &journal.entry("waiting", Some(&input), None, None))?;
        Ok(Outcome::Wait(Some(match full {
            true => now,
            false => until.min(now + WAIT_POLL_MS),
        })))
    }
}
