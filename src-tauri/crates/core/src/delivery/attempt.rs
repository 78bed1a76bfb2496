//! One delivery attempt, in pieces a worker puts together (SPEC §6): the destination opened
//! (credential refreshed if due, unsealed), one request with the delivery id as its
//! idempotency key, and a batch of results recorded — each attempt with its delivery's new
//! state — in one transaction. A 410 puts its connection in `error`, and so does a run of
//! failures.

use crate::delivery::failures::note_failure_runs;
use crate::delivery::retry_policy::{parse_retry_after, AttemptResult};
use crate::delivery::worker::WorkerReport;
use crate::kernel::connection_state::{Operation, Transition};
use crate::kernel::destination_policy::Allowance;
use crate::kernel::events::CoreEvent;
use crate::kernel::http::NoAnswer;
use crate::kernel::ids::random_bits;
use crate::kernel::redaction::KnownSecrets;
use crate::kernel::vendor_http::{self, Outgoing, Prepared, DELIVERY_TIMEOUT};
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use sgen_catalog::{AuthFlow, Manifest};
use sgen_store::delivery_writes::{NewAttempt, NewDelivery};
use sgen_store::model::{AttemptTrigger, ConnectionState, DeliveryStatus, Outcome};
use sgen_store::outbox::{self, AfterAttempt, Claimed};
use sgen_vault::SecretFields;
use std::future::Future;
use std::time::{Duration, Instant};

/// Where one connection's attempts go, opened once and shared by its attempts.
pub(crate) struct Destination<'c> {
    manifest: &'c Manifest,
    flow: AuthFlow,
    fields: SecretFields,
    /// The credential's values, to redact from what is recorded (built once: every attempt to
    /// this destination uses it).
    known: KnownSecrets,
    calls_go_to: Option<String>,
    policy: Option<Allowance>,
}

/// How one attempt went, before it is recorded.
pub(crate) struct Tried {
    result: AttemptResult,
    error_class: Option<String>,
    latency_ms: u32,
    /// The request and the answer as the delivery log keeps them (JSON, redacted).
    exchange: String,
}

