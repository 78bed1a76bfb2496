//! Scheduled automations (SPEC §7): a cron pattern (the `croner` crate, local time) says when
//! one fires; each firing is a run whose input says when it was due. The app runs automations
//! only while it is open: a schedule that came due while it was closed fires once when it
//! opens (not once per missed firing), then counts on from then.

use crate::automations::library::checked_text;
use crate::automations::triggering::{judged, unprompted_run};
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::sequential_id;
use crate::{Core, CoreError, CoreResult};
use serde_json::json;
use sgen_store::automation_runs;
use sgen_store::automations;

impl Core {
    /// Starts the runs of the schedules that are due; returns how many fired.
    pub(crate) fn start_scheduled_runs(&self) -> CoreResult<usize> {
        let now = self.now();
        let due = self
            .store
            .read(|conn| Ok::<_, CoreError>(automations::due_schedules(conn, now)?))?;
        if due.is_empty() {
            return Ok(0);
        }
        let mut fired = Vec::new();
        for (record, text) in due {
            let checked = match checked_text(&text) {
                Ok(checked) => checked,
                Err(e) => {
                    tracing::error!(automation = %record.id, error = %e, "a stored automation does not read");
                    fired.push((record, None, None));
                    continue;
                }
            };
            let input = json!({
                "type": "schedule",
                "schedule": checked.definition.trigger.schedule,
                "due_at": record.next_fire_at,
                "fired_at": now,
            });
            let (status, explain) = judged(checked.condition.as_ref(), &input, &json!({}));
            let next = self.next_fire(&checked.definition, now);
            fired.push((record, Some((input, status, explain)), next));
        }
        self.write(|tx| {
            for (record, run, next) in &fired {
                // One that does not read stops firing rather than failing every minute.
                automations::set_next_fire(tx, &record.id, *next)?;
                let Some((input, status, explain)) = run else {
                    continue;
                };
                let (id, input) = (sequential_id("run", now), input.to_string());
                let judged = (*status, explain.as_deref());
                let dry_run = record.status == "draft";
                automation_runs::insert(
                    tx,
                    &unprompted_run(record, &id, &input, judged, dry_run, now),
                )?;
            }
            tx.publish(CoreEvent::RunsChanged);
            tx.publish(CoreEvent::AutomationsChanged);
            Ok(())
        })?;
        Ok(fired.len())
    }
}
