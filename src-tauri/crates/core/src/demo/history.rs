//! Delivery history: deliveries with realistic outcomes, retry chains on the real schedule,
//! vendor response codes and latencies, spread over the demo period.

use super::plan::{ConnectionPlan, DAY_MS};
use super::rng::DemoRng;
use crate::delivery::log::{HistoricalAttempt, HistoricalDelivery};
use sgen_store::model::{ConnectionState, DeliveryStatus, Outcome};

/// Delay before each retry (SPEC §6): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const RETRY_DELAYS_MS: [i64; 8] = [
    0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

/// One demo connection, resolved to its row.
pub(crate) struct Target<'a> {
    pub plan: &'a ConnectionPlan,
    pub connection_id: String,
    pub environment_id: i64,
    pub api_base: String,
    pub action_path: String,
    pub created_at: i64,
    /// When it stopped being healthy, if it did.
    pub broke_at: Option<i64>,
    /// A recovered incident: (start, end).
    pub incident: Option<(i64, i64)>,
}

#[derive(Clone, Copy)]
enum Failure {
    /// A transient vendor answer: a retry may go through.
    Transient(Option<u16>, &'static str),
    /// A refusal of the request itself (a rejected credential, a body the vendor will not
    /// take): every retry gets the same answer. Retried on the schedule all the same, as the
    /// engine does (SPEC §6: only a 410 ends a delivery at once).
    Refusal(u16, &'static str),
}

/// The delivery `target` sent at `at`, or None when it sent nothing then (not yet created,
/// paused, or broken for long enough that nothing was routed to it).
pub(crate) fn delivery(
    rng: &mut DemoRng,
    target: &Target<'_>,
    at: i64,
    now: i64,
) -> Option<HistoricalDelivery> {
    let plan = target.plan;
    let health = health_at(target, at);
    if at < target.created_at || health == Health::Silent {
        return None;
    }
    let (module, event, prefix, action) = plan.traffic;
    let object = format!("{prefix}_{}", 100_000 + rng.below(900_000));
    let event_identifier = format!("{event}:{object}");
    let delivery_id = rng.time_ordered_id("dlv", at);
    let request = format!(
        "POST {}{} · Idempotency-Key {delivery_id}",
        target.api_base, target.action_path
    );

    let mut attempts = Vec::new();
    let mut attempt_at = at;
    let mut refused = None;
    let status = loop {
        let number = attempts.len();
        let failure = refused.or_else(|| failure(rng, health, number));
        if let Some(Failure::Refusal(..)) = failure {
            refused = failure;
        }
        let latency = latency(rng, plan.latency_ms, &failure);
        let (outcome, code, class, status) = match failure {
            None => (
                Outcome::Delivered,
                Some(success_code(plan)),
                None,
                Some(DeliveryStatus::Delivered),
            ),
            Some(failure) => {
                let (code, class) = match failure {
                    Failure::Transient(code, class) => (code, class),
                    Failure::Refusal(code, class) => (Some(code), class),
                };
                match number + 1 >= RETRY_DELAYS_MS.len() {
                    true => (
                        Outcome::Failed,
                        code,
                        Some(class),
                        Some(DeliveryStatus::DeadLetter),
                    ),
                    false => (Outcome::Retried, code, Some(class), None),
                }
            }
        };
        let next = status
            .is_none()
            .then(|| attempt_at + latency as i64 + jittered(rng, RETRY_DELAYS_MS[number + 1]));
        attempts.push(HistoricalAttempt {
            outcome,
            vendor_response_code: code,
            latency_ms: latency,
            attempted_at: attempt_at,
            next_attempt_at: next,
            error_class: class.map(str::to_string),
            request_summary: request.clone(),
            response_summary: response_summary(code, class, latency),
            exchange: class
                .map(|class| exchange(target, &delivery_id, &event_identifier, code, class)),
        });
        match (status, next) {
            (Some(status), _) => break status,
            // The next attempt would be in the future: the delivery is still pending now.
            (None, Some(next)) if next <= now => attempt_at = next,
            // The next attempt would be in the future: the delivery is still pending now.
            (None, _) => break DeliveryStatus::Pending,
        }
    };
    Some(HistoricalDelivery {
        id: delivery_id,
        connection_id: target.connection_id.clone(),
        environment_id: target.environment_id,
        originating_module: module.into(),
        event_identifier,
        action: Some(action.into()),
        status,
        attempts,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Healthy,
    Incident,
    Broken(ConnectionState),
    Silent,
}

fn health_at(target: &Target<'_>, at: i64) -> Health {
    if let Some((from, to)) = target.incident {
        if (from..to).contains(&at) {
            return Health::Incident;
        }
    }
    match (target.broke_at, target.plan.end) {
        (Some(broke), Some((state, _, _))) if at >= broke => {
            // Failures are visible for a day, then the connection stops being used.
            if state == ConnectionState::Paused || at >= broke + DAY_MS {
                Health::Silent
            } else {
                Health::Broken(state)
            }
        }
        _ => Health::Healthy,
    }
}

fn failure(rng: &mut DemoRng, health: Health, attempt: usize) -> Option<Failure> {
    match health {
        Health::Broken(ConnectionState::AuthExpired | ConnectionState::AuthRevoked) => {
            Some(Failure::Refusal(401, "credential_rejected"))
        }
        Health::Broken(ConnectionState::Error) if rng.chance(0.5) => {
            Some(Failure::Refusal(403, "scope_insufficient"))
        }
        Health::Broken(_) | Health::Incident => {
            Some(Failure::Transient(Some(503), "vendor_unavailable"))
        }
        Health::Silent => None,
        Health::Healthy => {
            // Retries succeed more often than first attempts fail, as with real vendors.
            let p_fail = if attempt == 0 { 0.07 } else { 0.35 };
            if !rng.chance(p_fail) {
                return None;
            }
            let roll = rng.unit();
            Some(if roll < 0.30 {
                Failure::Transient(Some(503), "vendor_unavailable")
            } else if roll < 0.45 {
                Failure::Transient(Some(502), "bad_gateway")
            } else if roll < 0.60 {
                Failure::Transient(Some(429), "rate_limited")
            } else if roll < 0.72 {
                Failure::Transient(None, "timeout")
            } else if roll < 0.80 {
                Failure::Transient(None, "connection_refused")
            } else if roll < 0.86 {
                Failure::Transient(Some(500), "vendor_error")
            } else if roll < 0.94 {
                Failure::Refusal(400, "schema_mismatch")
            } else if roll < 0.98 {
                Failure::Refusal(422, "validation_failed")
            } else {
                Failure::Refusal(404, "not_found")
            })
        }
    }
}

fn latency(rng: &mut DemoRng, typical: f64, failure: &Option<Failure>) -> u32 {
    match failure {
        Some(Failure::Transient(None, "timeout")) => 30_000,
        Some(Failure::Transient(None, _)) => (2.0 + rng.unit() * 10.0) as u32,
        _ => (typical * (0.5 * rng.normal()).exp()).clamp(8.0, 29_000.0) as u32,
    }
}

fn jittered(rng: &mut DemoRng, delay: i64) -> i64 {
    (delay as f64 * (0.8 + 0.4 * rng.unit())) as i64
}

fn success_code(plan: &ConnectionPlan) -> u16 {
    match plan.traffic.3 {
        "create_customer" | "create_event" | "create_lead" | "create_deal" | "upload_file" => 201,
        "send_transactional_email" | "send_mail" => 202,
        "send_event" => 204,
        _ => 200,
    }
}

/// A failed attempt's recorded request and answer, as the delivery engine records them, so a
/// support bundle of the demo can be replayed.
fn exchange(
    target: &Target<'_>,
    delivery_id: &str,
    event_identifier: &str,
    code: Option<u16>,
    class: &str,
) -> String {
    let (event, object) = event_identifier
        .split_once(':')
        .unwrap_or((event_identifier, ""));
    let request = serde_json::json!({
        "method": "POST",
        "url": format!("{}{}", target.api_base, target.action_path),
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "idempotency-key": delivery_id,
        },
        "body": serde_json::json!({ "event": event, "object": object }).to_string(),
    });
    match code {
        Some(code) => {
            let mut headers = serde_json::json!({ "content-type": "application/json" });
            if code == 429 {
                headers["retry-after"] = "30".into();
            }
            let body = serde_json::json!({ "code": class, "message": reason(code) });
            serde_json::json!({
                "request": request,
                "answer": { "status": code, "headers": headers, "body": body.to_string() },
            })
        }
        None => serde_json::json!({
            "request": request,
            "no_answer": { "timed_out": class == "timeout", "reason": class },
        }),
    }
    .to_string()
}

fn response_summary(code: Option<u16>, class: Option<&str>, latency: u32) -> String {
    match (code, class) {
        (Some(code), None) => format!("{code} {} in {latency} ms", reason(code)),
        (Some(429), Some(class)) => format!("429 Too Many Requests · Retry-After 30 · {class}"),
        (Some(code), Some(class)) => format!("{code} {} · {class}", reason(code)),
        (None, Some(class)) => format!("no response · {class} after {latency} ms"),
        (None, None) => "no response".into(),
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}
