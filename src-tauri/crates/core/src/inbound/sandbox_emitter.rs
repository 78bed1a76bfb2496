//! The sandbox's event emitter (SPEC §7): on a sandbox (demo) site, any connection whose vendor
//! sends events can be sent one of its catalog types, signed with the connection's own secret
//! exactly as the vendor signs it, to the running listener — like `stripe trigger`, offline and
//! for every vendor. The payload starts as the manifest's example; a chosen signing time shows
//! a clock-skew rejection, "twice" shows deduplication, a wrong secret shows a refusal.
//! Where the vendor has an events API, the sandbox vendor keeps the event in it first, as the
//! real one does; "missed" keeps it there only, so catching up is what finds it.

use crate::access::{self, Target};
use crate::inbound::signing::{sign, Unsigned};
use crate::kernel::http;
use crate::kernel::ids::random_bits;
use crate::kernel::vendor_http::{self, Outgoing};
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sgen_catalog::{BodyFormat, FieldSource, HttpMethod, InboundEvents, SignatureScheme};
use sgen_vault::Secret;
use std::time::Duration;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmitRequest {
    pub connection_id: String,
    pub event_type: String,
    /// The event as the operator edited it; otherwise the vendor's example.
    #[ts(optional)]
    pub payload: Option<Value>,
    /// When it is signed, ms since the epoch; otherwise now.
    #[ts(optional, type = "number")]
    pub signed_at: Option<i64>,
    /// Send the same request twice.
    #[ts(optional)]
    pub twice: Option<bool>,
    /// Sign with a secret that is not the connection's.
    #[ts(optional)]
    pub wrong_secret: Option<bool>,
    /// The vendor keeps it in its events API but never reaches the app (as while it was
    /// closed): nothing is sent, and catching up finds it.
    #[ts(optional)]
    pub missed: Option<bool>,
}

/// What the listener answered, per request sent.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EmitAnswer {
    pub status: u16,
    pub answer: Value,
}

impl Core {
    /// The example the emitter starts from, placeholders unresolved, for the operator to edit.
    pub fn sandbox_event_example(&self, connection_id: &str) -> CoreResult<Value> {
        let record = self.record(connection_id)?;
        let spec = &self.manifest(&record.connector_type)?.inbound_events;
        spec.example
            .clone()
            .ok_or_else(|| CoreError::invalid("this connector's vendor sends no events"))
    }

