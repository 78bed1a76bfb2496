//! What a verified request holds: one event, or several for a vendor that batches (HubSpot,
//! SendGrid), each with its type and its deduplication key, read where the manifest says.

use crate::inbound::verification::{InboundRequest, Rejection};
use serde_json::{Map, Value};
use sgen_catalog::{BodyFormat, FieldSource, InboundEvents};
use sha2::{Digest, Sha256};

/// More events than this in one request is not a vendor's batch (HubSpot sends up to 100).
pub const MAX_BATCH: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The vendor's id, where it sends one.
    pub vendor_event_id: Option<String>,
    /// `id:` + the vendor's id, or `sha256:` + a digest of the event's bytes where it sends
    /// none: the same event sent twice has the same key.
    pub dedupe_key: String,
    pub event_type: String,
    /// The event's bytes: the body as sent, or its element of a batch; a form body as the
    /// JSON object of its fields.
    pub payload: Vec<u8>,
}

pub fn extract(
    spec: &InboundEvents,
    request: &InboundRequest<'_>,
) -> Result<Vec<Extracted>, Rejection> {
    let not_an_event = |reason: String| Rejection::NotAnEvent { reason };
    let (body, raw) = match spec.format {
        // Google's push notifications carry everything in headers, and no body.
        BodyFormat::Json if request.body.is_empty() => (Value::Object(Map::new()), None),
        BodyFormat::Json => (
            serde_json::from_slice::<Value>(request.body)
                .map_err(|e| not_an_event(format!("the body is not JSON: {e}")))?,
            Some(request.body),
        ),
        BodyFormat::Form => (form_object(request.body), None),
    };
    let events = match (spec.batch, body) {
        (true, Value::Array(events)) if events.len() <= MAX_BATCH => events,
        (true, Value::Array(events)) => {
            return Err(not_an_event(format!(
                "{} events in one request, more than {MAX_BATCH}",
                events.len()
            )))
        }
        (true, _) => return Err(not_an_event("the body is not a list of events".into())),
        (false, event) => vec![event],
    };
    if events.is_empty() {
        return Err(not_an_event("the list of events is empty".into()));
    }
    events
        .into_iter()
        .map(|event| {
            let payload = match (spec.batch, raw) {
                (false, Some(raw)) => raw.to_vec(),
                _ => serde_json::to_vec(&event).expect("a JSON value serializes"),
            };
            let found = |sources: &[FieldSource], joiner: &str| -> Option<String> {
                let parts: Option<Vec<String>> = sources
                    .iter()
                    .map(|source| value_at(source, &event, request))
                    .collect();
                parts.filter(|p| !p.is_empty()).map(|p| p.join(joiner))
            };
            let received_type = found(&spec.type_from, ".").ok_or_else(|| {
                not_an_event("the event has no type where the vendor puts it".into())
            })?;
            let event_type = spec
                .type_names
                .get(&received_type)
                .cloned()
                .unwrap_or(received_type);
            let vendor_event_id = found(&spec.id, ":");
            let dedupe_key = match &vendor_event_id {
                Some(id) => format!("id:{id}"),
                None => format!("sha256:{}", hex::encode(Sha256::digest(&payload))),
            };
            Ok(Extracted {
                vendor_event_id,
                dedupe_key,
                event_type,
                payload,
            })
        })
        .collect()
}

fn value_at(source: &FieldSource, event: &Value, request: &InboundRequest<'_>) -> Option<String> {
    let text = match source {
        FieldSource::Header(name) => request.header(name)?.to_string(),
        FieldSource::Body(pointer) => match event.pointer(pointer)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        },
    };
    Some(text).filter(|t| !t.is_empty())
}

/// A form body as an object of its fields; a key sent twice keeps its last value.
fn form_object(body: &[u8]) -> Value {
    let fields: Map<String, Value> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgen_catalog::Catalog;

    fn spec(slug: &str) -> InboundEvents {
        Catalog::embedded()
            .unwrap()
            .get(slug)
            .unwrap()
            .inbound_events
            .clone()
    }

    fn request<'a>(headers: &'a [(String, String)], body: &'a [u8]) -> InboundRequest<'a> {
        InboundRequest {
            method: "POST",
            target: "/in/con_1",
            headers,
            body,
        }
    }

    #[test]
    fn a_batch_is_one_event_per_element_each_with_its_id() {
        let body = br#"[{"eventId":1,"subscriptionType":"contact.creation"},{"eventId":2,"subscriptionType":"deal.creation"}]"#;
        let events = extract(&spec("hubspot"), &request(&[], body)).unwrap();
        let got: Vec<_> = events
            .iter()
            .map(|e| (e.dedupe_key.as_str(), e.event_type.as_str()))
            .collect();
        assert_eq!(
            got,
            [("id:1", "contact.creation"), ("id:2", "deal.creation")]
        );
        let refused = extract(&spec("hubspot"), &request(&[], b"{}"));
        assert!(matches!(refused, Err(Rejection::NotAnEvent { .. })));
    }

    #[test]
    fn a_vendor_without_ids_is_deduplicated_by_a_digest_of_the_event() {
        let body = b"type=subscribe&data%5Bemail%5D=ada%40example.com";
        let first = extract(&spec("mailchimp"), &request(&[], body)).unwrap();
        let again = extract(&spec("mailchimp"), &request(&[], body)).unwrap();
        assert_eq!(first, again);
        assert!(first[0].dedupe_key.starts_with("sha256:"));
        assert_eq!(first[0].event_type, "subscribe");
        let payload: serde_json::Value = serde_json::from_slice(&first[0].payload).unwrap();
        assert_eq!(payload["data[email]"], "ada@example.com");
    }

    #[test]
    fn types_and_ids_are_read_from_headers_and_joined_parts() {
        let headers = [
            ("X-Goog-Channel-ID".to_string(), "chan-1".to_string()),
            ("X-Goog-Message-Number".to_string(), "7".to_string()),
            ("X-Goog-Resource-State".to_string(), "exists".to_string()),
        ];
        let events = extract(&spec("google-calendar"), &request(&headers, b"")).unwrap();
        assert_eq!(events[0].dedupe_key, "id:chan-1:7");
        assert_eq!(events[0].event_type, "exists");
        // Zoho's `Leads` + `insert` is the catalog's `Leads.create`.
        let zoho = br#"{"module":"Leads","operation":"insert","ids":["1"]}"#;
        let events = extract(&spec("zoho-crm"), &request(&[], zoho)).unwrap();
        assert_eq!(events[0].event_type, "Leads.create");
        let untyped = extract(&spec("stripe"), &request(&[], br#"{"id":"evt_1"}"#));
        assert!(matches!(untyped, Err(Rejection::NotAnEvent { .. })));
    }
}
