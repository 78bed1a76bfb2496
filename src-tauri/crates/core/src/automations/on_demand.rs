//! Runs an operator starts (SPEC §7): a manual trigger's run with the input the operator gives,
//! and a dry run on demand — any automation, against an event the operator gives (a recorded
//! one, or a sample), evaluated and stepped through now, doing nothing: each step records what
//! it would have done (a delivery's request, with its idempotency key). Dry runs are marked as
//! such wherever runs are shown.

use crate::access::{self, Target};
use crate::automations::definition::{AutomationStatus, MANUAL};
use crate::automations::runs::RunDetail;
use crate::automations::triggering::{judged, unprompted_run};
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::sequential_id;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs;

impl Core {
    /// Dry-runs the automation's current version against `event` (as if it came from
    /// `connection_id`, else from the trigger's connection).
    pub fn dry_run_automation(
        &self,
        id: &str,
        event: &Value,
        connection_id: Option<&str>,
    ) -> CoreResult<RunDetail> {
        self.authorize(access::Operation::DryRunAutomation, Target::App)?;
        self.start_now(id, event, connection_id, true)
    }

    /// Starts a manual automation's run with `input` now (a draft's is a dry run); a paused or
    /// archived one is not started.
    pub fn run_automation_now(&self, id: &str, input: &Value) -> CoreResult<RunDetail> {
        self.authorize(access::Operation::RunAutomation, Target::App)?;
        let record = self.automation_record(id)?;
        let definition = self.automation_version(id, record.version)?;
        if definition.trigger.event != MANUAL {
            return Err(CoreError::invalid(format!(
                "`{}` starts on `{}`, not by hand: dry-run it against an event instead",
                record.name, definition.trigger.event
            )));
        }
        let dry_run = match AutomationStatus::parse(&record.status) {
            Some(AutomationStatus::Active) => false,
            Some(AutomationStatus::Draft) => true,
            _ => {
                return Err(CoreError::invalid(format!(
                    "`{}` is {}: activate it to run it",
                    record.name, record.status
                )))
            }
        };
        self.start_now(id, input, None, dry_run)
    }

    fn start_now(
        &self,
        id: &str,
        input: &Value,
        connection_id: Option<&str>,
        dry_run: bool,
    ) -> CoreResult<RunDetail> {
        let record = self.automation_record(id)?;
        let checked = self.checked_version(id, record.version)?;
        if !input.is_object() {
            return Err(CoreError::invalid("the input must be a JSON object"));
        }
        let connection = connection_id.or(checked.definition.trigger.connection.as_deref());
        let described = match connection {
            Some(id) => {
                self.record(id)?;
                self.connection_value(id)
            }
            None => json!({}),
        };
        let (status, explain) = judged(checked.condition.as_ref(), input, &described);
        let now = self.now();
        let run_id = sequential_id("run", now);
        let input = input.to_string();
        self.write(|tx| {
            let judged = (status, explain.as_deref());
            automation_runs::insert(
                tx,
                &unprompted_run(&record, &run_id, &input, judged, dry_run, now),
            )?;
            tx.publish(CoreEvent::RunsChanged);
            Ok(())
        })?;
        if status == "running" {
            self.advance_one(&run_id)?;
        }
        self.run(&run_id)
    }
}
