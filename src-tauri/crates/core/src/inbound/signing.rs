//! Signing a request the way each vendor does, for the sandbox's emitter (SPEC §7: "like
//! `stripe trigger`, but offline and for every vendor"), the benchmark and the tests. It builds
//! each scheme's signed message with the same functions verification checks it with.

use crate::inbound::verification::{hmac, hubspot_message, square_message, stripe_message};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::Mac;
use sgen_catalog::SignatureScheme;
use sgen_vault::Secret;

/// A request as a vendor would send it to `/in/{connection}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The path and query to send to (a URL secret is in the query).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl SignedRequest {
    /// The request as the listener receives it (a POST).
    pub fn request(&self) -> crate::inbound::verification::InboundRequest<'_> {
        crate::inbound::verification::InboundRequest {
            method: "POST",
            target: &self.target,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

/// What to sign.
pub struct Unsigned<'a> {
    pub scheme: SignatureScheme,
    /// `/in/{connection}`.
    pub path: &'a str,
    /// The address the vendor was given (HubSpot and Square sign it).
    pub public_url: &'a str,
    pub body: Vec<u8>,
    /// Extra headers the event carries (Google's resource state, say).
    pub headers: Vec<(String, String)>,
    /// The message id, for Standard Webhooks.
    pub message_id: &'a str,
    /// When it is signed, seconds since the epoch.
    pub at_s: i64,
}

/// An event as Stripe sends it to `path`, signed at `at_s` with `secret` (the benchmarks and the
/// kill tests send many).
pub fn sign_as_stripe(path: &str, body: Vec<u8>, at_s: i64, secret: &Secret) -> SignedRequest {
    sign(
        Unsigned {
            scheme: SignatureScheme::StripeV1,
            path,
            public_url: "",
            body,
            headers: Vec::new(),
            message_id: "",
            at_s,
        },
        secret,
    )
    .expect("Stripe's scheme signs any body")
}

pub fn sign(unsigned: Unsigned<'_>, secret: &Secret) -> Result<SignedRequest, String> {
    let Unsigned {
        scheme,
        path,
        public_url,
        mut body,
        mut headers,
        message_id,
        at_s,
    } = unsigned;
    let key = secret.expose().as_bytes();
    let mut target = path.to_string();
    let mut header = |name: &str, value: String| headers.push((name.to_string(), value));
    match scheme {
        SignatureScheme::StripeV1 => {
            let mac = hmac(key, &stripe_message(at_s, &body))
                .finalize()
                .into_bytes();
            header(
                "Stripe-Signature",
                format!("t={at_s},v1={}", hex::encode(mac)),
            );
        }
        SignatureScheme::StandardWebhooks => {
            let hook = standardwebhooks::Webhook::new(secret.expose())
                .map_err(|e| format!("not a Standard Webhooks secret: {e:?}"))?;
            let signature = hook
                .sign(message_id, at_s, &body)
                .map_err(|e| format!("cannot sign: {e:?}"))?;
            header("webhook-id", message_id.to_string());
            header("webhook-timestamp", at_s.to_string());
            header("webhook-signature", signature);
        }
        SignatureScheme::HubspotV3 => {
            let millis = (at_s * 1000).to_string();
            let signed = hubspot_message("POST", public_url, &body, &millis);
            let mac = hmac(key, &signed).finalize().into_bytes();
            header("X-HubSpot-Signature-v3", STANDARD.encode(mac));
            header("X-HubSpot-Request-Timestamp", millis);
        }
        SignatureScheme::SquareHmacSha256 => {
            let mac = hmac(key, &square_message(public_url, &body))
                .finalize()
                .into_bytes();
            header("x-square-hmacsha256-signature", STANDARD.encode(mac));
        }
        SignatureScheme::UrlSecret => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("secret", secret.expose())
                .finish();
            target = format!("{path}?{query}");
        }
        SignatureScheme::BasicAuth => {
            header("Authorization", format!("Basic {}", STANDARD.encode(key)));
        }
        SignatureScheme::ChannelTokenHeader => {
            header("X-Goog-Channel-Token", secret.expose().to_string());
        }
        SignatureScheme::BodyToken => {
            let mut json: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("the body is not JSON: {e}"))?;
            json["token"] = serde_json::Value::String(secret.expose().to_string());
            body = serde_json::to_vec(&json).expect("a JSON value serializes");
        }
        // As the sandbox PayPal signs (the real one signs with its certificate); the app
        // still asks the vendor's verify API, as it does online.
        SignatureScheme::PaypalVerifyApi => {
            let event: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("the body is not JSON: {e}"))?;
            let time = chrono::DateTime::from_timestamp(at_s, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let signature = sgen_sandbox::paypal_verify::transmission_signature(
                secret.expose(),
                message_id,
                &time,
                &event,
            );
            header("PAYPAL-TRANSMISSION-ID", message_id.to_string());
            header("PAYPAL-TRANSMISSION-TIME", time);
            header("PAYPAL-TRANSMISSION-SIG", signature);
            header("PAYPAL-AUTH-ALGO", "SHA256withRSA".into());
            header(
                "PAYPAL-CERT-URL",
                "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-sandbox".into(),
            );
        }
        SignatureScheme::None => {
            return Err(format!(
                "`{}` events are not signed with a secret the app holds",
                scheme.as_str()
            ))
        }
    }
    Ok(SignedRequest {
        target,
        headers,
        body,
    })
}
