//! Outbound delivery (SPEC §6). Sending an event to a connection's action writes the delivery
//! and its outbox row in one transaction, after the scopes the action needs are checked: a
//! missing scope is refused with its name and nothing is queued. `deliver_due` leases due
//! deliveries, attempts each with the connection's credential (the delivery id is the
//! idempotency key on every attempt), and records the attempt with the delivery's new state in
//! one transaction. A paused connection's deliveries stay in the outbox, held, until it resumes;
//! a worker that dies mid-attempt leaves a lease that runs out, and the delivery is attempted
//! again with the same id.

use crate::ids::random_bits;
use crate::retry_policy::{parse_retry_after, AttemptResult, RetryPolicy};
use crate::vendor_http::{self, Outgoing, DELIVERY_TIMEOUT};
use crate::{ids, Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_catalog::AuthFlow;
use sgen_store::delivery_writes::{NewAttempt, NewDelivery};
use sgen_store::model::{AttemptTrigger, ConnectionState, DeliveryStatus, Outcome};
use sgen_store::outbox::{self, AfterAttempt, Claimed};
use std::time::Instant;
use ts_rs::TS;

/// Deliveries one pass attempts at most (the app's worker and the CLI).
pub const DELIVERIES_PER_PASS: u32 = 200;
/// Longer than an attempt may take, so a live worker never loses its lease.
const LEASE_MS: i64 = 2 * DELIVERY_TIMEOUT.as_millis() as i64;

/// An event for a connection's action, as the site (or an operator's test) gives it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OutboundEvent {
    /// The part of the site it comes from (`commerce`, `newsletter`).
    pub originating_module: String,
    /// What it is about (`order.paid ord_1042`), searchable in the delivery log.
    pub event_identifier: String,
    /// The request body; its top-level fields also fill the action's path (`{list_id}`).
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
    pub round: DeliveryRound,
}

/// What one pass over the due deliveries did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeliveryRound {
    pub attempted: u32,
    pub delivered: u32,
    pub retrying: u32,
    pub dead_lettered: u32,
    /// The destination answered 410 Gone.
    pub gone: u32,
}

impl Core {
    pub fn send_event(
        &self,
        connection_id: &str,
        action_id: &str,
        event: OutboundEvent,
    ) -> CoreResult<Enqueued> {
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
        let now = self.now();
        let delivery_id = ids::time_ordered_id("dlv", now, random_bits()?);
        let payload = event.payload.to_string();
        self.store.write(|tx| {
            outbox::enqueue(
                tx,
                &NewDelivery {
                    id: &delivery_id,
                    connection_id,
                    environment_id: record.environment_id,
                    originating_module: event.originating_module.trim(),
                    event_identifier: event.event_identifier.trim(),
                    action: Some(action_id),
                    status: DeliveryStatus::Pending,
                    created_at: now,
                },
                &payload,
                now,
            )?;
            Ok::<_, CoreError>(())
        })?;
        Ok(Enqueued {
            delivery_id,
            held: record.state == ConnectionState::Paused,
        })
    }

    /// Queues the event and makes a delivery pass right away, so the person who sent it sees
    /// its first attempt (the CLI, the window's "send test event").
    pub fn send_event_now(
        &self,
        connection_id: &str,
        action_id: &str,
        event: OutboundEvent,
    ) -> CoreResult<Sent> {
        let queued = self.send_event(connection_id, action_id, event)?;
        let round = self.deliver_due(DELIVERIES_PER_PASS)?;
        Ok(Sent { queued, round })
    }

    /// An operator's retry, attempted at once.
    pub fn retry_delivery_now(&self, delivery_id: &str) -> CoreResult<DeliveryRound> {
        self.retry_delivery(delivery_id)?;
        self.deliver_due(DELIVERIES_PER_PASS)
    }

    /// Attempts up to `limit` due deliveries, one after another.
    pub fn deliver_due(&self, limit: u32) -> CoreResult<DeliveryRound> {
        let now = self.now();
        let claimed = self
            .store
            .write(|tx| Ok::<_, CoreError>(outbox::claim(tx, now, LEASE_MS, limit)?))?;
        let mut round = DeliveryRound::default();
        for delivery in &claimed {
            round.attempted += 1;
            match self.attempt(delivery)? {
                AfterAttempt::Delivered => round.delivered += 1,
                AfterAttempt::RetryAt(_) => round.retrying += 1,
                AfterAttempt::DeadLetter => round.dead_lettered += 1,
                AfterAttempt::DestinationGone => round.gone += 1,
            }
        }
        Ok(round)
    }

    /// An operator's retry of a dead-lettered or failed delivery: attempted on the next pass
    /// with the same id (its idempotency key); its earlier attempts stay in the log.
    pub fn retry_delivery(&self, delivery_id: &str) -> CoreResult<()> {
        let now = self.now();
        let retried = self
            .store
            .write(|tx| Ok::<_, CoreError>(outbox::retry_parked(tx, delivery_id, now)?))?;
        if !retried {
            return Err(CoreError::NotFound {
                what: "dead-lettered or failed delivery",
                id: delivery_id.to_string(),
            });
        }
        Ok(())
    }

