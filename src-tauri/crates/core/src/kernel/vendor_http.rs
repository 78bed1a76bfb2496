//! Calls to vendors (and sandbox vendors) for a connection: the test call and the attempts of
//! deliveries, built from the manifest with the connection's credentials applied the way the
//! vendor expects them, sent with the process's HTTP clients (`kernel::http`: no redirect
//! followed, bodies read to a limit, failures described without the URL).

use crate::connections::signing_secret_rotation::signing_secrets;
use crate::connections::test_outcome::TestOutcome;
use crate::delivery::form_body;
use crate::kernel::destination_policy::Allowance;
use crate::kernel::http::{self, NoAnswer};
pub(crate) use crate::kernel::http::{DELIVERY_TIMEOUT, TEST_TIMEOUT};
use crate::kernel::redaction::{self, KnownSecrets, REDACTED};
use crate::kernel::request_address::fill_templates;
use crate::{CoreError, CoreResult};
use sgen_catalog::{AuthFlow, BodyEncoding, HttpMethod, Manifest, RequestAuth};
use sgen_vault::{webhook_signing, SecretFields};
use std::time::Duration;

/// The field an OAuth connection's sealed credential keeps its access token in.
pub(crate) const ACCESS_TOKEN: &str = "access_token";
/// Enough for any whoami answer; a larger body is not read.
const BODY_LIMIT: u64 = 256 * 1024;

/// One request to a vendor for a connection, before its credential is attached.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: HttpMethod,
    /// The manifest's path: relative to the API base unless absolute, with `{name}` placeholders.
    pub(crate) path: &'a str,
    pub(crate) body: Vec<u8>,
    /// Values for placeholders beyond the credential's fields: an event's top-level fields.
    pub(crate) values: Option<&'a serde_json::Map<String, serde_json::Value>>,
    /// The Standard Webhooks `webhook-id`, and for other vendors the `Idempotency-Key`: the
    /// same on every attempt of one delivery.
    pub(crate) message_id: &'a str,
    pub(crate) idempotent: bool,
    pub(crate) timeout: Duration,
    /// The SSRF policy the address is judged by; None for the app's own sandbox vendors.
    pub(crate) policy: Option<&'a Allowance>,
}

/// What a vendor answered, read no further than the caller needs.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: serde_json::Value,
    /// The answer as the delivery log keeps it: the headers that drive what happens next and
    /// the body, redacted and cut short.
    pub(crate) recorded: serde_json::Value,
}

/// The answer's headers the delivery log keeps: those that decide when (or whether) to try
/// again, and what the body is.
const RECORDED_HEADERS: [&str; 3] = ["retry-after", "content-type", "location"];
const RECORDED_HEADER_PREFIXES: [&str; 2] = ["x-ratelimit-", "ratelimit"];

/// Makes the connector's test call (read-only by definition in the catalog) and reads the
/// answer as a [`TestOutcome`]. A webhook's test is a signed `sgen.test` message.
pub(crate) fn test_call(
    manifest: &Manifest,
    flow: AuthFlow,
    fields: &SecretFields,
    api_base_override: Option<&str>,
    policy: Option<&Allowance>,
) -> CoreResult<TestOutcome> {
    let call = &manifest.test_call;
    let message_id = format!("msg_test_{:016x}", crate::kernel::ids::random_bits()?);
    let body = match (manifest.request_auth_for(flow), call.method) {
        (RequestAuth::StandardWebhooksSignature, _) => test_message()?,
        (_, HttpMethod::Get | HttpMethod::Delete) => Vec::new(),
        _ => b"{}".to_vec(),
    };
    let outgoing = Outgoing {
        method: call.method,
        path: &call.path,
        body,
        values: None,
        message_id: &message_id,
        idempotent: false,
        timeout: TEST_TIMEOUT,
        policy,
    };
    Ok(
        match prepare(manifest, flow, fields, api_base_override, outgoing)?.send() {
            Ok(answer) => TestOutcome::from_response(manifest, flow, answer.status, &answer.body),
            Err(failed) => TestOutcome::NetworkError {
                reason: failed.reason,
            },
        },
    )
}

/// A request ready to go: its credential attached, owning all it needs, so it can be sent
/// from this thread or handed to the core's runtime.
pub(crate) struct Prepared {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
    timeout: Duration,
    /// Sent by a client whose resolver judges addresses by it.
    pub(crate) policy: Option<Allowance>,
}

/// The most of a request's or an answer's body the delivery log keeps.
pub(crate) const RECORDED_BODY_LIMIT: usize = 4096;