    pub fn sandbox_emit(&self, request: &EmitRequest) -> CoreResult<Vec<EmitAnswer>> {
        self.authorize(
            access::Operation::EmitSandboxEvent,
            Target::Connection(&request.connection_id),
        )?;
        let record = self.record(&request.connection_id)?;
        let site_id = self.site_of_environment(record.environment_id)?;
        if !self.sites()?.iter().any(|s| s.id == site_id && s.demo) {
            return Err(CoreError::invalid(
                "events are emitted on sandbox sites only: on a live site they would act on real data",
            ));
        }
        let spec = &self.manifest(&record.connector_type)?.inbound_events;
        if !spec.types.contains(&request.event_type) {
            return Err(CoreError::invalid(format!(
                "`{}` is not one of this vendor's event types ({})",
                request.event_type,
                spec.types.join(", ")
            )));
        }
        // This process's listener, or the one the app (or `events listen`) runs on the set port.
        let address = match self.inbound_address() {
            Some(address) => address.to_string(),
            None => format!("127.0.0.1:{}", self.inbound_port()?),
        };
        let secret = match request.wrong_secret.unwrap_or(false) {
            true => random_secret(spec.signature)?,
            false => self
                .event_secrets(&record.id)?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    CoreError::invalid("enter this connection's signing secret first")
                })?,
        };
        let at_ms = request.signed_at.unwrap_or_else(|| self.now());
        let template = match &request.payload {
            Some(payload) => payload.clone(),
            None => self.sandbox_event_example(&record.id)?,
        };
        let fresh_id = format!("{:016x}{:08x}", random_bits()?, random_bits()? as u32);
        let (event, body, headers) =
            event_request(spec, &template, &request.event_type, &fresh_id, at_ms);
        let missed = request.missed.unwrap_or(false);
        // A request signed with another secret is a forgery, not an event the vendor sent.
        let forged = request.wrong_secret.unwrap_or(false);
        match (&spec.events_api, record.has_credential) {
            _ if forged && missed => {
                return Err(CoreError::invalid(
                    "a missed event is one the vendor sent: it is signed with the connection's secret",
                ))
            }
            _ if forged => {}
            (Some(_), true) if missed => self.keep_at_vendor(&record.id, &event)?,
            // The emitter still sends what it was asked to (a demo shows a refusal on a revoked
            // connection too); only catching up would miss it.
            (Some(_), true) => {
                if let Err(e) = self.keep_at_vendor(&record.id, &event) {
                    tracing::warn!(connection = %record.id, error = %e, "the event is sent but not in the vendor's events list");
                }
            }
            (Some(_), false) if missed => {
                return Err(CoreError::invalid(
                    "the vendor's events list is read with the connection's credential, and it holds none: connect it again",
                ))
            }
            (None, _) if missed => {
                return Err(CoreError::invalid(
                    "this vendor keeps no events list to catch up from: a missed event would be lost",
                ))
            }
            _ => {}
        }
        if missed {
            return Ok(Vec::new());
        }
        let public_url = self
            .stored_source(&record.id)?
            .public_url
            .unwrap_or_default();
        let path = format!("/in/{}", record.id);
        let signed = sign(
            Unsigned {
                scheme: spec.signature,
                path: &path,
                public_url: &public_url,
                body,
                headers,
                message_id: &format!("msg_{fresh_id}"),
                at_s: at_ms.div_euclid(1000),
            },
            &secret,
        )
        .map_err(CoreError::invalid)?;
        let client = http::client(Duration::from_secs(10));
        let times = if request.twice.unwrap_or(false) { 2 } else { 1 };
        (0..times)
            .map(|_| {
                let mut builder = client
                    .post(format!("http://{address}{}", signed.target))
                    .body(signed.body.clone());
                for (name, value) in &signed.headers {
                    builder = builder.header(name, value);
                }
                let content_type = match spec.format {
                    BodyFormat::Json => "application/json",
                    BodyFormat::Form => "application/x-www-form-urlencoded",
                };
                let response = builder
                    .header("Content-Type", content_type)
                    .send()
                    .map_err(|_| {
                        CoreError::invalid(format!(
                            "nothing answered on {address}: open the app, or run `events listen`"
                        ))
                    })?;
                let status = response.status().as_u16();
                let answer = response.json().unwrap_or(Value::Null);
                Ok(EmitAnswer { status, answer })
            })
            .collect()
    }
}

impl Core {
    /// Puts the event in the sandbox vendor's events API, calling it with the connection's own
    /// credential as the vendor's account.
    fn keep_at_vendor(&self, connection_id: &str, event: &Value) -> CoreResult<()> {
        let (record, fields) = self.open_connection(connection_id)?;
        let manifest = self.manifest(&record.connector_type)?;
        let flow = self.flow_of(&record)?;
        let api_base = self.calls_go_to(&record, flow, &fields)?;
        let outgoing = Outgoing {
            method: HttpMethod::Post,
            path: sgen_sandbox::EVENTS_RECORD_PATH,
            body: Vec::new(),
            values: None,
            message_id: "",
            idempotent: false,
            timeout: Duration::from_secs(10),
            // Demo sites' connections call only their sandbox vendors.
            policy: None,
        };
        let event = serde_json::to_vec(event).expect("a JSON value serializes");
        let prepared =
            vendor_http::prepare(manifest, flow, &fields, api_base.as_deref(), outgoing)?
                .with_json(event);
        let refused = |why: String| {
            CoreError::invalid(format!("the sandbox vendor did not keep the event: {why}"))
        };
        match prepared.send() {
            Ok(answer) if answer.status == 204 => Ok(()),
            Ok(answer) => Err(refused(format!("it answered {}", answer.status))),
            Err(failed) => Err(refused(failed.reason)),
        }
    }
}

