//! Verifying an inbound vendor event on its raw bytes, before anything parses it (SPEC §7), by
//! the scheme the connector's manifest declares. A request that fails says which step failed
//! (a missing header, a timestamp too old or too new with the measured skew, no secret that
//! matched), so the operator can tell a wrong secret from a slow clock. Several secrets may be
//! active at once, while the vendor rotates.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sgen_catalog::SignatureScheme;
use sgen_vault::Secret;
use sha2::Sha256;
use ts_rs::TS;

/// How far a signed timestamp may be from this computer's clock, either way (Stripe's and
/// Standard Webhooks' own tolerance; HubSpot allows the same five minutes).
pub const TOLERANCE_S: i64 = 300;

/// A request as the listener received it: the bytes are the body as sent, never re-encoded.
pub struct InboundRequest<'a> {
    pub method: &'a str,
    /// The path and query the request arrived with (a URL secret is in the query).
    pub target: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl InboundRequest<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<&str, Rejection> {
        self.header(name).ok_or(Rejection::MissingHeader {
            header: name.to_string(),
        })
    }
}

/// Why a request was not accepted as the vendor's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
#[ts(export)]
pub enum Rejection {
    /// A header the scheme needs is not there.
    MissingHeader { header: String },
    /// A header (or the body, for a scheme that reads it) is not in the vendor's format.
    Malformed { reason: String },
    /// Signed longer ago than the tolerance: a replay, or this computer's clock is ahead.
    TooOld {
        #[ts(type = "number")]
        skew_s: i64,
    },
    /// Signed in the future beyond the tolerance: this computer's clock is behind.
    TooNew {
        #[ts(type = "number")]
        skew_s: i64,
    },
    /// Well formed, but no active secret gives its signature: a wrong or rotated secret, or a
    /// body changed in transit (re-encoded JSON is a changed body).
    NoSecretMatched,
    /// This scheme cannot be checked here (PayPal verifies through its API; a vendor that
    /// sends no events).
    Unsupported { reason: String },
    /// No secret was entered for the connection yet, so nothing can be verified.
    NoSecret,
    /// The path names no connection of this app.
    UnknownConnection,
    /// The body is longer than the listener takes (answered 413 before it was read whole).
    TooLarge {
        #[ts(type = "number")]
        limit_bytes: u64,
    },
    /// The `Host` header is not this computer's nor a public address the operator gave.
    HostNotAllowed { host: String },
    /// Verified, but the body is not an event of this vendor's (no type where it should be).
    NotAnEvent { reason: String },
    /// The vendor's verify API (PayPal's) says the request is not its own for any webhook id
    /// entered: a wrong id, or a request that did not come from the vendor.
    VendorRejected { answer: String },
    /// The vendor's verify API could not be asked (offline, or it failed): nothing is known
    /// yet. The vendor is answered 503 so it sends again; the request is kept to re-check.
    VendorUnreachable { reason: String },
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::MissingHeader { header } => write!(f, "the `{header}` header is missing"),
            Rejection::Malformed { reason } => write!(f, "{reason}"),
            Rejection::TooOld { skew_s } => write!(
                f,
                "signed {skew_s} s ago, more than {TOLERANCE_S} s: a replay, or this computer's clock is ahead"
            ),
            Rejection::TooNew { skew_s } => write!(
                f,
                "signed {skew_s} s in the future, more than {TOLERANCE_S} s: this computer's clock is behind"
            ),
            Rejection::NoSecretMatched => f.write_str(
                "no active secret gives this signature: check the secret, or the body changed on the way",
            ),
            Rejection::Unsupported { reason } | Rejection::NotAnEvent { reason } => {
                write!(f, "{reason}")
            }
            Rejection::NoSecret => f.write_str(
                "no signing secret was entered for this connection: enter the vendor's, then re-check",
            ),
            Rejection::UnknownConnection => f.write_str("the address names no connection of this app"),
            Rejection::TooLarge { limit_bytes } => {
                write!(f, "the body is longer than {limit_bytes} bytes")
            }
            Rejection::VendorRejected { answer } => write!(
                f,
                "the vendor's verify API says this request is not its own for the webhook ID entered (it answered `{answer}`): check the ID"
            ),
            Rejection::VendorUnreachable { reason } => write!(
                f,
                "the vendor's verify API could not be asked ({reason}): re-check once online; the vendor sends it again too"
            ),
            Rejection::HostNotAllowed { host } => write!(
                f,
                "sent to `{host}`, which is neither this computer nor a public address given for an event source"
            ),
        }
    }
}

