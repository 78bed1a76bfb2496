//! The vendors' events APIs one page at a time, in each style the catalog names: what to ask
//! for, and how to read the answer. Catching up (`reconciliation.rs`) walks the pages.

use serde_json::{json, Map, Value};
use sgen_catalog::{EventsApiStyle, HttpMethod};

/// One page's request: a query (for a read) or a JSON body.
pub(crate) struct PageRequest {
    pub(crate) method: HttpMethod,
    pub(crate) query: Map<String, Value>,
    pub(crate) body: Vec<u8>,
}

/// Asks for up to `limit` events at or after `since_s`, from where the previous page ended.
pub(crate) fn page_request(
    style: EventsApiStyle,
    since_s: i64,
    limit: u32,
    after: Option<&str>,
) -> PageRequest {
    match style {
        EventsApiStyle::StripeList => {
            let mut query = Map::new();
            query.insert("limit".into(), limit.into());
            query.insert("created[gte]".into(), since_s.into());
            if let Some(after) = after {
                query.insert("starting_after".into(), after.into());
            }
            PageRequest {
                method: HttpMethod::Get,
                query,
                body: Vec::new(),
            }
        }
        EventsApiStyle::SquareSearch => {
            let start_at = chrono::DateTime::from_timestamp(since_s, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let mut search = json!({
                "limit": limit,
                "query": {
                    "filter": {"created_at": {"start_at": start_at}},
                    "sort": {"field": "DEFAULT", "order": "ASC"},
                },
            });
            if let Some(after) = after {
                search["cursor"] = after.into();
            }
            PageRequest {
                method: HttpMethod::Post,
                query: Map::new(),
                body: serde_json::to_vec(&search).expect("a JSON value serializes"),
            }
        }
    }
}

/// One page's events, and where the next page starts (None: this was the last).
#[derive(Debug, PartialEq)]
pub(crate) struct Page {
    pub(crate) events: Vec<Value>,
    pub(crate) next: Option<String>,
}

/// Reads a page; an answer that is no list of events is an error, never an empty page.
pub(crate) fn read_page(style: EventsApiStyle, answer: &Value) -> Result<Page, String> {
    let not_a_list = || "the events API's answer is not a list of events".to_string();
    match style {
        EventsApiStyle::StripeList => {
            let events = answer["data"].as_array().ok_or_else(not_a_list)?.clone();
            let next = match answer["has_more"].as_bool().unwrap_or(false) {
                true => events
                    .last()
                    .and_then(|e| e["id"].as_str())
                    .map(str::to_string),
                false => None,
            };
            Ok(Page { events, next })
        }
        // Square leaves out an empty `events` list and the cursor on the last page.
        EventsApiStyle::SquareSearch => {
            let answer = answer.as_object().ok_or_else(not_a_list)?;
            let events = match answer.get("events") {
                None => Vec::new(),
                Some(events) => events.as_array().ok_or_else(not_a_list)?.clone(),
            };
            let next = answer
                .get("cursor")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .map(str::to_string);
            Ok(Page { events, next })
        }
    }
}

/// When the vendor says the event happened, seconds: Stripe's `created`, Square's `created_at`.
pub(crate) fn event_time(event: &Value) -> Option<i64> {
    event["created"].as_i64().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(event["created_at"].as_str()?)
            .ok()
            .map(|t| t.timestamp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_pages_by_the_last_id_while_it_has_more() {
        let request = page_request(EventsApiStyle::StripeList, 1_000, 25, Some("evt_9"));
        assert_eq!(request.method, HttpMethod::Get);
        assert_eq!(
            Value::Object(request.query),
            json!({"limit": 25, "created[gte]": 1000, "starting_after": "evt_9"})
        );
        let more = json!({"data": [{"id": "evt_2"}, {"id": "evt_1"}], "has_more": true});
        let page = read_page(EventsApiStyle::StripeList, &more).unwrap();
        assert_eq!(page.next.as_deref(), Some("evt_1"));
        let last = json!({"data": [{"id": "evt_0"}], "has_more": false});
        assert_eq!(
            read_page(EventsApiStyle::StripeList, &last).unwrap().next,
            None
        );
        assert!(read_page(EventsApiStyle::StripeList, &json!({"error": {}})).is_err());
    }

    #[test]
    fn square_searches_from_an_rfc3339_start_and_pages_by_cursor() {
        let request = page_request(EventsApiStyle::SquareSearch, 86_400, 25, Some("c2"));
        assert_eq!(request.method, HttpMethod::Post);
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            body["query"]["filter"]["created_at"]["start_at"],
            "1970-01-02T00:00:00Z"
        );
        assert_eq!(body["cursor"], "c2");
        let page = read_page(
            EventsApiStyle::SquareSearch,
            &json!({"events": [{"event_id": "e1"}], "cursor": "c3"}),
        )
        .unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.next.as_deref(), Some("c3"));
        // Nothing new: Square answers `{}`.
        let empty = read_page(EventsApiStyle::SquareSearch, &json!({})).unwrap();
        assert_eq!(
            empty,
            Page {
                events: Vec::new(),
                next: None
            }
        );
        assert!(read_page(EventsApiStyle::SquareSearch, &json!([])).is_err());
        assert!(read_page(EventsApiStyle::SquareSearch, &json!({"events": 3})).is_err());
    }

    #[test]
    fn an_events_time_is_read_in_either_vendors_words() {
        assert_eq!(event_time(&json!({"created": 5})), Some(5));
        assert_eq!(
            event_time(&json!({"created_at": "1970-01-01T00:01:00Z"})),
            Some(60)
        );
        assert_eq!(event_time(&json!({"created_at": "soon"})), None);
    }
}