impl Core {
    pub(crate) fn open_destination(&self, connection_id: &str) -> CoreResult<Destination<'_>> {
        let (record, fields) = self.open_connection(connection_id)?;
        let manifest = self.manifest(&record.connector_type)?;
        let flow = self.flow_of(&record)?;
        let calls_go_to = self.calls_go_to(&record, flow, &fields)?;
        let policy = self.send_policy(&record)?;
        Ok(Destination {
            manifest,
            flow,
            known: KnownSecrets::of_fields(&fields),
            fields,
            calls_go_to,
            policy,
        })
    }

    /// The request of one attempt, ready to be sent on the core's runtime by the client for
    /// its policy, with the request as the delivery log keeps it; Err is a failure of ours,
    /// never sent.
    pub(crate) fn attempt_async(
        &self,
        claimed: &Claimed,
        destination: &CoreResult<Destination<'_>>,
    ) -> Result<
        (
            impl Future<Output = Result<vendor_http::Answer, NoAnswer>> + use<>,
            serde_json::Value,
        ),
        String,
    > {
        let (prepared, recorded) = recorded_request(claimed, destination)?;
        let client = self
            .runtime
            .delivery_client(prepared.policy.as_ref())
            .map_err(|e| our_failure(&e))?;
        Ok((prepared.send_async(client), recorded))
    }

    /// One attempt from this thread (an operator's "send now").
    pub(crate) fn try_once(
        &self,
        claimed: &Claimed,
        destination: &CoreResult<Destination<'_>>,
    ) -> Tried {
        let started = Instant::now();
        match recorded_request(claimed, destination) {
            Ok((prepared, recorded)) => {
                self.tried(Ok(prepared.send()), started.elapsed(), Some(recorded))
            }
            Err(ours) => self.tried(Err(ours), started.elapsed(), None),
        }
    }

    /// How an attempt went, from its request (Err: ours, never sent) and the network's answer;
    /// `request` is the request as recorded, when one was made.
    pub(crate) fn tried(
        &self,
        sent: Result<Result<vendor_http::Answer, NoAnswer>, String>,
        took: Duration,
        request: Option<serde_json::Value>,
    ) -> Tried {
        let exchange = match &sent {
            Ok(Ok(answer)) => serde_json::json!({ "request": request, "answer": answer.recorded }),
            Ok(Err(failed)) => serde_json::json!({
                "request": request,
                "no_answer": { "timed_out": failed.timed_out, "reason": failed.reason },
            }),
            Err(reason) => serde_json::json!({ "not_sent": reason }),
        }
        .to_string();
        let (result, error_class) = match sent {
            Ok(Ok(answer)) => {
                let retry_after_ms = answer
                    .retry_after
                    .as_deref()
                    .and_then(|v| parse_retry_after(v, self.now()));
                let answered = AttemptResult::Answered {
                    status: answer.status,
                    retry_after_ms,
                };
                (answered, None)
            }
            Ok(Err(failed)) if failed.timed_out => {
                (AttemptResult::TimedOut, Some("timeout".to_string()))
            }
            Ok(Err(failed)) => (AttemptResult::Unreachable, Some(failed.reason)),
            // Ours, not the vendor's (the connection is gone, its credential cannot be opened,
            // the event lacks a field the address needs): recorded, then retried on schedule
            // in case someone fixes it.
            Err(reason) => (AttemptResult::Unreachable, Some(reason)),
        };
        Tried {
            result,
            error_class,
            latency_ms: took.as_millis().min(u128::from(u32::MAX)) as u32,
            exchange,
        }
    }

    /// Every attempt of a batch into the delivery log, with each delivery's new state, in one
    /// transaction.
    pub(crate) fn record_batch(
        &self,
        claimed: &[Claimed],
        tried: &[Tried],
    ) -> CoreResult<WorkerReport> {
        let now = self.now();
        let policy = self.retry_policy()?;
        let mut afters = Vec::with_capacity(claimed.len());
        for (c, t) in claimed.iter().zip(tried) {
            let unit = (random_bits()? >> 11) as f64 / (1u64 << 53) as f64;
            afters.push(policy.after(c.attempts_made + 1, t.result, now, unit));
        }
        let deliveries: Vec<NewDelivery<'_>> = claimed
            .iter()
            .map(|c| NewDelivery {
                id: &c.delivery_id,
                connection_id: &c.connection_id,
                environment_id: c.environment_id,
                originating_module: &c.originating_module,
                event_identifier: &c.event_identifier,
                action: Some(&c.action),
                status: DeliveryStatus::Pending,
                created_at: now,
            })
            .collect();
        let summaries: Vec<(String, Option<String>)> = claimed
            .iter()
            .zip(tried)
            .map(|(c, t)| {
                let response = status_of(t.result).map(|s| format!("HTTP {s}"));
                (format!("{} {}", c.action, c.delivery_id), response)
            })
            .collect();
        let attempts: Vec<NewAttempt<'_>> = (0..claimed.len())
            .map(|i| {
                let (c, t, after) = (&claimed[i], &tried[i], afters[i]);
                NewAttempt {
                    delivery: &deliveries[i],
                    attempt_number: c.attempts_made + 1,
                    trigger: if c.manual {
                        AttemptTrigger::Manual
                    } else {
                        AttemptTrigger::Scheduled
                    },
                    outcome: match after {
                        AfterAttempt::Delivered => Outcome::Delivered,
                        AfterAttempt::RetryAt(_) => Outcome::Retried,
                        AfterAttempt::DeadLetter | AfterAttempt::DestinationGone => Outcome::Failed,
                    },
                    vendor_response_code: status_of(t.result),
                    latency_ms: t.latency_ms,
                    attempted_at: now,
                    next_attempt_at: match after {
                        AfterAttempt::RetryAt(at) => Some(at),
                        _ => None,
                    },
                    error_class: t.error_class.as_deref(),
                    request_summary: Some(&summaries[i].0),
                    response_summary: summaries[i].1.as_deref(),
                    exchange: Some(&t.exchange),
                }
            })
            .collect();
        self.write(|tx| {
            outbox::record_attempts(tx, &attempts, &afters)?;
            for (attempt, after) in attempts.iter().zip(&afters) {
                let (delivery_id, connection_id) =
                    (attempt.delivery.id, attempt.delivery.connection_id);
                tx.publish(CoreEvent::DeliveryRecorded {
                    delivery_id: delivery_id.to_string(),
                    connection_id: connection_id.to_string(),
                    status: after.status(),
                });
                if matches!(
                    after,
                    AfterAttempt::DeadLetter | AfterAttempt::DestinationGone
                ) {
                    tx.publish(CoreEvent::DeliveryDeadLettered {
                        delivery_id: delivery_id.to_string(),
                        connection_id: connection_id.to_string(),
                    });
                }
                if *after == AfterAttempt::DestinationGone {
                    self.destination_gone(tx, connection_id, now)?;
                }
            }
            note_failure_runs(self, tx, &attempts, now)
        })?;
        let mut round = WorkerReport::default();
        for after in afters {
            round.attempted += 1;
            match after {
                AfterAttempt::Delivered => round.delivered += 1,
                AfterAttempt::RetryAt(_) => round.retrying += 1,
                AfterAttempt::DeadLetter => round.dead_lettered += 1,
                AfterAttempt::DestinationGone => round.gone += 1,
            }
        }
        Ok(round)
    }

    /// A 410 from the destination: the connection goes to `error` until someone fixes or
    /// re-enables the endpoint, and the failure is surfaced.
    fn destination_gone(&self, tx: &Tx<'_, '_>, connection_id: &str, now: i64) -> CoreResult<()> {
        let Some(record) = sgen_store::connections::get(tx, connection_id)? else {
            return Ok(());
        };
        self.record_operation(
            tx,
            &record,
            Some(Transition {
                to: ConnectionState::Error,
                cause: "the destination answered 410 Gone: fix or re-enable it",
            }),
            Operation {
                operator_id: None,
                action: "failure.surfaced",
                outcome: "error",
                details: serde_json::json!({ "failure": "destination_gone", "vendor_response_code": 410 }),
                at: now,
            },
        )?;
        Ok(())
    }
}