/// Whether `request` comes from the vendor, by `scheme`, with any of `secrets`, at `now_s`.
/// `public_url` is the address the vendor was given and signs (HubSpot, Square), which is not
/// the loopback address the request arrived at.
pub fn verify(
    scheme: SignatureScheme,
    request: &InboundRequest<'_>,
    public_url: &str,
    secrets: &[Secret],
    now_s: i64,
) -> Result<(), Rejection> {
    if scheme != SignatureScheme::None && secrets.is_empty() {
        return Err(Rejection::NoSecret);
    }
    match scheme {
        SignatureScheme::StripeV1 => stripe_v1(request, secrets, now_s),
        SignatureScheme::StandardWebhooks => standard_webhooks(request, secrets, now_s),
        SignatureScheme::HubspotV3 => hubspot_v3(request, public_url, secrets, now_s),
        SignatureScheme::SquareHmacSha256 => square(request, public_url, secrets),
        SignatureScheme::UrlSecret => url_secret(request, secrets),
        SignatureScheme::BasicAuth => basic_auth(request, secrets),
        SignatureScheme::ChannelTokenHeader => {
            let token = request.required("X-Goog-Channel-Token")?;
            matching(secrets, |s| same(s.expose().as_bytes(), token.as_bytes()))
        }
        SignatureScheme::BodyToken => body_token(request, secrets),
        // Asked of PayPal's API by `paypal_check.rs`, never judged from memory.
        SignatureScheme::PaypalVerifyApi => Err(Rejection::Unsupported {
            reason: "PayPal checks its events only through its verify-webhook-signature API".into(),
        }),
        SignatureScheme::None => Err(Rejection::Unsupported {
            reason: "this vendor sends no events".into(),
        }),
    }
}

/// When the vendor says it signed the request (seconds), for the schemes that sign a time;
/// read apart from `verify` so the event log can show the skew of a verified event too.
pub fn signed_at(scheme: SignatureScheme, request: &InboundRequest<'_>) -> Option<i64> {
    match scheme {
        SignatureScheme::StripeV1 => request
            .header("Stripe-Signature")?
            .split(',')
            .find_map(|part| part.trim().strip_prefix("t="))?
            .parse()
            .ok(),
        SignatureScheme::StandardWebhooks => request.header("webhook-timestamp")?.parse().ok(),
        SignatureScheme::HubspotV3 => request
            .header("X-HubSpot-Request-Timestamp")?
            .parse::<i64>()
            .ok()
            .map(|ms| ms / 1000),
        _ => None,
    }
}

/// `Stripe-Signature: t=…,v1=…[,v1=…]`: HMAC-SHA256 (hex) of `{t}.{body}` with the secret.
fn stripe_v1(
    request: &InboundRequest<'_>,
    secrets: &[Secret],
    now_s: i64,
) -> Result<(), Rejection> {
    let header = request.required("Stripe-Signature")?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(hex::decode(sig).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| Rejection::Malformed {
        reason: "`Stripe-Signature` has no `t=`".into(),
    })?;
    if signatures.is_empty() {
        return Err(Rejection::Malformed {
            reason: "`Stripe-Signature` has no `v1=` signature".into(),
        });
    }
    within_tolerance(timestamp, now_s)?;
    let signed = stripe_message(timestamp, request.body);
    matching(secrets, |secret| {
        signatures.iter().any(|sig| {
            hmac(secret.expose().as_bytes(), &signed)
                .verify_slice(sig)
                .is_ok()
        })
    })
}

/// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64> …`,
/// checked by the reference implementation's crate. The timestamp is judged here first, so a
/// rejection reports the skew; the crate then judges it again by the system clock, which is
/// the core's own outside tests.
fn standard_webhooks(
    request: &InboundRequest<'_>,
    secrets: &[Secret],
    now_s: i64,
) -> Result<(), Rejection> {
    request.required("webhook-id")?;
    request.required("webhook-signature")?;
    let timestamp = request
        .required("webhook-timestamp")?
        .parse::<i64>()
        .map_err(|_| Rejection::Malformed {
            reason: "`webhook-timestamp` is not a number".into(),
        })?;
    within_tolerance(timestamp, now_s)?;
    let mut headers = http::HeaderMap::new();
    for (name, value) in request.headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    matching(secrets, |secret| {
        standardwebhooks::Webhook::new(secret.expose())
            .is_ok_and(|hook| hook.verify(request.body, &headers).is_ok())
    })
}

/// HubSpot v3: base64 HMAC-SHA256 of method + public URL + body + `X-HubSpot-Request-Timestamp`
/// (milliseconds), with the app's client secret.
fn hubspot_v3(
    request: &InboundRequest<'_>,
    public_url: &str,
    secrets: &[Secret],
    now_s: i64,
) -> Result<(), Rejection> {
    let signature = base64_decoded(request.required("X-HubSpot-Signature-v3")?)?;
    let timestamp_ms = request.required("X-HubSpot-Request-Timestamp")?;
    let millis = timestamp_ms
        .parse::<i64>()
        .map_err(|_| Rejection::Malformed {
            reason: "`X-HubSpot-Request-Timestamp` is not a number".into(),
        })?;
    within_tolerance(millis / 1000, now_s)?;
    let signed = hubspot_message(request.method, public_url, request.body, timestamp_ms);
    matching(secrets, |secret| {
        hmac(secret.expose().as_bytes(), &signed)
            .verify_slice(&signature)
            .is_ok()
    })
}

/// Square: base64 HMAC-SHA256 of the notification URL + body, with the signature key. Square
/// signs no timestamp, so a replay is caught by deduplication, not here.
fn square(
    request: &InboundRequest<'_>,
    public_url: &str,
    secrets: &[Secret],
) -> Result<(), Rejection> {
    let signature = base64_decoded(request.required("x-square-hmacsha256-signature")?)?;
    let signed = square_message(public_url, request.body);
    matching(secrets, |secret| {
        hmac(secret.expose().as_bytes(), &signed)
            .verify_slice(&signature)
            .is_ok()
    })
}

/// `?secret=…` in the address the vendor calls.
fn url_secret(request: &InboundRequest<'_>, secrets: &[Secret]) -> Result<(), Rejection> {
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
    let given = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "secret")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| Rejection::Malformed {
            reason: "the address has no `secret` parameter".into(),
        })?;
    matching(secrets, |s| same(s.expose().as_bytes(), given.as_bytes()))
}

/// `Authorization: Basic base64(user:password)`, the secret being `user:password`.
fn basic_auth(request: &InboundRequest<'_>, secrets: &[Secret]) -> Result<(), Rejection> {
    let header = request.required("Authorization")?;
    let encoded = header
        .strip_prefix("Basic ")
        .ok_or_else(|| Rejection::Malformed {
            reason: "`Authorization` is not HTTP Basic".into(),
        })?;
    let given = base64_decoded(encoded)?;
    matching(secrets, |s| same(s.expose().as_bytes(), &given))
}

/// Zoho puts the token it was given in the body, so this one scheme reads the JSON first.
fn body_token(request: &InboundRequest<'_>, secrets: &[Secret]) -> Result<(), Rejection> {
    let body: serde_json::Value =
        serde_json::from_slice(request.body).map_err(|_| Rejection::Malformed {
            reason: "the body is not JSON".into(),
        })?;
    let token = body["token"].as_str().ok_or_else(|| Rejection::Malformed {
        reason: "the body has no `token`".into(),
    })?;
    matching(secrets, |s| same(s.expose().as_bytes(), token.as_bytes()))
}

