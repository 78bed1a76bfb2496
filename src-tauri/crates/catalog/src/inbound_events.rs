//! The manifest's `inbound_events`: which events a vendor sends, how they are signed, where an
//! event's id and type are, and the events API to catch up from.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundEvents {
    pub signature: SignatureScheme,
    #[serde(default)]
    pub types: Vec<String>,
    /// How the vendor encodes the body.
    #[serde(default)]
    pub format: BodyFormat,
    /// The body is a JSON array of events (HubSpot, SendGrid), each received on its own.
    #[serde(default)]
    pub batch: bool,
    /// Where an event's id is, in parts joined with `:`; none (or a part missing from an
    /// event) means the vendor sends no id, and the key is a digest of the event's bytes.
    #[serde(default)]
    pub id: Vec<FieldSource>,
    /// Where an event's type is, in parts joined with `.`.
    #[serde(default, rename = "type")]
    pub type_from: Vec<FieldSource>,
    /// The catalog's name of a type the vendor words otherwise in the event itself (Zoho
    /// subscribes to `Leads.create` and sends `"operation": "insert"`).
    #[serde(default)]
    pub type_names: std::collections::BTreeMap<String, String>,
    /// A sample event for the sandbox's emitter, which the operator may edit before sending.
    /// In its strings `$id` becomes a fresh id; a whole value `$time` the signing time in
    /// seconds, `$time_ms` in milliseconds, `$iso` as RFC 3339, `$type` the event's type.
    #[serde(default)]
    pub example: Option<serde_json::Value>,
    /// The vendor's events API, to catch up on what was missed; None where it has none.
    #[serde(default)]
    pub events_api: Option<EventsApi>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    #[default]
    Json,
    /// `application/x-www-form-urlencoded` (Mailchimp, ActiveCampaign): read as an object
    /// of its keys, so `/type` is the `type` field.
    Form,
}

/// One part of an event's id or type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldSource {
    /// A request header, by name.
    Header(String),
    /// A JSON pointer (RFC 6901) into the event.
    Body(String),
}

/// A vendor's list of recent events, newest first, read page by page from a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsApi {
    pub style: EventsApiStyle,
    /// Under the API base, e.g. `/v1/events`.
    pub path: String,
    /// How long the vendor keeps events: closed longer than this, the app misses some.
    pub retention_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventsApiStyle {
    /// `GET …?limit=…&created[gte]=…&starting_after=evt_…` answering `{"data": […],
    /// "has_more"}`, newest first (Stripe).
    StripeList,
    /// `POST …` with `{"cursor", "limit", "query": {"filter": {"created_at": {"start_at"}},
    /// "sort"}}` answering `{"events": […], "cursor"}` (Square).
    SquareSearch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureScheme {
    /// `Stripe-Signature: t=…,v1=…` HMAC-SHA256 over `t.body`.
    StripeV1,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
    StandardWebhooks,
    /// `X-HubSpot-Signature-v3` HMAC-SHA256 over method, URI, body and timestamp.
    HubspotV3,
    /// `x-square-hmacsha256-signature` over notification URL + body.
    SquareHmacSha256,
    /// PayPal's verify-webhook-signature API call.
    PaypalVerifyApi,
    /// The vendor does not sign: a secret in the query of the URL it is given (`?secret=…`:
    /// Mailchimp, Brevo, ActiveCampaign).
    UrlSecret,
    /// The vendor sends the HTTP Basic credentials it was given (Pipedrive).
    BasicAuth,
    /// The vendor echoes the channel token it was given in `X-Goog-Channel-Token` (Google
    /// Calendar and Drive push notifications).
    ChannelTokenHeader,
    /// The vendor echoes the token it was given in the JSON body's `token` (Zoho CRM
    /// notifications).
    BodyToken,
    /// The vendor does not send events.
    None,
}

impl SignatureScheme {
    /// The manifest's name for the scheme.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::StripeV1 => "stripe_v1",
            SignatureScheme::StandardWebhooks => "standard_webhooks",
            SignatureScheme::HubspotV3 => "hubspot_v3",
            SignatureScheme::SquareHmacSha256 => "square_hmac_sha256",
            SignatureScheme::PaypalVerifyApi => "paypal_verify_api",
            SignatureScheme::UrlSecret => "url_secret",
            SignatureScheme::BasicAuth => "basic_auth",
            SignatureScheme::ChannelTokenHeader => "channel_token_header",
            SignatureScheme::BodyToken => "body_token",
            SignatureScheme::None => "none",
        }
    }
}
