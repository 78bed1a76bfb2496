//! PayPal's `POST /v1/notifications/verify-webhook-signature`: PayPal checks that an event it
//! delivered is its own, given the transmission headers, the webhook's id and the event. The
//! real PayPal signs with a certificate only it holds; the sandbox stands in for that with an
//! HMAC keyed by the webhook's id over the same fields, so the app's emitter can sign as the
//! sandbox PayPal does and the app must still ask the vendor, as it does online.

use crate::api::error;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Under the API base.
pub const VERIFY_PATH: &str = "/v1/notifications/verify-webhook-signature";

/// The `PAYPAL-TRANSMISSION-SIG` the sandbox PayPal gives an event sent to `webhook_id`.
pub fn transmission_signature(
    webhook_id: &str,
    transmission_id: &str,
    transmission_time: &str,
    event: &Value,
) -> String {
    // The event as JSON the same way on both sides: the verify call carries it parsed, so its
    // original bytes are not what is compared (PayPal's own check has the same property).
    let digest = Sha256::digest(serde_json::to_vec(event).expect("a JSON value serializes"));
    let message = format!(
        "{transmission_id}|{transmission_time}|{webhook_id}|{}",
        hex_of(&digest)
    );
    let mut mac =
        Hmac::<Sha256>::new_from_slice(webhook_id.as_bytes()).expect("HMAC takes any key");
    mac.update(message.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct VerifyRequest {
    auth_algo: String,
    cert_url: String,
    transmission_id: String,
    transmission_sig: String,
    transmission_time: String,
    webhook_id: String,
    webhook_event: Value,
}

pub(crate) fn verify(body: &[u8]) -> Response {
    let request: VerifyRequest = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                &format!("Invalid request: {e}"),
            )
        }
    };
    if request.auth_algo.is_empty() || request.cert_url.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "auth_algo and cert_url are required",
        );
    }
    let expected = transmission_signature(
        &request.webhook_id,
        &request.transmission_id,
        &request.transmission_time,
        &request.webhook_event,
    );
    let status = match expected == request.transmission_sig {
        true => "SUCCESS",
        false => "FAILURE",
    };
    Json(json!({ "verification_status": status })).into_response()
}
