//! A dry run on demand (SPEC §7): any automation, against an event the operator gives (a
//! recorded one, or a sample), evaluated and stepped through now, doing nothing — each step
//! records what it would have done (a delivery's request, with its idempotency key). Marked as
//! a dry run wherever runs are shown.

use crate::automations::condition::Verdict;
use crate::automations::runs::RunDetail;
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::sequential_id;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, NewRun};

impl Core {
    /// Dry-runs the automation's current version against `event` (as if it came from
    /// `connection_id`, else from the trigger's connection).
    pub fn dry_run_automation(
        &self,
        id: &str,
        event: &Value,
        connection_id: Option<&str>,
    ) -> CoreResult<RunDetail> {
        let record = self.automation_record(id)?;
        let checked = self.checked_version(id, record.version)?;
        if !event.is_object() {
            return Err(CoreError::invalid("the event must be a JSON object"));
        }
        let connection = connection_id.or(checked.definition.trigger.connection.as_deref());
        let described = match connection {
            Some(id) => {
                self.record(id)?;
                self.connection_value(id)
            }
            None => json!({}),
        };
        let verdict = match &checked.condition {
            Some(condition) => condition.evaluate(event, &described),
            None => Verdict {
                passed: true,
                error: None,
                trace: Vec::new(),
            },
        };
        let now = self.now();
        let run_id = sequential_id("run", now);
        let explain = (!verdict.passed)
            .then(|| serde_json::to_string(&verdict).expect("a verdict serializes"));
        let input = event.to_string();
        self.write(|tx| {
            automation_runs::insert(
                tx,
                &NewRun {
                    id: &run_id,
                    automation_id: id,
                    environment_id: record.environment_id,
                    version: record.version,
                    status: if verdict.passed { "running" } else { "skipped" },
                    dry_run: true,
                    event_id: None,
                    input: &input,
                    explain: explain.as_deref(),
                    now,
                },
            )?;
            tx.publish(CoreEvent::RunsChanged);
            Ok(())
        })?;
        if verdict.passed {
            let run = self
                .store
                .read(|conn| Ok::<_, CoreError>(automation_runs::get(conn, &run_id)?))?
                .expect("written above");
            let _one_at_a_time = self
                .automations
                .pass
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            self.advance_run(&run)?;
        }
        self.run(&run_id)
    }
}
