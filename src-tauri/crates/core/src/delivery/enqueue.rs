//! Outbound delivery (SPEC §6): queueing an event for a connection's action. The scopes the
//! action needs are checked first (a missing one is refused with its name, nothing queued),
//! then the connection's field mapping makes the request, and the delivery and its outbox row
//! are written in one transaction. The worker (`delivery::worker`) attempts it with the delivery
//! id as idempotency key on every attempt; a paused connection's deliveries stay in the outbox,
//! held, until it resumes.

use crate::access::{self, Target};
use crate::delivery::worker::LEASE_MS;
pub use crate::delivery::worker::{WorkerReport, DELIVERIES_PER_PASS};
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::random_bits;
use crate::{delivery::field_mapping, kernel::ids, Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_catalog::AuthFlow;
use sgen_store::delivery_writes::NewDelivery;
use sgen_store::model::{ConnectionState, DeliveryStatus};
use sgen_store::outbox;
use ts_rs::TS;

/// An event for a connection's action, as the site (or an operator's test) gives it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OutboundEvent {
    /// The part of the site it comes from (`commerce`, `newsletter`).
    pub originating_module: String,
    /// What it is about (`order.paid ord_1042`), searchable in the delivery log.
    pub event_identifier: String,
    /// The event's fields: the request body as they are, or what the connection's field
    /// mapping for the action makes of them. The body's top-level fields also fill the
    /// action's path (`{list_id}`).
    #[ts(type = "Record<string, unknown>")]
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Enqueued {
    pub delivery_id: String,
    /// The connection is paused: the delivery waits for it to resume.
    pub held: bool,
}

/// An event queued and the delivery pass that followed it at once.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Sent {
    pub queued: Enqueued,
    pub round: WorkerReport,
}

/// The largest request an event may become: far above any vendor action's body, and a bound on
/// what one outbox row holds.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

impl Core {
    /// Queues the event; the delivery worker is woken to attempt it.
    pub fn send_event(
        &self,
        connection_id: &str,
        action_id: &str,
        event: OutboundEvent,
    ) -> CoreResult<Enqueued> {
        self.authorize(
            access::Operation::SendEvent,
            Target::Connection(connection_id),
        )?;
        let (queued, _) = self.queue_event(connection_id, action_id, event, false)?;
        Ok(queued)
    }

    /// Queues the event and attempts it right away, so the person who sent it sees its first
    /// attempt (the CLI, the window's "send test event").
    pub fn send_event_now(
        &self,
        connection_id: &str,
        action_id: &str,
        event: OutboundEvent,
    ) -> CoreResult<Sent> {
        self.authorize(
            access::Operation::SendEvent,
            Target::Connection(connection_id),
        )?;
        let (queued, round) = self.queue_event(connection_id, action_id, event, true)?;
        Ok(Sent { queued, round })
    }

    /// An operator's retry, attempted at once.
    pub fn retry_delivery_now(&self, delivery_id: &str) -> CoreResult<WorkerReport> {
        self.authorize(access::Operation::RetryDelivery, Target::App)?;
        let leased = self.requeue(delivery_id, true)?;
        self.attempt_leased(leased)
    }

    /// Writes the delivery and its outbox row; then either attempts it here (`attempt_now`,
    /// leased in the same transaction so no worker takes it first) or wakes the worker.
    fn queue_event(
        &self,
        connection_id: &str,
        action_id: &str,
        event: OutboundEvent,
        attempt_now: bool,
    ) -> CoreResult<(Enqueued, WorkerReport)> {
        let prepared = self.prepare_delivery(connection_id, action_id, &event, None)?;
        let now = self.now();
        let delivery_id = ids::time_ordered_id("dlv", now, random_bits()?);
        let leased = self.write(|tx| {
            enqueue_prepared(tx, &prepared, &delivery_id, now)?;
            Ok(match attempt_now {
                true => outbox::claim_one(tx, &delivery_id, now, LEASE_MS)?,
                false => None,
            })
        })?;
        let round = match attempt_now {
            true => self.attempt_leased(leased)?,
            false => {
                self.delivery.bell.ring();
                WorkerReport::default()
            }
        };
        let queued = Enqueued {
            delivery_id,
            held: prepared.held,
        };
        Ok((queued, round))
    }