fn status_of(result: AttemptResult) -> Option<u16> {
    match result {
        AttemptResult::Answered { status, .. } => Some(status),
        _ => None,
    }
}

impl Core {
    /// What an attempt of this delivery would send — method, URL and headers, its credential
    /// redacted — without sending it: a dry run's would-be request.
    pub(crate) fn would_send(
        &self,
        prepared: &crate::delivery::enqueue::PreparedDelivery,
        delivery_id: &str,
    ) -> Result<serde_json::Value, String> {
        let claimed = Claimed {
            delivery_id: delivery_id.to_string(),
            connection_id: prepared.connection_id.clone(),
            environment_id: prepared.environment_id,
            originating_module: prepared.originating_module.clone(),
            event_identifier: prepared.event_identifier.clone(),
            action: prepared.action_id.clone(),
            payload: prepared.payload.clone(),
            attempts_made: 0,
            manual: false,
        };
        let destination = self.open_destination(&claimed.connection_id);
        let shown = request(&claimed, &destination)?;
        let known = &destination.as_ref().map_err(our_failure)?.known;
        Ok(shown.redacted(known))
    }
}

/// [`request`], and the request as the delivery log keeps it.
fn recorded_request(
    claimed: &Claimed,
    destination: &CoreResult<Destination<'_>>,
) -> Result<(Prepared, serde_json::Value), String> {
    let prepared = request(claimed, destination)?;
    let known = &destination.as_ref().map_err(our_failure)?.known;
    let recorded = prepared.recorded(known);
    Ok((prepared, recorded))
}

/// The request for one attempt at the vendor, with the connection's credential; Err is a
/// failure of ours, in the words the delivery log shows.
pub(crate) fn request(
    claimed: &Claimed,
    destination: &CoreResult<Destination<'_>>,
) -> Result<Prepared, String> {
    let d = destination.as_ref().map_err(our_failure)?;
    let action = d
        .manifest
        .actions
        .iter()
        .find(|a| a.id == claimed.action)
        .ok_or_else(|| {
            our_failure(&CoreError::invalid(format!(
                "{} has no action `{}`",
                d.manifest.display_name, claimed.action
            )))
        })?;
    let payload: serde_json::Value = serde_json::from_str(&claimed.payload).map_err(|e| {
        our_failure(&CoreError::Internal(format!(
            "the stored payload cannot be read: {e}"
        )))
    })?;
    vendor_http::prepare(
        d.manifest,
        d.flow,
        &d.fields,
        d.calls_go_to.as_deref(),
        Outgoing {
            method: action.method,
            path: &action.path,
            body: claimed.payload.clone().into_bytes(),
            values: payload.as_object(),
            message_id: &claimed.delivery_id,
            idempotent: true,
            timeout: DELIVERY_TIMEOUT,
            policy: d.policy.as_ref(),
        },
    )
    .map_err(|e| our_failure(&e))
}

/// How a failure of ours (not the vendor's) reads in the delivery log: its stable code first,
/// then what it means.
fn our_failure(err: &CoreError) -> String {
    format!("{}: {err}", err.code())
}