impl Prepared {
    /// The request as an operator may see it (a dry run's would-be request): its method, URL
    /// and headers, with every value of the connection's credential — wherever the manifest
    /// put it: a header, the query, the path — an `Authorization` header's credentials and any
    /// signature replaced by `[redacted]`.
    pub(crate) fn redacted(&self, known: &KnownSecrets) -> serde_json::Value {
        let headers: serde_json::Map<String, serde_json::Value> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let value = value.to_str().unwrap_or_default();
                let shown = match name.as_str() {
                    "authorization" | "proxy-authorization" | "cookie" => {
                        match value.split_once(' ') {
                            Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                            None => REDACTED.to_string(),
                        }
                    }
                    name if name.contains("signature") => REDACTED.to_string(),
                    _ => known.hide(value),
                };
                (name.to_string(), serde_json::Value::String(shown))
            })
            .collect();
        serde_json::json!({
            "method": self.method.as_str(),
            "url": known.hide(self.url.as_str()),
            "headers": headers,
        })
    }

    /// What the delivery log keeps of the request: as [`Prepared::redacted`] shows it, with
    /// its body redacted and cut to [`RECORDED_BODY_LIMIT`].
    pub(crate) fn recorded(&self, known: &KnownSecrets) -> serde_json::Value {
        let mut shown = self.redacted(known);
        let body = redaction::body_excerpt(&self.body, RECORDED_BODY_LIMIT);
        shown["body"] = known.hide(&body).into();
        shown
    }
}

/// The request for `outgoing`, with the connection's credential attached the way the vendor
/// expects it; an error here is ours (a bad address, a missing field), never the network's.
pub(crate) fn prepare(
    manifest: &Manifest,
    flow: AuthFlow,
    fields: &SecretFields,
    api_base_override: Option<&str>,
    outgoing: Outgoing<'_>,
) -> CoreResult<Prepared> {
    let path = fill_templates(outgoing.path, fields, outgoing.values)?;
    let mut url = if path.starts_with("https://") || path.starts_with("http://") {
        path
    } else {
        let base = fill_templates(
            api_base_override.unwrap_or(&manifest.api_base),
            fields,
            None,
        )?;
        format!("{}{}", base.trim_end_matches('/'), path)
    };
    let mut body = outgoing.body;
    let reads = matches!(outgoing.method, HttpMethod::Get | HttpMethod::Delete);
    let form = manifest.request_body == BodyEncoding::Form;
    let method = reqwest::Method::from_bytes(outgoing.method.as_str().as_bytes())
        .map_err(|_| CoreError::Internal("the manifest names an unknown HTTP method".into()))?;
    let mut headers: Vec<(&str, String)> = vec![("Accept", "application/json".into())];
    if reads {
        // A read carries no body: the event's fields become its query (`GET /v1/events?…`).
        if let Some(values) = outgoing.values.filter(|v| !v.is_empty()) {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&form_body::encode(values));
        }
        body = Vec::new();
    } else if form && !body.is_empty() {
        let values = outgoing.values.ok_or_else(|| {
            CoreError::invalid("this vendor takes forms: the event must be a JSON object")
        })?;
        body = form_body::encode(values).into_bytes();
        headers.push(("Content-Type", "application/x-www-form-urlencoded".into()));
    } else if !body.is_empty() {
        headers.push(("Content-Type", "application/json".into()));
    }
    match manifest.request_auth_for(flow) {
        RequestAuth::Bearer { field, scheme } => {
            let scheme = scheme.as_deref().unwrap_or("Bearer");
            let token = required(fields, field.as_deref().unwrap_or(ACCESS_TOKEN))?;
            headers.push(("Authorization", format!("{scheme} {token}")));
        }
        RequestAuth::Header { name, field } => {
            headers.push((name.as_str(), required(fields, field)?.to_string()));
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
            headers.push(("Authorization", format!("Basic {encoded}")));
        }
        RequestAuth::Query { name, field } => {
            let value: String =
                url::form_urlencoded::byte_serialize(required(fields, field)?.as_bytes()).collect();
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{name}={value}"));
        }
        RequestAuth::StandardWebhooksSignature => {
            headers.extend(signature_headers(fields, outgoing.message_id, &body)?);
        }
    }
    if outgoing.idempotent
        && !matches!(
            manifest.request_auth_for(flow),
            RequestAuth::StandardWebhooksSignature
        )
    {
        headers.push(("Idempotency-Key", outgoing.message_id.to_string()));
    }
    let url = reqwest::Url::parse(&url)
        .map_err(|_| CoreError::invalid("the connection's API address is not a valid URL"))?;
    if let Some(policy) = outgoing.policy {
        policy.check_address_in(&url)?;
    }
    let mut header_map = reqwest::header::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| CoreError::invalid(format!("`{name}` is not a valid header name")))?;
        // Never the value in the message: it is usually the credential.
        let value = reqwest::header::HeaderValue::from_str(&value).map_err(|_| {
            CoreError::invalid(format!(
                "the value for the `{name}` header has characters a header cannot carry"
            ))
        })?;
        header_map.append(name, value);
    }
    Ok(Prepared {
        method,
        url,
        headers: header_map,
        body,
        timeout: outgoing.timeout,
        policy: outgoing.policy.cloned(),
    })
}

