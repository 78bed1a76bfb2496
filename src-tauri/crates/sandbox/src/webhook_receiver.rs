//! The sandbox's webhook receiver (the vendor behind the outbound-webhook connector): it checks
//! Standard Webhooks signatures against the signing secrets registered with it, the way an
//! operator's own endpoint would after they paste in the secret the app showed them once.

use crate::accounts::account_id;
use crate::api::{error, fault_answer, now_ms};
use crate::vendor::VendorState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use sgen_vault::webhook_signing::verify;
use sgen_vault::Secret;
use std::sync::Arc;
use std::time::Duration;

/// Where a secret is registered from another process (`sandbox` CLI, tests).
pub(crate) const SIGNING_SECRETS_PATH: &str = "/_sandbox/signing-secrets";
/// How old a message may be, as the reference verifiers allow.
const TOLERANCE_S: i64 = 300;

#[derive(Deserialize)]
pub(crate) struct Registration {
    secret: Secret,
}

pub(crate) async fn register(
    State(vendor): State<Arc<VendorState>>,
    Json(registration): Json<Registration>,
) -> StatusCode {
    vendor.register_signing_secret(registration.secret);
    StatusCode::NO_CONTENT
}

pub(crate) async fn receive(
    State(vendor): State<Arc<VendorState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(id), Some(timestamp), Some(signature)) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing_headers",
            "webhook-id, webhook-timestamp and webhook-signature are required",
        );
    };
    let Ok(timestamp) = timestamp.parse::<i64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_timestamp",
            "webhook-timestamp is not a number of seconds",
        );
    };
    if (now_ms() / 1000 - timestamp).abs() > TOLERANCE_S {
        return error(
            StatusCode::UNAUTHORIZED,
            "stale_timestamp",
            "webhook-timestamp is outside the tolerance",
        );
    }
    let Some(secret) = vendor
        .signing_secrets()
        .into_iter()
        .find(|secret| verify(secret, id, timestamp, &body, signature))
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            "no registered signing secret made this signature",
        );
    };
    let account = account_id(vendor.seed, &vendor.manifest.slug, secret.expose());
    let faults = vendor.faults(&account);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if let Some(answer) = fault_answer(&vendor.manifest, &faults) {
        return answer;
    }
    Json(json!({ "received": id })).into_response()
}
