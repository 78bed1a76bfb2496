//! `deliveries …`: the log, sending, retries (one or a filtered set), the triage queue and
//! retention.

use crate::args::delivery::DeliveriesCommand;
use crate::output;
use crate::output::out;
use crate::time_bounds::Now;
use sgen_core::delivery::enqueue::DELIVERIES_PER_PASS;
use sgen_core::{Access, Core, CoreError};
use std::path::Path;

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: DeliveriesCommand,
) -> Result<(), CoreError> {
    match command {
        DeliveriesCommand::Query(args) => {
            let core = open(Access::ReadOnly)?;
            let scope = args.filter.scope.resolve(&core)?;
            let query = args.to_query(&Now::system())?;
            output::deliveries(&core.deliveries(&scope, &query)?, args.json)
        }
        DeliveriesCommand::Send {
            connection,
            action,
            event,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let event = read_event(&event)?;
            output::sent(&core.send_event_now(&connection, &action, event)?, json)
        }
        DeliveriesCommand::Retry {
            delivery: Some(delivery),
            filter,
            json,
        } => {
            if filter.outcome.is_some() {
                return Err(CoreError::invalid(
                    "give a delivery id or --outcome with filters, not both",
                ));
            }
            let core = open(Access::ReadWrite)?;
            output::delivery_round(&core.retry_delivery_now(&delivery)?, json)
        }
        DeliveriesCommand::Retry {
            delivery: None,
            filter,
            json,
        } => {
            let outcome = filter.outcome.clone().ok_or_else(|| {
                CoreError::invalid("give a delivery id, or --outcome failed|retried with filters")
            })?;
            let core = open(Access::ReadWrite)?;
            let scope = filter.scope.resolve(&core)?;
            let filter = filter.to_retry_filter(&outcome, &Now::system())?;
            let bulk = core.retry_deliveries(&scope, &filter, |done, total| {
                if !json {
                    eprint!("\rre-queued {done}/{total}");
                }
            })?;
            if !json {
                eprintln!();
            }
            // Then attempted, pass by pass, so the operator sees how it went.
            let mut total = sgen_core::delivery::enqueue::WorkerReport::default();
            loop {
                let round = core.deliver_due(DELIVERIES_PER_PASS)?;
                total.attempted += round.attempted;
                total.delivered += round.delivered;
                total.retrying += round.retrying;
                total.dead_lettered += round.dead_lettered;
                total.gone += round.gone;
                if !json {
                    eprint!("\rattempted {}/{}", total.attempted, bulk.requeued);
                }
                if round.attempted < DELIVERIES_PER_PASS {
                    break;
                }
            }
            if !json {
                eprintln!();
            }
            output::bulk_retry(&bulk, &total, json)
        }
        DeliveriesCommand::DeadLetters { scope, json } => {
            let core = open(Access::ReadOnly)?;
            let scope = scope.resolve(&core)?;
            output::triage(&core.triage_queue(&scope)?, json)
        }
        DeliveriesCommand::Run { json } => {
            let core = open(Access::ReadWrite)?;
            output::delivery_round(&core.deliver_due(DELIVERIES_PER_PASS)?, json)
        }
        DeliveriesCommand::Purge { json } => {
            let core = open(Access::ReadWrite)?;
            let purged = core.purge_delivery_log()?;
            let days = core.delivery_log_retention_days()?;
            if json {
                return output::json(
                    &serde_json::json!({"purged": purged, "retention_days": days}),
                );
            }
            out!("purged {purged} attempt(s) older than {days} days");
            Ok(())
        }
    }
}

/// An event from a JSON file, or stdin for `-`.
fn read_event(path: &Path) -> Result<sgen_core::delivery::enqueue::OutboundEvent, CoreError> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| CoreError::invalid(format!("cannot read the event {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        CoreError::invalid(format!(
            "the event is not {{\"originating_module\", \"event_identifier\", \"payload\"}} JSON: {e}"
        ))
    })
}