impl Prepared {
    /// The same request carrying this JSON body, whatever body the vendor's calls usually take
    /// (the sandbox's event log takes events as JSON at every vendor).
    pub(crate) fn with_json(mut self, body: Vec<u8>) -> Self {
        self.headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        self.body = body;
        self
    }

    /// Sends it with the process's blocking client for its timeout and policy.
    pub(crate) fn send(self) -> Result<Answer, NoAnswer> {
        http::client_under(self.timeout, self.policy.as_ref())
            .request(self.method, self.url)
            .headers(self.headers)
            .body(self.body)
            .send()
            .map(|response| {
                let head = Head::of(response.status(), response.headers());
                head.answer(&http::body_up_to(response, BODY_LIMIT))
            })
            .map_err(|e| http::no_answer(&e))
    }

    /// Sends it with `client` (the core runtime's, made for the same timeout and policy).
    pub(crate) async fn send_async(self, client: reqwest::Client) -> Result<Answer, NoAnswer> {
        let response = client
            .request(self.method, self.url)
            .headers(self.headers)
            .body(self.body)
            .send()
            .await
            .map_err(|e| http::no_answer(&e))?;
        let head = Head::of(response.status(), response.headers());
        let body = http::body_up_to_async(response, BODY_LIMIT).await;
        Ok(head.answer(&body))
    }
}

/// An answer's status line and the headers kept of it, read before its body.
struct Head {
    status: u16,
    kept: Vec<(String, String)>,
}

impl Head {
    fn of(status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> Head {
        let kept = headers
            .iter()
            .filter(|(name, _)| {
                let name = name.as_str();
                RECORDED_HEADERS.contains(&name)
                    || RECORDED_HEADER_PREFIXES.iter().any(|p| name.starts_with(p))
            })
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
            .collect();
        Head {
            status: status.as_u16(),
            kept,
        }
    }

    fn answer(self, body: &[u8]) -> Answer {
        let retry_after = self
            .kept
            .iter()
            .find(|(name, _)| name == "retry-after")
            .map(|(_, value)| value.clone());
        let headers: serde_json::Map<String, serde_json::Value> = self
            .kept
            .into_iter()
            .map(|(name, value)| (name, value.into()))
            .collect();
        Answer {
            status: self.status,
            retry_after,
            body: serde_json::from_slice(body).unwrap_or(serde_json::Value::Null),
            recorded: serde_json::json!({
                "status": self.status,
                "headers": headers,
                "body": redaction::body_excerpt(body, RECORDED_BODY_LIMIT),
            }),
        }
    }
}

/// A test message a receiver can recognise and ignore.
fn test_message() -> CoreResult<Vec<u8>> {
    serde_json::to_vec(&serde_json::json!({
        "type": "sgen.test",
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "data": { "message": "A test message from SGEN Integrations; nothing to do." },
    }))
    .map_err(|e| CoreError::Internal(e.to_string()))
}

/// Standard Webhooks headers for `body`, signed now with the connection's secret.
fn signature_headers(
    fields: &SecretFields,
    message_id: &str,
    body: &[u8],
) -> CoreResult<[(&'static str, String); 3]> {
    let now = chrono::Utc::now();
    let now_s = now.timestamp();
    // During a rotation the old secret signs too: the receiver accepts either (the header
    // holds space-separated signatures).
    let secrets = signing_secrets(fields, now.timestamp_millis());
    if secrets.is_empty() {
        return Err(CoreError::Internal(
            "the connection has no signing secret".into(),
        ));
    }
    let signatures = secrets
        .into_iter()
        .map(|secret| webhook_signing::sign(secret, message_id, now_s, body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    Ok([
        ("webhook-id", message_id.to_string()),
        ("webhook-timestamp", now_s.to_string()),
        ("webhook-signature", signatures.join(" ")),
    ])
}

fn required<'f>(fields: &'f SecretFields, name: &str) -> CoreResult<&'f str> {
    fields
        .get(name)
        .map(|s| s.expose())
        .ok_or_else(|| CoreError::Internal(format!("credential field `{name}` is missing")))
}