    /// Checks an event for a connection's action and makes its request: the action exists,
    /// the connection holds the scopes it needs and a credential, and the field mapping (the
    /// one given, else the connection's own for the action) finds every field it names.
    pub(crate) fn prepare_delivery(
        &self,
        connection_id: &str,
        action_id: &str,
        event: &OutboundEvent,
        mapping: Option<&field_mapping::ActionMapping>,
    ) -> CoreResult<PreparedDelivery> {
        let record = self.record(connection_id)?;
        let manifest = self.manifest(&record.connector_type)?;
        let action = manifest
            .actions
            .iter()
            .find(|a| a.id == action_id)
            .ok_or_else(|| {
                let offered: Vec<&str> = manifest.actions.iter().map(|a| a.id.as_str()).collect();
                CoreError::invalid(format!(
                    "{} has no action `{action_id}` (it has {})",
                    manifest.display_name,
                    offered.join(", ")
                ))
            })?;
        if !event.payload.is_object() {
            return Err(CoreError::invalid(
                "the event's payload must be a JSON object",
            ));
        }
        for (what, text) in [
            ("originating module", &event.originating_module),
            ("event identifier", &event.event_identifier),
        ] {
            if text.trim().is_empty() || text.chars().count() > 200 {
                return Err(CoreError::invalid(format!(
                    "the {what} must be 1 to 200 characters"
                )));
            }
        }
        // Scopes gate work (SPEC §4): only OAuth grants carry scopes to check.
        if record.auth_flow == AuthFlow::Oauth2.as_str() {
            let missing: Vec<String> = action
                .required_scopes
                .iter()
                .filter(|s| !record.scopes_granted.contains(s))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(CoreError::ScopeMissing {
                    action: action.label.clone(),
                    missing,
                });
            }
        }
        if !record.has_credential {
            return Err(CoreError::invalid(
                "the connection holds no credential; connect it again",
            ));
        }
        // The connection's field mapping for the action makes the request from the event.
        let own = field_mapping::for_action(&record.field_mapping, action_id);
        let payload = match mapping.or(own.as_ref()) {
            Some(mapping) => {
                field_mapping::apply(mapping, &event.payload).map_err(CoreError::InvalidArgument)?
            }
            None => event.payload.clone(),
        }
        .to_string();
        if payload.len() > MAX_REQUEST_BYTES {
            return Err(CoreError::PayloadTooLarge {
                size: payload.len(),
                limit: MAX_REQUEST_BYTES,
            });
        }
        Ok(PreparedDelivery {
            connection_id: connection_id.to_string(),
            environment_id: record.environment_id,
            action_id: action_id.to_string(),
            originating_module: event.originating_module.trim().to_string(),
            event_identifier: event.event_identifier.trim().to_string(),
            payload,
            held: record.state == ConnectionState::Paused,
        })
    }
}

/// A delivery checked and its request made, to be queued in the caller's transaction.
#[derive(Debug, Clone)]
pub(crate) struct PreparedDelivery {
    pub(crate) connection_id: String,
    pub(crate) environment_id: i64,
    pub(crate) action_id: String,
    pub(crate) originating_module: String,
    pub(crate) event_identifier: String,
    /// The request body, as it will be sent.
    pub(crate) payload: String,
    /// The connection is paused: the delivery waits for it to resume.
    pub(crate) held: bool,
}

/// Writes the delivery and its outbox row in `tx`.
pub(crate) fn enqueue_prepared(
    tx: &crate::kernel::write::Tx<'_, '_>,
    prepared: &PreparedDelivery,
    delivery_id: &str,
    now: i64,
) -> CoreResult<()> {
    outbox::enqueue(
        tx,
        &NewDelivery {
            id: delivery_id,
            connection_id: &prepared.connection_id,
            environment_id: prepared.environment_id,
            originating_module: &prepared.originating_module,
            event_identifier: &prepared.event_identifier,
            action: Some(&prepared.action_id),
            status: DeliveryStatus::Pending,
            created_at: now,
        },
        &prepared.payload,
        now,
    )?;
    tx.publish(CoreEvent::DeliveryQueued {
        delivery_id: delivery_id.to_string(),
        connection_id: prepared.connection_id.clone(),
    });
    Ok(())
}
