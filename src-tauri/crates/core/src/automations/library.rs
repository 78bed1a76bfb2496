//! Saving automations (each change a new version, checked against the app: the connections and
//! actions it names exist in its site environment), listing them, exporting them in seed 004's
//! shape, and changing their status.

use crate::access::{self, Target};
use crate::automations::definition::{
    self, ActionKind, AutomationDefinition, AutomationStatus, Checked, DefinitionProblem, MANUAL,
    SCHEDULE,
};
use crate::inbound::connection_events::CONNECTION_EVENT_TYPES;
use crate::kernel::ids::{random_bits, time_ordered_id};
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::automation_runs;
use sgen_store::automations::{self, AutomationRecord, NewVersion};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AutomationSummary {
    pub id: String,
    pub name: String,
    pub status: AutomationStatus,
    /// Why the app paused it (a connection it depends on is unhealthy).
    pub status_reason: Option<String>,
    #[ts(type = "number")]
    pub version: i64,
    /// What starts it (`payment_intent.succeeded`, `schedule`, `manual`).
    pub trigger_event: String,
    #[ts(type = "number")]
    pub updated_at: i64,
    /// A scheduled one's next firing.
    #[ts(type = "number | null")]
    pub next_fire_at: Option<i64>,
    /// Runs kept while it is paused for a connection, waiting for it to recover.
    #[ts(type = "number")]
    pub held_runs: i64,
    /// Its latest run (not a dry run): when it started and how it went.
    #[ts(type = "number | null")]
    pub last_run_at: Option<i64>,
    pub last_run_status: Option<String>,
    /// Of its last 100 finished runs (dry runs and skipped ones aside), the share that
    /// completed; none before it has finished one.
    pub success_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AutomationDetail {
    pub summary: AutomationSummary,
    pub definition: AutomationDefinition,
    /// The conditions as CEL, as the builder shows them.
    pub cel: Option<String>,
    /// The connections its trigger and actions name.
    pub dependencies: Vec<String>,
}

/// A definition checked without saving it: what the builder shows as the operator edits.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DefinitionCheck {
    /// The conditions as CEL, when they compile.
    pub cel: Option<String>,
    /// Every problem found (empty: it would save).
    pub problems: Vec<DefinitionProblem>,
}

/// The definition refused, with every problem found.
fn refused(problems: Vec<DefinitionProblem>) -> CoreError {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    CoreError::invalid(format!(
        "the automation was not saved: {}",
        lines.join("; ")
    ))
}

impl Core {
    /// Saves an automation read from JSON: a new one, or (with `id`) a new version of one.
    pub fn save_automation(
        &self,
        scope: &SiteEnvironment,
        id: Option<&str>,
        json: &str,
    ) -> CoreResult<AutomationSummary> {
        let operator = self.authorize(access::Operation::SaveAutomation, Target::App)?;
        let checked = definition::check(json).map_err(refused)?;
        let environment_id = self.environment_id(scope)?;
        let dependencies = self.check_names(environment_id, &checked.definition)?;
        let now = self.now();
        let id = match id {
            Some(id) => {
                let existing = self.automation_record(id)?;
                if existing.environment_id != environment_id {
                    return Err(CoreError::invalid(
                        "that automation belongs to another site environment",
                    ));
                }
                id.to_string()
            }
            None => time_ordered_id("aut", now, random_bits()?),
        };
        let definition = &checked.definition;
        let status = definition.status.unwrap_or(AutomationStatus::Draft);
        let stored = serde_json::to_string(definition).expect("a definition serializes");
        let next_fire_at = self.next_fire(definition, now);
        self.write(|tx| {
            automations::save(
                tx,
                &NewVersion {
                    id: &id,
                    environment_id,
                    name: &definition.name,
                    status: status.as_str(),
                    trigger_key: &trigger_key(&definition.trigger.event),
                    definition: &stored,
                    dependencies: &dependencies,
                    saved_by: &operator.id,
                    next_fire_at,
                    now,
                },
            )?;
            tx.publish(crate::kernel::events::CoreEvent::AutomationsChanged);
            Ok(())
        })?;
        self.automation_summary(&id)
    }

    /// Checks a definition as saving it would (the schema, the conditions, what it names in
    /// the site environment) and saves nothing.
    pub fn check_automation(
        &self,
        scope: &SiteEnvironment,
        json: &str,
    ) -> CoreResult<DefinitionCheck> {
        let checked = match definition::check(json) {
            Ok(checked) => checked,
            Err(problems) => {
                return Ok(DefinitionCheck {
                    cel: None,
                    problems,
                })
            }
        };
        let cel = checked.condition.as_ref().map(|c| c.source().to_string());
        let problems = match self.check_names(self.environment_id(scope)?, &checked.definition) {
            Ok(_) => Vec::new(),
            Err(CoreError::InvalidArgument(message)) => vec![DefinitionProblem {
                path: String::new(),
                message,
            }],
            Err(e) => return Err(e),
        };
        Ok(DefinitionCheck { cel, problems })
    }

