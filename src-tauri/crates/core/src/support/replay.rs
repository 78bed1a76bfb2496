//! Offline replay of a delivery (SPEC §9): the recorded request is sent again — over real HTTP,
//! to a vendor on 127.0.0.1 that gives each attempt the answer recorded for it — under the
//! app's retry policy (or a changed one) on a compressed clock: no wait is slept, each attempt
//! happens at once and the timeline keeps the times the policy would have chosen. The result
//! is the original timeline beside the replayed one, and where they part.
//!
//! Beyond the recording (a changed schedule tries more often), the vendor repeats its last
//! recorded answer, and the timeline says so. The answers are the vendor's answers to the
//! original request: when a changed request (a changed mapping) meets a refusal about its
//! content (400, 422), the step says the real vendor might have answered otherwise.
//!
//! A changed API address (the connector's override) sends every attempt to that address
//! instead — a server on this computer standing in for the vendor, never the network — and
//! its own answers decide the timeline.

use crate::access::{Operation, Target};
use crate::delivery::field_mapping::ActionMapping;
use crate::delivery::retry_policy::{parse_retry_after, AttemptResult};
use crate::kernel::http;
use crate::settings::retry_schedule::checked_policy;
use crate::support::recorded_vendor::{RecordedAnswer, RecordedVendor};
use crate::support::replay_request::replayed_request;
pub use crate::support::replay_request::ReplayedRequest;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sgen_store::attempts::{self, AttemptRow};
use sgen_store::model::Outcome;
use sgen_store::outbox::AfterAttempt;
use std::time::{Duration, Instant};
use ts_rs::TS;

