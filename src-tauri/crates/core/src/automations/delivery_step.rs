//! A step that queues a delivery (a connector action, a webhook's message): the delivery and the
//! step "waiting on it" are one transaction, so a kill never queues it twice; the step is done
//! once the outbox delivers it and fails with it. A dry run records the request it would have
//! queued (connection, action, body after the field mapping, idempotency key) and the HTTP
//! request an attempt would send (method, URL, headers, the credential redacted) instead.

use crate::automations::definition::{AutomationDefinition, DeliveryParams};
use crate::automations::stepping::{Journal, Outcome};
use crate::delivery::enqueue::{enqueue_prepared, OutboundEvent};
use crate::kernel::ids::sequential_id;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::automation_runs::{self, StepEntry};

/// How soon a run waiting on a delivery looks at it again if nothing wakes it first: the
/// delivery's end wakes it (`wake_waiting_on_delivery`, in the commit that records it), so
/// this is only a backstop, and thousands of runs waiting on deliveries are not looked at
/// every second.
const DELIVERY_POLL_MS: i64 = 60_000;

impl Core {
    /// Queues the step's delivery and records the step waiting on it, in one transaction; a
    /// dry run records the request it would have queued instead.
    pub(super) fn queue_step_delivery(
        &self,
        journal: &Journal<'_, '_, '_>,
        definition: &AutomationDefinition,
        params: &DeliveryParams,
        event: &Value,
    ) -> CoreResult<Outcome> {
        let (run, now, tx) = (journal.run, journal.now, journal.tx);
        let outbound = OutboundEvent {
            originating_module: "automation".into(),
            event_identifier: format!("{} {}", definition.name, run.id),
            payload: match event {
                Value::Object(_) => event.clone(),
                other => json!({ "event": other }),
            },
        };
        let prepared = match self.prepare_delivery(
            &params.connection,
            &params.action,
            &outbound,
            params.mapping.as_ref(),
        ) {
            Ok(prepared) => prepared,
            // The event cannot become this request (a mapped field is missing, a scope is not
            // held): the step fails, saying why.
            Err(
                e @ (CoreError::InvalidArgument(_)
                | CoreError::ScopeMissing { .. }
                | CoreError::PayloadTooLarge { .. }
                | CoreError::NotFound { .. }),
            ) => return journal.failed(None, &e.to_string()),
            Err(e) => return Err(e),
        };
        // In the order runs queue them (held runs released together keep their events' order
        // in the outbox too).
        let delivery_id = sequential_id("dlv", now);
        let mut request = json!({
            "connection": params.connection,
            "action": params.action,
            "body": serde_json::from_str::<Value>(&prepared.payload).unwrap_or(Value::Null),
            "idempotency_key": delivery_id,
        });
        if run.dry_run {
            // The exact request, its credential redacted; one that could not be made says why.
            request["request"] = match self.would_send(&prepared, &delivery_id) {
                Ok(http) => http,
                Err(why) => json!({ "not_sendable": why }),
            };
        }
        let request = request.to_string();
        if run.dry_run {
            journal.completed(
                Some(&request),
                &json!({"dry_run": true, "would_send": true}),
            )?;
            return Ok(Outcome::Done);
        }
        enqueue_prepared(tx, &prepared, &delivery_id, now)?;
        automation_runs::record_step(
            tx,
            &StepEntry {
                delivery_id: Some(&delivery_id),
                ..journal.entry("waiting", Some(&request), None, None)
            },
        )?;
        Ok(Outcome::Queued(now + DELIVERY_POLL_MS))
    }

    /// A step waiting on its delivery: done once delivered, failed once the delivery failed
    /// for good, else waiting still.
    pub(super) fn delivery_step_outcome(
        &self,
        journal: &Journal<'_, '_, '_>,
        delivery_id: &str,
    ) -> CoreResult<Outcome> {
        let status = sgen_store::delivery_writes::status(journal.tx, delivery_id)?;
        let error = match status.as_deref() {
            Some("delivered") => None,
            Some("failed" | "dead_letter") => Some(format!(
                "delivery {delivery_id} failed: see the delivery log"
            )),
            Some(_) => return Ok(Outcome::Wait(Some(journal.now + DELIVERY_POLL_MS))),
            None => Some(format!("delivery {delivery_id} is gone")),
        };
        let output = json!({ "delivery_id": delivery_id, "status": status });
        match error {
            None => {
                journal.completed(None, &output)?;
                Ok(Outcome::Done)
            }
            Some(error) => journal.failed(Some(&output), &error),
        }
    }
}