    fn attempt(&self, claimed: &Claimed) -> CoreResult<AfterAttempt> {
        let made = claimed.attempts_made + 1;
        let started = Instant::now();
        let (result, error_class) = match self.send_claimed(claimed) {
            Ok(Ok(answer)) => {
                let now = self.now();
                let retry_after_ms = answer
                    .retry_after
                    .as_deref()
                    .and_then(|v| parse_retry_after(v, now));
                (
                    AttemptResult::Answered {
                        status: answer.status,
                        retry_after_ms,
                    },
                    None,
                )
            }
            Ok(Err(ureq::Error::Timeout(_))) => {
                (AttemptResult::TimedOut, Some("timeout".to_string()))
            }
            Ok(Err(err)) => (
                AttemptResult::Unreachable,
                Some(vendor_http::describe(&err)),
            ),
            // Ours, not the vendor's (the connection is gone, its credential cannot be opened,
            // the event lacks a field the address needs): recorded, then retried on schedule
            // in case someone fixes it.
            Err(err) => (AttemptResult::Unreachable, Some(err.to_string())),
        };
        let latency_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        // The vendor has the delivery; a crash here leaves it leased but unrecorded, to be
        // attempted again with the same id (see the crash tests).
        fail::fail_point!("delivery.after_answer");
        let now = self.now();
        let unit = (random_bits()? >> 11) as f64 / (1u64 << 53) as f64;
        let after = RetryPolicy::default().after(made, result, now, unit);
        let status = match result {
            AttemptResult::Answered { status, .. } => Some(status),
            _ => None,
        };
        let delivery = NewDelivery {
            id: &claimed.delivery_id,
            connection_id: &claimed.connection_id,
            environment_id: claimed.environment_id,
            originating_module: &claimed.originating_module,
            event_identifier: &claimed.event_identifier,
            action: Some(&claimed.action),
            status: DeliveryStatus::Pending,
            created_at: now,
        };
        let request_summary = format!("{} {}", claimed.action, claimed.delivery_id);
        let response_summary = status.map(|s| format!("HTTP {s}"));
        let attempt = NewAttempt {
            delivery: &delivery,
            attempt_number: made,
            trigger: if claimed.manual {
                AttemptTrigger::Manual
            } else {
                AttemptTrigger::Scheduled
            },
            outcome: match after {
                AfterAttempt::Delivered => Outcome::Delivered,
                AfterAttempt::RetryAt(_) => Outcome::Retried,
                AfterAttempt::DeadLetter | AfterAttempt::DestinationGone => Outcome::Failed,
            },
            vendor_response_code: status,
            latency_ms,
            attempted_at: now,
            next_attempt_at: match after {
                AfterAttempt::RetryAt(at) => Some(at),
                _ => None,
            },
            error_class: error_class.as_deref(),
            request_summary: Some(&request_summary),
            response_summary: response_summary.as_deref(),
        };
        self.store.write(|tx| {
            outbox::record_attempt(tx, &attempt, after)?;
            if after == AfterAttempt::DestinationGone {
                sgen_store::connections::transition(
                    tx,
                    &claimed.connection_id,
                    ConnectionState::Error,
                    "the destination answered 410 Gone: fix or re-enable it",
                    None,
                    now,
                )?;
            }
            Ok::<_, CoreError>(())
        })?;
        Ok(after)
    }

    /// One attempt at the vendor, with the connection's credential (refreshed first if due).
    fn send_claimed(
        &self,
        claimed: &Claimed,
    ) -> CoreResult<Result<vendor_http::Answer, ureq::Error>> {
        let (record, fields) = self.open_connection(&claimed.connection_id)?;
        let manifest = self.manifest(&record.connector_type)?;
        let action = manifest
            .actions
            .iter()
            .find(|a| a.id == claimed.action)
            .ok_or_else(|| CoreError::invalid(format!("no action `{}`", claimed.action)))?;
        let flow = self.flow_of(&record)?;
        let calls_go_to = self.calls_go_to(&record, flow, &fields)?;
        let payload: serde_json::Value = serde_json::from_str(&claimed.payload)
            .map_err(|e| CoreError::Internal(format!("stored payload: {e}")))?;
        vendor_http::send(
            manifest,
            flow,
            &fields,
            calls_go_to.as_deref(),
            Outgoing {
                method: action.method,
                path: &action.path,
                body: claimed.payload.clone().into_bytes(),
                values: payload.as_object(),
                message_id: &claimed.delivery_id,
                idempotent: true,
                timeout: DELIVERY_TIMEOUT,
            },
        )
    }
}