fn within_tolerance(signed_s: i64, now_s: i64) -> Result<(), Rejection> {
    let skew_s = now_s.saturating_sub(signed_s);
    match skew_s {
        s if s > TOLERANCE_S => Err(Rejection::TooOld { skew_s: s }),
        s if s < -TOLERANCE_S => Err(Rejection::TooNew { skew_s: -s }),
        _ => Ok(()),
    }
}

fn matching(secrets: &[Secret], matches: impl Fn(&Secret) -> bool) -> Result<(), Rejection> {
    match secrets.iter().any(matches) {
        true => Ok(()),
        false => Err(Rejection::NoSecretMatched),
    }
}

/// What Stripe signs: `{t}.{body}`.
pub(super) fn stripe_message(timestamp: i64, body: &[u8]) -> Vec<u8> {
    [timestamp.to_string().as_bytes(), b".", body].concat()
}

/// What HubSpot v3 signs: method, the public URL, the body, the timestamp in ms as sent.
pub(super) fn hubspot_message(
    method: &str,
    public_url: &str,
    body: &[u8],
    timestamp_ms: &str,
) -> Vec<u8> {
    [
        method.as_bytes(),
        public_url.as_bytes(),
        body,
        timestamp_ms.as_bytes(),
    ]
    .concat()
}

/// What Square signs: the notification URL and the body.
pub(super) fn square_message(public_url: &str, body: &[u8]) -> Vec<u8> {
    [public_url.as_bytes(), body].concat()
}

pub(super) fn hmac(key: &[u8], message: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac
}

/// Equal, in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    // Comparing the MACs of both under one key is constant-time and length-hiding.
    let tag = hmac(b"sgen-compare", a).finalize().into_bytes();
    hmac(b"sgen-compare", b).verify_slice(&tag).is_ok()
}

fn base64_decoded(text: &str) -> Result<Vec<u8>, Rejection> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| Rejection::Malformed {
            reason: "a signature or credential is not base64".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SCHEMES: [SignatureScheme; 10] = [
        SignatureScheme::StripeV1,
        SignatureScheme::StandardWebhooks,
        SignatureScheme::HubspotV3,
        SignatureScheme::SquareHmacSha256,
        SignatureScheme::PaypalVerifyApi,
        SignatureScheme::UrlSecret,
        SignatureScheme::BasicAuth,
        SignatureScheme::ChannelTokenHeader,
        SignatureScheme::BodyToken,
        SignatureScheme::None,
    ];

    fn header() -> impl Strategy<Value = (String, String)> {
        let name = prop_oneof![
            Just("Stripe-Signature".to_string()),
            Just("webhook-id".to_string()),
            Just("webhook-timestamp".to_string()),
            Just("webhook-signature".to_string()),
            Just("X-HubSpot-Signature-v3".to_string()),
            Just("X-HubSpot-Request-Timestamp".to_string()),
            Just("x-square-hmacsha256-signature".to_string()),
            Just("Authorization".to_string()),
            Just("X-Goog-Channel-Token".to_string()),
            "[A-Za-z-]{1,20}",
        ];
        let value = prop_oneof![
            "t=-?[0-9]{0,20},v1=[0-9a-f]{0,70}(,v1=.{0,10})?",
            "v1,[A-Za-z0-9+/=]{0,50}( v1,.{0,10})?",
            "-?[0-9]{0,22}",
            "Basic [A-Za-z0-9+/=]{0,30}",
            ".{0,60}",
        ];
        (name, value)
    }

    proptest! {
        /// Whatever a stranger sends to the listener, verifying it answers, never panics.
        #[test]
        fn fuzz_verification_never_panics(
            scheme in 0..SCHEMES.len(),
            headers in prop::collection::vec(header(), 0..6),
            target in "/in/[a-z0-9_]{0,10}(\\?[a-z=&%0-9]{0,30})?",
            body in prop::collection::vec(any::<u8>(), 0..200),
            now in any::<i64>(),
        ) {
            let request = InboundRequest { method: "POST", target: &target, headers: &headers, body: &body };
            let _ = verify(SCHEMES[scheme], &request, "https://h.example/in/c", &[Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")], now);
        }
    }
}