    pub fn automations(&self, scope: &SiteEnvironment) -> CoreResult<Vec<AutomationSummary>> {
        let environment_id = self.environment_id(scope)?;
        self.store.read(|conn| {
            automations::list(conn, environment_id)?
                .iter()
                .map(|record| summary(conn, record))
                .collect()
        })
    }

    pub(crate) fn automation_summary(&self, id: &str) -> CoreResult<AutomationSummary> {
        let record = self.automation_record(id)?;
        self.store.read(|conn| summary(conn, &record))
    }

    /// When a schedule trigger next fires after `now` (none for other triggers).
    pub(crate) fn next_fire(&self, definition: &AutomationDefinition, now: i64) -> Option<i64> {
        let pattern = definition.trigger.schedule.as_deref()?;
        let cron = definition::schedule(pattern).ok()?;
        let at = chrono::DateTime::from_timestamp_millis(now)?.with_timezone(&chrono::Local);
        let next = cron.find_next_occurrence(&at, false).ok()?;
        Some(next.timestamp_millis())
    }

    pub fn automation(&self, id: &str) -> CoreResult<AutomationDetail> {
        let record = self.automation_record(id)?;
        let definition = self.automation_version(id, record.version)?;
        let dependencies = self.store.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT connection_id FROM automation_dependencies WHERE automation_id = ?1
                 ORDER BY connection_id",
            )?;
            let rows = statement.query_map([id], |row| row.get(0))?;
            rows.collect::<Result<Vec<String>, _>>()
                .map_err(CoreError::from)
        })?;
        Ok(AutomationDetail {
            summary: self.automation_summary(id)?,
            cel: definition.trigger.conditions.as_ref().map(|c| c.to_cel()),
            definition,
            dependencies,
        })
    }

    /// The automation as JSON in seed 004's shape, with its current status: what `import`
    /// takes back.
    pub fn export_automation(&self, id: &str) -> CoreResult<serde_json::Value> {
        let record = self.automation_record(id)?;
        let mut definition = self.automation_version(id, record.version)?;
        definition.status = AutomationStatus::parse(&record.status);
        Ok(serde_json::to_value(definition).expect("a definition serializes"))
    }

    /// Activates, pauses or archives an automation (not a new version: its definition is
    /// unchanged). An archived one is not activated again: import a copy.
    pub fn set_automation_status(
        &self,
        id: &str,
        status: AutomationStatus,
    ) -> CoreResult<AutomationSummary> {
        self.authorize(access::Operation::SetAutomationStatus, Target::App)?;
        let record = self.automation_record(id)?;
        if record.status == AutomationStatus::Archived.as_str() && status != record_status(&record)
        {
            return Err(CoreError::invalid(
                "an archived automation stays archived: export it and import a copy",
            ));
        }
        let now = self.now();
        // A schedule counts from its activation: a paused one does not fire for the time it
        // was paused.
        let definition = self.automation_version(id, record.version)?;
        let next_fire_at = self.next_fire(&definition, now);
        self.write(|tx| {
            automations::set_status(tx, id, status.as_str(), None, now)?;
            automations::set_next_fire(tx, id, next_fire_at)?;
            // Runs kept for a connection go on when the operator activates it (the operator
            // drains them), and are dropped when the operator archives it.
            match status {
                AutomationStatus::Active => {
                    automation_runs::release_held(tx, id, now)?;
                }
                AutomationStatus::Archived => {
                    automation_runs::discard_held(tx, id, "the automation was archived", now)?;
                }
                AutomationStatus::Draft | AutomationStatus::Paused => {}
            }
            tx.publish(crate::kernel::events::CoreEvent::AutomationsChanged);
            tx.publish(crate::kernel::events::CoreEvent::RunsChanged);
            Ok(())
        })?;
        self.automation_summary(id)
    }

    pub(crate) fn automation_record(&self, id: &str) -> CoreResult<AutomationRecord> {
        self.store
            .read(|conn| Ok::<_, CoreError>(automations::get(conn, id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "automation",
                id: id.to_string(),
            })
    }

    /// A saved version's definition.
    pub(crate) fn automation_version(
        &self,
        id: &str,
        version: i64,
    ) -> CoreResult<AutomationDefinition> {
        Ok(self.checked_version(id, version)?.definition)
    }

    /// A saved version read again as it was checked when saved, conditions compiled.
    pub(crate) fn checked_version(&self, id: &str, version: i64) -> CoreResult<Checked> {
        let text = self
            .store
            .read(|conn| Ok::<_, CoreError>(automations::definition(conn, id, version)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "automation version",
                id: format!("{id} v{version}"),
            })?;
        checked_text(&text)
    }

    /// Checks what the definition names exists in the environment; returns the connections it
    /// depends on.
    fn check_names(
        &self,
        environment_id: i64,
        definition: &AutomationDefinition,
    ) -> CoreResult<Vec<String>> {
        let problem =
            |path: String, message: String| refused(vec![DefinitionProblem { path, message }]);
        let mut dependencies = Vec::new();
        let connection =
            |path: &str, id: &str| -> CoreResult<sgen_store::connections::ConnectionRecord> {
                match self.record(id) {
                    Ok(record) if record.environment_id == environment_id => Ok(record),
                    _ => Err(problem(
                        path.into(),
                        format!("no connection `{id}` in this site environment"),
                    )),
                }
            };
        let event = &definition.trigger.event;
        match &definition.trigger.connection {
            Some(id) => {
                let record = connection("/trigger/connection", id)?;
                let types = &self.manifest(&record.connector_type)?.inbound_events.types;
                if !types.contains(event) && !CONNECTION_EVENT_TYPES.contains(&event.as_str()) {
                    return Err(problem(
                        "/trigger/event".into(),
                        format!(
                            "`{}` sends no `{event}` events (it sends {})",
                            record.display_name,
                            types.join(", ")
                        ),
                    ));
                }
                dependencies.push(id.clone());
            }
            None if event == MANUAL || event == SCHEDULE => {}
            None => self.known_event_type(event, "/trigger/event")?,
        }
        for (index, action) in definition.actions.iter().enumerate() {
            let path = format!("/actions/{index}/params");
            match action.kind {
                ActionKind::ConnectorAction | ActionKind::Webhook => {
                    let params: definition::DeliveryParams =
                        serde_json::from_value(action.params.clone())
                            .map_err(|e| problem(path.clone(), e.to_string()))?;
                    let record = connection(&format!("{path}/connection"), &params.connection)?;
                    let manifest = self.manifest(&record.connector_type)?;
                    if !manifest.actions.iter().any(|a| a.id == params.action) {
                        let offered: Vec<&str> =
                            manifest.actions.iter().map(|a| a.id.as_str()).collect();
                        return Err(problem(
                            format!("{path}/action"),
                            format!(
                                "{} has no action `{}` (it has {})",
                                manifest.display_name,
                                params.action,
                                offered.join(", ")
                            ),
                        ));
                    }
                    if !dependencies.contains(&params.connection) {
                        dependencies.push(params.connection);
                    }
                }
                ActionKind::WaitForEvent => {
                    let params: definition::WaitParams =
                        serde_json::from_value(action.params.clone())
                            .map_err(|e| problem(path.clone(), e.to_string()))?;
                    self.known_event_type(&params.event, &format!("{path}/event"))?;
                    if let Some(id) = params.connection {
                        connection(&format!("{path}/connection"), &id)?;
                        if !dependencies.contains(&id) {
                            dependencies.push(id);
                        }
                    }
                }
                ActionKind::Notify | ActionKind::Delay | ActionKind::Task => {}
            }
        }
        Ok(dependencies)
    }

    /// An event type some connector in the catalog sends, or one of the app's own.
    fn known_event_type(&self, event: &str, path: &str) -> CoreResult<()> {
        let known = CONNECTION_EVENT_TYPES.contains(&event)
            || self
                .catalog
                .all()
                .any(|m| m.inbound_events.types.iter().any(|t| t == event));
        match known {
            true => Ok(()),
            false => Err(refused(vec![DefinitionProblem {
                path: path.into(),
                message: format!("no connector in the catalog sends `{event}` events"),
            }])),
        }
    }
}