/// A new random secret of the scheme's shape: the demo's connections get one each, and the
/// emitter signs with one to show a refusal.
pub(crate) fn random_secret(scheme: SignatureScheme) -> CoreResult<Secret> {
    use base64::Engine;
    let noise = [random_bits()?.to_le_bytes(), random_bits()?.to_le_bytes()].concat();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&noise);
    Ok(Secret::new(match scheme {
        SignatureScheme::StripeV1 | SignatureScheme::StandardWebhooks => format!("whsec_{b64}"),
        SignatureScheme::BasicAuth => format!("sandbox:{b64}"),
        // A webhook ID as PayPal shows one.
        SignatureScheme::PaypalVerifyApi => hex::encode_upper(&noise[..12]),
        _ => b64,
    }))
}

/// The event (the template with its placeholders resolved, its type and id put where the
/// manifest reads them), and the body and headers that carry it, batched or form-encoded as
/// the vendor sends it.
fn event_request(
    spec: &InboundEvents,
    template: &Value,
    event_type: &str,
    fresh_id: &str,
    at_ms: i64,
) -> (Value, Vec<u8>, Vec<(String, String)>) {
    let mut event = resolved(template, event_type, fresh_id, at_ms);
    let mut headers = Vec::new();
    // The type as the vendor words it in the event, in as many parts as it is read from.
    let worded = spec
        .type_names
        .iter()
        .find(|(_, catalog)| catalog.as_str() == event_type)
        .map_or(event_type, |(worded, _)| worded.as_str());
    let parts: Vec<&str> = match spec.type_from.len() {
        0 | 1 => vec![worded],
        n => worded.splitn(n, '.').collect(),
    };
    for (source, part) in spec.type_from.iter().zip(parts) {
        put(
            &mut event,
            &mut headers,
            source,
            Value::String(part.to_string()),
        );
    }
    for source in &spec.id {
        let present = match source {
            FieldSource::Body(pointer) => event.pointer(pointer).is_some(),
            FieldSource::Header(name) => headers.iter().any(|(n, _)| n == name),
        };
        if !present {
            put(
                &mut event,
                &mut headers,
                source,
                Value::String(fresh_id.to_string()),
            );
        }
    }
    let sent = match spec.batch {
        true => Value::Array(vec![event.clone()]),
        false => event.clone(),
    };
    let body = match spec.format {
        BodyFormat::Json => serde_json::to_vec(&sent).expect("a JSON value serializes"),
        BodyFormat::Form => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            if let Value::Object(fields) = &sent {
                for (key, value) in fields {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    form.append_pair(key, &text);
                }
            }
            form.finish().into_bytes()
        }
    };
    (event, body, headers)
}

fn put(event: &mut Value, headers: &mut Vec<(String, String)>, source: &FieldSource, value: Value) {
    match source {
        FieldSource::Header(name) => {
            let text = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            headers.push((name.clone(), text));
        }
        FieldSource::Body(pointer) => set_at(event, pointer, value),
    }
}

/// Sets the value at a JSON pointer, making objects on the way.
fn set_at(event: &mut Value, pointer: &str, value: Value) {
    let mut at = event;
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let object = at.as_object_mut().expect("made an object above");
        if i + 1 == tokens.len() {
            object.insert(token.clone(), value);
            return;
        }
        at = object
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn resolved(template: &Value, event_type: &str, fresh_id: &str, at_ms: i64) -> Value {
    match template {
        Value::String(s) => match s.as_str() {
            "$time" => Value::from(at_ms.div_euclid(1000)),
            "$time_ms" => Value::from(at_ms),
            "$iso" => Value::String(
                chrono::DateTime::from_timestamp_millis(at_ms)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
            ),
            "$type" => Value::String(event_type.to_string()),
            _ => Value::String(s.replace("$id", fresh_id)),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolved(v, event_type, fresh_id, at_ms))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), resolved(v, event_type, fresh_id, at_ms)))
                .collect(),
        ),
        other => other.clone(),
    }
}