/// What to change for a "replay with changes".
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ReplayChanges {
    /// The request body made anew: target path → a path in the recorded request's body (or a
    /// quoted constant), as a connection's field mapping reads an event.
    pub mapping: Option<ActionMapping>,
    /// Each attempt's wait after the one before, in seconds (the first 0), instead of the
    /// app's retry schedule.
    #[ts(type = "Array<number> | null")]
    pub retry_schedule_s: Option<Vec<u64>>,
    /// The connector's API address override: an http(s) address on this computer whose own
    /// answers are used instead of the recorded ones.
    pub api_base: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReplayReport {
    pub delivery_id: String,
    pub connection_id: String,
    pub connector_type: Option<String>,
    pub event_identifier: String,
    /// The request the replay sent (its credential as recorded: redacted).
    pub request: ReplayedRequest,
    /// The schedule the replay followed, in seconds.
    #[ts(type = "Array<number>")]
    pub retry_schedule_s: Vec<u64>,
    pub original: Vec<ReplayStep>,
    pub replayed: Vec<ReplayStep>,
    pub original_outcome: String,
    pub replayed_outcome: String,
    pub same_outcome: bool,
    /// The first attempt whose answer or outcome differs, if any does.
    pub diverges_at: Option<u32>,
    /// Requests that reached the replay's vendor over HTTP (attempts that found it
    /// unreachable went to a closed port instead).
    pub vendor_requests: u32,
    #[ts(type = "number")]
    pub took_ms: u64,
}

/// Who gave a step its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AnswerSource {
    /// The answer recorded for this attempt.
    Recording,
    /// Past the recording: the last recorded answer again.
    RepeatedLast,
    /// The overriding address, live.
    Override,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReplayStep {
    pub attempt: u32,
    /// Time since the first attempt.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// `HTTP 503`, `no answer (timed out)`, `no answer (unreachable)`.
    pub answer: String,
    /// delivered, retried, failed (a dead letter), gone (410).
    pub outcome: String,
    pub answered_by: AnswerSource,
    /// Why this step may not be what the real vendor would have done.
    pub caveat: Option<String>,
}

/// The replay client's timeout: a recorded timeout is held longer than this.
const REPLAY_TIMEOUT: Duration = Duration::from_millis(300);

impl Core {
    /// Replays delivery `delivery_id` against its recorded answers, with `changes`.
    pub fn replay_delivery(
        &self,
        delivery_id: &str,
        changes: &ReplayChanges,
    ) -> CoreResult<ReplayReport> {
        self.authorize(Operation::ReplayDelivery, Target::App)?;
        let started = Instant::now();
        let (rows, exchanges) = self.store.read(|conn| {
            Ok::<_, CoreError>((
                attempts::of_delivery(conn, delivery_id)?,
                attempts::exchanges_of(conn, delivery_id)?,
            ))
        })?;
        let first = rows.first().ok_or_else(|| CoreError::NotFound {
            what: "delivery",
            id: delivery_id.into(),
        })?;
        let exchanges: Vec<Option<Value>> = exchanges
            .iter()
            .map(|e| {
                e.as_deref()
                    .and_then(|text| serde_json::from_str(text).ok())
            })
            .collect();
        let recorded = exchanges
            .iter()
            .flatten()
            .find_map(|e| e.get("request").filter(|r| r.is_object()))
            .ok_or_else(|| {
                CoreError::invalid(format!(
                    "delivery {delivery_id} was recorded without its request (an app from before requests were kept): there is nothing to replay"
                ))
            })?;
        let address = match &changes.api_base {
            Some(text) => Some(self.replay_override(text, &first.connection_id)?),
            None => None,
        };
        let request = replayed_request(recorded, changes.mapping.as_ref(), address.as_ref())?;
        let policy = match &changes.retry_schedule_s {
            Some(waits) => checked_policy(waits)?,
            None => self.retry_policy()?,
        };
        let answers: Vec<RecordedAnswer> = rows
            .iter()
            .zip(&exchanges)
            .map(|(row, exchange)| recorded_answer(row, exchange.as_ref()))
            .collect();
        let original = rows
            .iter()
            .zip(&answers)
            .map(|(row, answer)| ReplayStep {
                attempt: row.attempt_number,
                at_ms: row.attempted_at - first.attempted_at,
                answer: label(answer),
                outcome: match (row.outcome, row.vendor_response_code) {
                    (Outcome::Failed, Some(410)) => "gone".into(),
                    (outcome, _) => outcome.as_str().into(),
                },
                answered_by: AnswerSource::Recording,
                caveat: None,
            })
            .collect::<Vec<_>>();
        // The recorded answers are served only when no address overrides them.
        let vendor = match request.overridden {
            true => None,
            false => Some(RecordedVendor::start(self.runtime.handle()?).map_err(|e| {
                CoreError::Internal(format!("the replay's vendor did not start: {e}"))
            })?),
        };
        let replayed = replay(
            vendor.as_ref(),
            &request,
            &answers,
            &policy,
            first.attempted_at,
        )?;
        let outcome = |steps: &[ReplayStep]| {
            steps
                .last()
                .map_or("pending".to_string(), |s| match s.outcome.as_str() {
                    "retried" => "pending".into(),
                    other => other.into(),
                })
        };
        let diverges_at = original
            .iter()
            .zip(&replayed)
            .find(|(o, r)| o.answer != r.answer || o.outcome != r.outcome)
            .map(|(o, _)| o.attempt)
            .or_else(|| {
                (original.len() != replayed.len())
                    .then(|| original.len().min(replayed.len()) as u32 + 1)
            });
        let (original_outcome, replayed_outcome) = (outcome(&original), outcome(&replayed));
        Ok(ReplayReport {
            delivery_id: delivery_id.into(),
            connection_id: first.connection_id.clone(),
            connector_type: first.connector_type.clone(),
            event_identifier: first.event_identifier.clone(),
            request,
            retry_schedule_s: policy
                .delays_ms
                .iter()
                .map(|ms| (ms / 1000) as u64)
                .collect(),
            same_outcome: original_outcome == replayed_outcome,
            original,
            replayed,
            original_outcome,
            replayed_outcome,
            diverges_at,
            vendor_requests: vendor.as_ref().map_or(0, RecordedVendor::received),
            took_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// The answer an attempt got, from its recorded exchange; without one (recorded before
/// exchanges were kept), from its status code or error class.
fn recorded_answer(row: &AttemptRow, exchange: Option<&Value>) -> RecordedAnswer {
    if let Some(answer) = exchange.and_then(|e| e.get("answer")) {
        return RecordedAnswer::Answered {
            status: answer.get("status").and_then(Value::as_u64).unwrap_or(502) as u16,
            headers: answer
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| {
                    h.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
            body: answer
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .into(),
        };
    }
    let timed_out = exchange
        .and_then(|e| e.pointer("/no_answer/timed_out"))
        .and_then(Value::as_bool)
        .unwrap_or(row.error_class.as_deref() == Some("timeout"));
    match (row.vendor_response_code, timed_out) {
        (Some(status), _) => RecordedAnswer::Answered {
            status,
            headers: Vec::new(),
            body: String::new(),
        },
        (None, true) => RecordedAnswer::TimedOut,
        (None, false) => RecordedAnswer::Unreachable,
    }
}

fn label(answer: &RecordedAnswer) -> String {
    match answer {
        RecordedAnswer::Answered { status, .. } => format!("HTTP {status}"),
        RecordedAnswer::TimedOut => "no answer (timed out)".into(),
        RecordedAnswer::Unreachable => "no answer (unreachable)".into(),
    }
}

/// The replay proper: each attempt sent at once, to `vendor`'s recorded answers (or, without
/// one, to the overriding address), the policy deciding what follows and when.
fn replay(
    vendor: Option<&RecordedVendor>,
    request: &ReplayedRequest,
    answers: &[RecordedAnswer],
    policy: &crate::delivery::retry_policy::RetryPolicy,
    first_at: i64,
) -> CoreResult<Vec<ReplayStep>> {
    // A server standing in for the vendor gets the time a test call gets.
    let client = http::loopback_client(match request.overridden {
        true => http::TEST_TIMEOUT,
        false => REPLAY_TIMEOUT,
    });
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| CoreError::invalid("the recorded request's method is not HTTP"))?;
    // A port nobody listens on, for the attempts that found the vendor unreachable.
    let closed = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let last = answers
        .last()
        .cloned()
        .unwrap_or(RecordedAnswer::Unreachable);
    let mut steps = Vec::new();
    let mut offset = 0i64;
    // The policy ends every delivery within its schedule; the bound is a guard.
    for attempt in 1..=policy.delays_ms.len() as u32 + 1 {
        let (answer, answered_by) = match (vendor, answers.get(attempt as usize - 1)) {
            (None, _) => (None, AnswerSource::Override),
            (Some(_), Some(answer)) => (Some(answer.clone()), AnswerSource::Recording),
            (Some(_), None) => (Some(last.clone()), AnswerSource::RepeatedLast),
        };
        let url = match (vendor, &answer) {
            (_, Some(RecordedAnswer::Unreachable)) => format!("http://{closed}{}", request.target),
            (Some(vendor), Some(answer)) => {
                vendor.answer_next(answer.clone());
                format!("http://{}{}", vendor.address, request.target)
            }
            // The overriding address: the target is the whole URL.
            _ => request.target.clone(),
        };
        let now = first_at + offset;
        let sent = client
            .request(method.clone(), url)
            .header("content-type", "application/json")
            .body(request.body.clone())
            .send();
        let result = match sent {
            Ok(response) => AttemptResult::Answered {
                status: response.status().as_u16(),
                retry_after_ms: response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, now)),
            },
            Err(e) if e.is_timeout() => AttemptResult::TimedOut,
            Err(_) => AttemptResult::Unreachable,
        };
        // The middle of the jitter: the schedule's own waits.
        let after = policy.after(attempt, result, now, 0.5);
        let caveat = match (request.changed, &answer, result) {
            (true, Some(RecordedAnswer::Answered { status: 400 | 422, .. }), _) => Some(
                "the vendor refused the original request's content; it might have taken this changed one".to_string(),
            ),
            (_, None, AttemptResult::Answered { status: 401 | 403, .. }) => Some(
                "the recorded request's credential is redacted: the address may have refused it for that".to_string(),
            ),
            _ => None,
        };
        steps.push(ReplayStep {
            attempt,
            at_ms: offset,
            answer: match result {
                AttemptResult::Answered { status, .. } => format!("HTTP {status}"),
                AttemptResult::TimedOut => "no answer (timed out)".into(),
                AttemptResult::Unreachable => "no answer (unreachable)".into(),
            },
            outcome: match after {
                AfterAttempt::Delivered => "delivered",
                AfterAttempt::RetryAt(_) => "retried",
                AfterAttempt::DeadLetter => "failed",
                AfterAttempt::DestinationGone => "gone",
            }
            .into(),
            answered_by,
            caveat,
        });
        match after {
            AfterAttempt::RetryAt(at) => offset = at - first_at,
            _ => break,
        }
    }
    Ok(steps)
}