/// A stored definition, checked; one that no longer reads (only an edit of the database does
/// that) is the app's fault, not the operator's.
pub(crate) fn checked_text(text: &str) -> CoreResult<Checked> {
    definition::check(text).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        CoreError::Internal(format!(
            "a stored automation does not read: {}",
            lines.join("; ")
        ))
    })
}

/// How the store finds the automations an event starts.
pub(crate) fn trigger_key(event: &str) -> String {
    match event {
        MANUAL | SCHEDULE => event.to_string(),
        event => format!("event:{event}"),
    }
}

fn record_status(record: &AutomationRecord) -> AutomationStatus {
    AutomationStatus::parse(&record.status).unwrap_or(AutomationStatus::Draft)
}

fn summary(
    conn: &sgen_store::Connection,
    record: &AutomationRecord,
) -> CoreResult<AutomationSummary> {
    let recent = automation_runs::recent_outcomes(conn, &record.id, 100)?;
    let finished: Vec<&str> = recent
        .iter()
        .map(|(_, status)| status.as_str())
        .filter(|s| matches!(*s, "completed" | "failed" | "cancelled"))
        .collect();
    let completed = finished.iter().filter(|s| **s == "completed").count();
    Ok(AutomationSummary {
        next_fire_at: record.next_fire_at,
        held_runs: automation_runs::held_count(conn, &record.id)?,
        last_run_at: recent.first().map(|(at, _)| *at),
        last_run_status: recent.first().map(|(_, status)| status.clone()),
        success_rate: (!finished.is_empty()).then(|| completed as f64 / finished.len() as f64),
        id: record.id.clone(),
        name: record.name.clone(),
        status: record_status(record),
        status_reason: record.status_reason.clone(),
        version: record.version,
        trigger_event: record
            .trigger_key
            .strip_prefix("event:")
            .unwrap_or(&record.trigger_key)
            .to_string(),
        updated_at: record.updated_at,
    })
}
