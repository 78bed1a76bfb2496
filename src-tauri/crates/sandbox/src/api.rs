//! The vendor's API: every call authenticates the way the manifest says this vendor does, then
//! the account's faults apply, then the test call answers in the vendor's shape with the
//! account id where the manifest's pointer expects it.

use crate::accounts::account_id;
use crate::events_api;
use crate::paypal_verify;
use crate::vendor::VendorState;
use crate::Faults;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};
use sgen_catalog::{AnswerMeaning, Manifest, RequestAuth, SignatureScheme};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(crate) async fn call(
    State(vendor): State<Arc<VendorState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    // Read whole before answering, as a vendor does: a body left unread makes the server close
    // the connection, which the client's next request on it would find dead.
    body: axum::body::Bytes,
) -> Response {
    let manifest = &vendor.manifest;
    // The vendor takes a credential wherever one of its flows puts it.
    let Some(credential) = std::iter::once(&manifest.request_auth)
        .chain(manifest.request_auth_by_flow.values())
        .find_map(|auth| presented_credential(auth, &headers, &uri))
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "no credential was presented",
        );
    };
    let (account, scopes) = match &credential.field {
        Some(field) if !well_formed(&vendor, field, &credential.value) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_credential",
                "the credential is not valid",
            );
        }
        Some(_) => (
            account_id(vendor.seed, &manifest.slug, &credential.value),
            None,
        ),
        // An OAuth access token: one this vendor issued and has not revoked, not yet expired.
        None => {
            let Some(grant) = vendor.oauth().access_grant(&vendor, &credential.value) else {
                return revoked(manifest);
            };
            if grant.expires_ms <= now_ms() {
                return expired(manifest);
            }
            (grant.account, Some(grant.scopes))
        }
    };
    let faults = vendor.faults(&account);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if let Some(answer) = fault_answer(manifest, &faults) {
        return answer;
    }
    let test_call = &manifest.test_call;
    // `/api/` is Mailchimp's root resource, so the path after `/api` may be just `/`.
    let path = uri.path().strip_prefix("/api").unwrap_or_default();
    if path == events_api::RECORD_PATH && method == Method::POST {
        return events_api::record(&vendor, &account, &body);
    }
    if events_api::is_events_call(&vendor, method.as_str(), path) {
        return events_api::list(&vendor, &account, &uri, &body);
    }
    if manifest.inbound_events.signature == SignatureScheme::PaypalVerifyApi
        && path == paypal_verify::VERIFY_PATH
        && method == Method::POST
    {
        return paypal_verify::verify(&body);
    }
    let action = manifest
        .actions
        .iter()
        .find(|a| a.method.as_str() == method.as_str() && route_matches(&a.path, path));
    let required = match action {
        _ if path == path_only(&test_call.path) => &test_call.required_scopes,
        Some(action) => &action.required_scopes,
        None => {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint at this vendor",
            )
        }
    };
    let held = |scope: &String| {
        !faults.dropped_scopes.contains(scope)
            && scopes
                .as_ref()
                .is_none_or(|granted| granted.contains(scope))
    };
    let missing: Vec<&String> = required.iter().filter(|s| !held(s)).collect();
    if !missing.is_empty() {
        let mut body = json!({"error": {"code": "insufficient_scope", "missing_scopes": missing}});
        if let Some(rule) = test_call.rule_for(AnswerMeaning::ScopeInsufficient) {
            set_pointer(&mut body, &rule.pointer, Value::String(rule.value.clone()));
        }
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    match action {
        Some(_)
            if path != path_only(&test_call.path)
                && !well_formed_body(&method, &headers, &body) =>
        {
            error(
                StatusCode::BAD_REQUEST,
                "invalid_request_body",
                "the request body must be a JSON object (or a form, where the vendor takes forms)",
            )
        }
        // An action is accepted; what it creates is not kept (the app only needs the answer).
        Some(_) if path != path_only(&test_call.path) => (
            StatusCode::OK,
            Json(json!({ "id": format!("sbx_{}", vendor.next_object_id()), "account": account })),
        )
            .into_response(),
        _ => Json(account_shape(
            test_call.account_id_pointer.as_deref(),
            &account,
        ))
        .into_response(),
    }
}

/// Whether a request path is the action's (`/lists/{list_id}/members` matches any list).
/// What a vendor would refuse as a malformed request: a body that is neither a JSON object nor
/// a form. Reads carry no body.
fn well_formed_body(method: &Method, headers: &HeaderMap, body: &[u8]) -> bool {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    *method == Method::GET
        || *method == Method::DELETE
        || form
        || serde_json::from_slice::<Value>(body).is_ok_and(|v| v.is_object())
}

fn route_matches(template: &str, path: &str) -> bool {
    let template = path_only(template);
    let (want, got): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    want.len() == got.len()
        && want
            .iter()
            .zip(&got)
            .all(|(w, g)| w == g || (w.starts_with('{') && w.ends_with('}') && !g.is_empty()))
}

