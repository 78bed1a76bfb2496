//! Dependency posture (SPEC §7, seed 000 example 3): when a connection an active automation
//! depends on becomes unhealthy (or its credentials expire), the automation pauses itself,
//! saying why, and a high-priority alert is raised; the events that would have started it are
//! kept as held runs. When the connection recovers, the automation resumes and its held runs go
//! on in the order their events came. Automations started by connection-state events are not
//! paused: they are how an operator hears of the trouble. The operator can drain the held runs
//! (run them now) or discard them.

use crate::access::{self, Target};
use crate::inbound::connection_events::{CREDENTIALS_EXPIRED, RESTORED, UNHEALTHY};
use crate::kernel::events::CoreEvent;
use crate::kernel::notifications::raise;
use crate::kernel::write::Tx;
use crate::{Core, CoreResult};
use serde_json::Value;
use sgen_store::automation_runs;
use sgen_store::automations;
use sgen_store::inbound_events::LoggedEvent;
use sgen_store::model::ConnectionState;
use sgen_store::notifications::NewNotification;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Posture {
    /// The connection is in trouble: its dependants pause.
    Unhealthy,
    /// It recovered: the automations paused for it resume.
    Restored,
}

impl Posture {
    pub(super) fn of(event_type: &str) -> Option<Posture> {
        match event_type {
            UNHEALTHY | CREDENTIALS_EXPIRED => Some(Posture::Unhealthy),
            RESTORED => Some(Posture::Restored),
            _ => None,
        }
    }
}

/// Applies a connection-state event to the automations that depend on its connection.
pub(super) fn apply(
    core: &Core,
    tx: &Tx<'_, '_>,
    posture: Posture,
    event: &LoggedEvent,
    now: i64,
) -> CoreResult<()> {
    let payload: Value = serde_json::from_slice(&event.payload).unwrap_or(Value::Null);
    let connection = &event.connection_id;
    let name = payload["connection"]["display_name"]
        .as_str()
        .unwrap_or(connection)
        .to_string();
    match posture {
        Posture::Unhealthy => {
            let cause = payload["cause"].as_str().unwrap_or("no reason given");
            for id in automations::depending_on(tx, connection)? {
                let Some(record) = automations::get(tx, &id)? else {
                    continue;
                };
                if record.trigger_key.starts_with("event:connection.") {
                    continue;
                }
                let reason = format!("{name} is unhealthy ({cause}): its events are kept");
                if automations::pause_for(tx, &id, connection, &reason, now)? {
                    raise(
                        tx,
                        &NewNotification {
                            environment_id: Some(record.environment_id),
                            priority: "high",
                            title: &format!("Automation paused: {}", record.name),
                            body: &format!(
                                "{name} is unhealthy ({cause}). Events for it are kept and run \
                                 in order once {name} recovers."
                            ),
                            subject: Some(&format!("automation:{id}")),
                            now,
                        },
                    )?;
                    tx.publish(CoreEvent::AutomationsChanged);
                }
            }
        }
        Posture::Restored => {
            for record in automations::paused_for(tx, connection)? {
                // Another connection it depends on may still be in trouble: it stays paused,
                // for that one.
                if let Some(other) = core.unhealthy_dependency(tx, &record.id, connection)? {
                    let reason = format!("{other} is unhealthy: its events are kept");
                    automations::set_status(tx, &record.id, "active", None, now)?;
                    automations::pause_for(tx, &record.id, &other, &reason, now)?;
                    continue;
                }
                automations::set_status(tx, &record.id, "active", None, now)?;
                let released = automation_runs::release_held(tx, &record.id, now)?;
                raise(
                    tx,
                    &NewNotification {
                        environment_id: Some(record.environment_id),
                        priority: "normal",
                        title: &format!("Automation resumed: {}", record.name),
                        body: &format!(
                            "{name} recovered; {released} kept event(s) now run, in order."
                        ),
                        subject: Some(&format!("automation:{}", record.id)),
                        now,
                    },
                )?;
                tx.publish(CoreEvent::AutomationsChanged);
                tx.publish(CoreEvent::RunsChanged);
            }
        }
    }
    Ok(())
}

/// What the operator does with the runs kept while an automation is paused for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HeldRuns {
    /// Run them now, though the connection has not recovered.
    Drain,
    /// Drop them.
    Discard,
}

impl Core {
    /// Drains or discards an automation's held runs; returns how many.
    pub fn handle_held_runs(&self, automation_id: &str, action: HeldRuns) -> CoreResult<usize> {
        self.authorize(access::Operation::HandleHeldRuns, Target::App)?;
        match action {
            HeldRuns::Drain => self.drain_held_runs(automation_id),
            HeldRuns::Discard => self.discard_held_runs(automation_id),
        }
    }

    /// A connection, other than `except`, that the automation depends on and is in trouble.
    fn unhealthy_dependency(
        &self,
        tx: &Tx<'_, '_>,
        automation_id: &str,
        except: &str,
    ) -> CoreResult<Option<String>> {
        let mut statement = tx.prepare_cached(
            "SELECT connection_id FROM automation_dependencies WHERE automation_id = ?1",
        )?;
        let dependencies = statement
            .query_map([automation_id], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        for id in dependencies.into_iter().filter(|id| id != except) {
            let Ok(record) = self.record(&id) else {
                continue;
            };
            if matches!(
                record.state,
                ConnectionState::Error
                    | ConnectionState::AuthExpired
                    | ConnectionState::AuthRevoked
            ) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// The operator runs an automation's held runs now, though the connection it was paused
    /// for has not recovered (their deliveries wait in the outbox, retrying); returns how many.
    fn drain_held_runs(&self, automation_id: &str) -> CoreResult<usize> {
        self.automation_record(automation_id)?;
        let now = self.now();
        self.write(|tx| {
            let released = automation_runs::release_held(tx, automation_id, now)?;
            tx.publish(CoreEvent::RunsChanged);
            tx.publish(CoreEvent::AutomationsChanged);
            Ok(released)
        })
    }

    /// The operator drops an automation's held runs (they are cancelled, saying so); returns
    /// how many.
    fn discard_held_runs(&self, automation_id: &str) -> CoreResult<usize> {
        self.automation_record(automation_id)?;
        let operator = self.acting_operator()?;
        let now = self.now();
        self.write(|tx| {
            let reason = format!("discarded by {} while held", operator.name);
            let discarded = automation_runs::discard_held(tx, automation_id, &reason, now)?;
            tx.publish(CoreEvent::RunsChanged);
            tx.publish(CoreEvent::AutomationsChanged);
            Ok(discarded)
        })
    }
}
