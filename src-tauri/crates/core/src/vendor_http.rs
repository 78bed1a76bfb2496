//! Calls to vendors (and sandbox vendors) for a connection: the test call, built from the
//! manifest with the connection's credentials applied the way the vendor expects them. The
//! client follows no redirects and gives up after 10 s; failures are described without the URL,
//! which can carry a key in its query.

use crate::signed_token::SIGNING_SECRET;
use crate::test_outcome::TestOutcome;
use crate::{CoreError, CoreResult};
use sgen_catalog::{AuthFlow, HttpMethod, Manifest, RequestAuth};
use sgen_vault::{webhook_signing, SecretFields};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
/// The field an OAuth connection's sealed credential keeps its access token in.
pub(crate) const ACCESS_TOKEN: &str = "access_token";
/// Enough for any whoami answer; a larger body is not read.
const BODY_LIMIT: u64 = 256 * 1024;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .user_agent(concat!("sgen-integrations/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Makes the connector's test call (read-only by definition in the catalog) and reads the
/// answer as a [`TestOutcome`].
pub(crate) fn test_call(
    manifest: &Manifest,
    flow: AuthFlow,
    fields: &SecretFields,
    api_base_override: Option<&str>,
) -> CoreResult<TestOutcome> {
    let call = &manifest.test_call;
    let path = fill_templates(&call.path, fields)?;
    let mut url = if path.starts_with("https://") || path.starts_with("http://") {
        path
    } else {
        let base = fill_templates(api_base_override.unwrap_or(&manifest.api_base), fields)?;
        format!("{}{}", base.trim_end_matches('/'), path)
    };
    let mut request = ureq::http::Request::builder().method(method(call.method));
    match manifest.request_auth_for(flow) {
        RequestAuth::Bearer {
            field: Some(field),
            scheme,
        } => {
            let scheme = scheme.as_deref().unwrap_or("Bearer");
            request = request.header(
                "Authorization",
                format!("{scheme} {}", required(fields, field)?),
            );
        }
        RequestAuth::Header { name, field } => {
            request = request.header(name.as_str(), required(fields, field)?);
        }
        RequestAuth::Basic {
            username_field,
            password_field,
        } => {
            use base64::Engine;
            let pair = format!(
                "{}:{}",
                required(fields, username_field)?,
                required(fields, password_field)?
            );
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            request = request.header("Authorization", format!("Basic {encoded}"));
        }
        RequestAuth::Query { name, field } => {
            let value: String =
                url::form_urlencoded::byte_serialize(required(fields, field)?.as_bytes()).collect();
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{name}={value}"));
        }
        RequestAuth::Bearer {
            field: None,
            scheme,
        } => {
            let scheme = scheme.as_deref().unwrap_or("Bearer");
            request = request.header(
                "Authorization",
                format!("{scheme} {}", required(fields, ACCESS_TOKEN)?),
            );
        }
        RequestAuth::StandardWebhooksSignature => {
            let (headers, body) = signed_test_message(fields)?;
            for (name, value) in headers {
                request = request.header(name, value);
            }
            return send(request, &url, body, manifest, flow);
        }
    }
    let body: Vec<u8> = match call.method {
        HttpMethod::Get | HttpMethod::Delete => Vec::new(),
        _ => b"{}".to_vec(),
    };
    send(request, &url, body, manifest, flow)
}

fn send(
    request: ureq::http::request::Builder,
    url: &str,
    body: Vec<u8>,
    manifest: &Manifest,
    flow: AuthFlow,
) -> CoreResult<TestOutcome> {
    let request = request
        .uri(url)
        .header("Accept", "application/json")
        .body(body)
        .map_err(|_| CoreError::invalid("the connection's API address is not a valid URL"))?;
    let mut response = match agent().run(request) {
        Ok(response) => response,
        Err(err) => {
            return Ok(TestOutcome::NetworkError {
                reason: describe(&err),
            })
        }
    };
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok(TestOutcome::from_response(manifest, flow, status, &body))
}

/// Header name and value pairs a signed message carries.
type SignedHeaders = [(&'static str, String); 4];

/// A Standard Webhooks test message: an event of type `sgen.test` that a receiver can
/// recognise and ignore, signed with the connection's secret.
fn signed_test_message(fields: &SecretFields) -> CoreResult<(SignedHeaders, Vec<u8>)> {
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let message_id = format!("msg_test_{:016x}", crate::ids::random_bits()?);
    let body = serde_json::to_vec(&serde_json::json!({
        "type": "sgen.test",
        "timestamp": chrono::DateTime::from_timestamp(now_s, 0).map(|t| t.to_rfc3339()),
        "data": { "message": "A test message from SGEN Integrations; nothing to do." },
    }))
    .map_err(|e| CoreError::Internal(e.to_string()))?;
    let secret = fields
        .get(SIGNING_SECRET)
        .ok_or_else(|| CoreError::Internal("the connection has no signing secret".into()))?;
    let signature = webhook_signing::sign(secret, &message_id, now_s, &body)
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    Ok((
        [
            ("content-type", "application/json".to_string()),
            ("webhook-id", message_id),
            ("webhook-timestamp", now_s.to_string()),
            ("webhook-signature", signature),
        ],
        body,
    ))
}

fn method(method: HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Delete => "DELETE",
    }
}

fn required<'f>(fields: &'f SecretFields, name: &str) -> CoreResult<&'f str> {
    fields
        .get(name)
        .map(|s| s.expose())
        .ok_or_else(|| CoreError::Internal(format!("credential field `{name}` is missing")))
}

/// `{name}` placeholders filled from the connection's fields (`{account_url}`, `{site_id}`).
fn fill_templates(text: &str, fields: &SecretFields) -> CoreResult<String> {
    let mut filled = text.to_string();
    for name in fields.names() {
        let value = fields.get(name).map(|s| s.expose()).unwrap_or_default();
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    match (filled.find('{'), filled.find('}')) {
        (Some(start), Some(end)) if start < end => Err(CoreError::invalid(format!(
            "the connection has no value for {} in its API address",
            &filled[start..=end]
        ))),
        _ => Ok(filled),
    }
}

/// A network failure in words, without the request (its URL may hold a key).
pub(crate) fn describe(err: &ureq::Error) -> String {
    match err {
        ureq::Error::ConnectionFailed => "connection refused".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::Io(e) => match e.raw_os_error() {
            Some(code) => format!("network error ({}, OS error {code})", e.kind()),
            None => format!("network error ({e})"),
        },
        ureq::Error::Tls(_) => "TLS handshake failed".into(),
        _ => "the request failed".into(),
    }
}