pub(crate) async fn set_faults(
    State(vendor): State<Arc<VendorState>>,
    Path(account): Path<String>,
    Json(faults): Json<Faults>,
) -> StatusCode {
    vendor.set_faults(&account, faults);
    StatusCode::NO_CONTENT
}

struct Presented {
    /// The credential field it should be (None: an OAuth access token).
    field: Option<String>,
    value: String,
}

fn presented_credential(auth: &RequestAuth, headers: &HeaderMap, uri: &Uri) -> Option<Presented> {
    let header_value = |name: &str| headers.get(name)?.to_str().ok().map(str::to_string);
    match auth {
        RequestAuth::Bearer { field, scheme } => {
            let scheme = scheme.as_deref().unwrap_or("Bearer");
            let value = header_value(header::AUTHORIZATION.as_str())?
                .strip_prefix(&format!("{scheme} "))?
                .to_string();
            Some(Presented {
                field: field.clone(),
                value,
            })
        }
        RequestAuth::Header { name, field } => Some(Presented {
            field: Some(field.clone()),
            value: header_value(name)?,
        }),
        RequestAuth::Query { name, field } => {
            let value = uri.query()?.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                (key == name).then(|| value.to_string())
            })?;
            Some(Presented {
                field: Some(field.clone()),
                value,
            })
        }
        RequestAuth::Basic { password_field, .. } => {
            let encoded = header_value(header::AUTHORIZATION.as_str())?
                .strip_prefix("Basic ")?
                .to_string();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            let (_, password) = decoded.split_once(':')?;
            Some(Presented {
                field: Some(password_field.clone()),
                value: password.to_string(),
            })
        }
        RequestAuth::StandardWebhooksSignature => None,
    }
}

/// A key must match the manifest's pattern for its field, as the real vendor's keys do.
fn well_formed(vendor: &VendorState, field: &str, value: &str) -> bool {
    vendor
        .manifest
        .credential_fields
        .iter()
        .find(|f| f.name == field)
        .is_some_and(|f| f.accepts(value))
}

pub(crate) fn fault_answer(manifest: &Manifest, faults: &Faults) -> Option<Response> {
    if faults.revoked {
        return Some(revoked(manifest));
    }
    if faults.token_expired {
        return Some(expired(manifest));
    }
    let status = StatusCode::from_u16(faults.status?).ok()?;
    let mut response = match status {
        // What a vendor says to a request whose fields do not match its schema.
        StatusCode::BAD_REQUEST => error(
            status,
            "invalid_request",
            "the request does not match this endpoint's schema (a sandbox fault)",
        ),
        _ => error(
            status,
            "sandbox_fault",
            "the sandbox was told to fail this call",
        ),
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    Some(response)
}

fn revoked(manifest: &Manifest) -> Response {
    vendor_shaped(manifest, AnswerMeaning::CredentialRevoked).unwrap_or_else(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "revoked",
            "the credential was revoked",
        )
    })
}

fn expired(manifest: &Manifest) -> Response {
    vendor_shaped(manifest, AnswerMeaning::CredentialExpired).unwrap_or_else(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "expired",
            "the access token expired",
        )
    })
}

/// The failure the way this vendor words it, from its manifest's answer rules.
fn vendor_shaped(manifest: &Manifest, means: AnswerMeaning) -> Option<Response> {
    let rule = manifest.test_call.rule_for(means)?;
    let status = StatusCode::from_u16(rule.status).ok()?;
    let mut body = Value::Null;
    set_pointer(&mut body, &rule.pointer, Value::String(rule.value.clone()));
    Some((status, Json(body)).into_response())
}

pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// A body with `account` at `pointer` (`/user/id` → `{"user":{"id":…}}`, `/items/0/id` →
/// `{"items":[{"id":…}]}`), as the vendor's own whoami response has it.
fn account_shape(pointer: Option<&str>, account: &str) -> Value {
    let Some(pointer) = pointer else {
        return json!({"ok": true});
    };
    let mut body = Value::Null;
    set_pointer(&mut body, pointer, Value::String(account.to_string()));
    body
}

/// Puts `leaf` at a JSON pointer inside `into`, making objects (arrays, for numeric tokens)
/// on the way and replacing whatever was in the way.
fn set_pointer(into: &mut Value, pointer: &str, leaf: Value) {
    let mut at = into;
    for token in pointer.split('/').skip(1) {
        at = match token.parse::<usize>() {
            Ok(index) => {
                if !at.is_array() {
                    *at = Value::Array(Vec::new());
                }
                let items = at.as_array_mut().expect("made an array above");
                while items.len() <= index {
                    items.push(json!({}));
                }
                &mut items[index]
            }
            Err(_) => {
                if !at.is_object() {
                    *at = json!({});
                }
                at.as_object_mut()
                    .expect("made an object above")
                    .entry(token)
                    .or_insert(Value::Null)
            }
        };
    }
    *at = leaf;
}
