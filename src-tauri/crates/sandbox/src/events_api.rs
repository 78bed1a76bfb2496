//! The vendor's events API (Stripe `GET /v1/events`, Square `POST /v2/events`): every event the
//! vendor "sent" an account is kept here, whether or not it reached the app, so the app can
//! catch up on it as it does from the real vendor. Events enter through [`RECORD_PATH`], which
//! the app's sandbox emitter calls with the connection's own credential, as `stripe trigger`
//! creates an object with your key and the event follows.

use crate::api::{error, now_ms};
use crate::vendor::VendorState;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sgen_catalog::EventsApiStyle;
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Under the API base: where an event is recorded for the calling account.
pub const RECORD_PATH: &str = "/_sandbox/events";
/// Events kept per account; the oldest go first, as past a real vendor's retention.
const KEPT: usize = 10_000;

/// The events a vendor keeps, per account: in memory, or (for the app's sandbox) in a file of
/// JSON lines per vendor, so they outlive the process as a real vendor's do. Every process
/// appends to and reads the same file: one that emits while another catches up (the CLI while
/// the app runs, or before it starts) sees the same list.
pub(crate) struct EventLog {
    file: Option<PathBuf>,
    memory: HashMap<String, VecDeque<Recorded>>,
}

#[derive(Serialize, Deserialize)]
struct Recorded {
    account: String,
    /// When it happened, seconds: the event's own time, else when it was recorded.
    at_s: i64,
    event: Value,
}

impl EventLog {
    /// Kept in `{dir}/{slug}.jsonl` when a directory is given, else in memory.
    pub(crate) fn new(dir: Option<&Path>, slug: &str) -> Self {
        EventLog {
            file: dir.map(|dir| dir.join(format!("{slug}.jsonl"))),
            memory: HashMap::new(),
        }
    }

    pub(crate) fn record(&mut self, account: &str, event: Value) -> std::io::Result<()> {
        let recorded = Recorded {
            account: account.to_string(),
            at_s: event_time(&event).unwrap_or(now_ms() / 1000),
            event,
        };
        let Some(file) = &self.file else {
            let events = self.memory.entry(account.to_string()).or_default();
            if events.len() == KEPT {
                events.pop_front();
            }
            events.push_back(recorded);
            return Ok(());
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_vec(&recorded).expect("a JSON value serializes");
        line.push(b'\n');
        // One write of one line in append mode: lines from several processes never interleave.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)?
            .write_all(&line)
    }

    /// The account's events at or after `since_s`, oldest first (the newest [`KEPT`]).
    fn since(&self, account: &str, since_s: i64) -> std::io::Result<Vec<Value>> {
        let mut found: Vec<(i64, Value)> = match &self.file {
            None => self
                .memory
                .get(account)
                .map(|events| events.iter().map(|e| (e.at_s, e.event.clone())).collect())
                .unwrap_or_default(),
            Some(file) => {
                let text = match std::fs::read_to_string(file) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                    read => read?,
                };
                let mine: Vec<(i64, Value)> = text
                    .lines()
                    // A line cut short by a kill is skipped, not fatal.
                    .filter_map(|line| serde_json::from_str::<Recorded>(line).ok())
                    .filter(|r| r.account == account)
                    .map(|r| (r.at_s, r.event))
                    .collect();
                let skip = mine.len().saturating_sub(KEPT);
                mine.into_iter().skip(skip).collect()
            }
        };
        found.retain(|(at_s, _)| *at_s >= since_s);
        // Stable: events of one second keep the order they were recorded in.
        found.sort_by_key(|(at_s, _)| *at_s);
        Ok(found.into_iter().map(|(_, event)| event).collect())
    }
}

/// Stripe's `created` (seconds) or Square's `created_at` (RFC 3339).
fn event_time(event: &Value) -> Option<i64> {
    event["created"].as_i64().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(event["created_at"].as_str()?)
            .ok()
            .map(|t| t.timestamp())
    })
}

pub(crate) fn record(vendor: &VendorState, account: &str, body: &[u8]) -> Response {
    match serde_json::from_slice::<Value>(body) {
        Ok(event) if event.is_object() => match vendor.events().record(account, event) {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => unavailable(&e),
        },
        _ => error(
            StatusCode::BAD_REQUEST,
            "invalid_event",
            "an event is one JSON object",
        ),
    }
}

/// The vendor's own trouble (its events file unreadable): a 503, as a vendor's outage is.
fn unavailable(e: &std::io::Error) -> Response {
    tracing::warn!(error = %e, "the sandbox vendor's events file failed");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "events_unavailable",
        "the vendor's events list cannot be read now",
    )
}

/// Whether a call is to this vendor's events API.
pub(crate) fn is_events_call(vendor: &VendorState, method: &str, path: &str) -> bool {
    vendor
        .manifest
        .inbound_events
        .events_api
        .as_ref()
        .is_some_and(|api| {
            let wanted = match api.style {
                EventsApiStyle::StripeList => "GET",
                EventsApiStyle::SquareSearch => "POST",
            };
            api.path == path && wanted == method
        })
}

pub(crate) fn list(vendor: &VendorState, account: &str, uri: &Uri, body: &[u8]) -> Response {
    let Some(api) = &vendor.manifest.inbound_events.events_api else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "this vendor keeps no events",
        );
    };
    match api.style {
        EventsApiStyle::StripeList => stripe_list(vendor, account, uri),
        EventsApiStyle::SquareSearch => square_search(vendor, account, body),
    }
}

/// Newest first; `created[gte]` bounds it, `starting_after` pages to older events.
fn stripe_list(vendor: &VendorState, account: &str, uri: &Uri) -> Response {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => 10,
        Some(Ok(limit @ 1..=100)) => limit,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "parameter_invalid_integer",
                "limit must be an integer from 1 to 100",
            )
        }
    };
    let since = match query.get("created[gte]").map(|s| s.parse::<i64>()) {
        None => i64::MIN,
        Some(Ok(since)) => since,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "parameter_invalid_integer",
                "created[gte] must be a number of seconds",
            )
        }
    };
    let mut newest_first = match vendor.events().since(account, since) {
        Ok(events) => events,
        Err(e) => return unavailable(&e),
    };
    newest_first.reverse();
    let start = match query.get("starting_after") {
        None => 0,
        Some(after) => match newest_first.iter().position(|e| e["id"] == after.as_str()) {
            Some(at) => at + 1,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "resource_missing",
                    "starting_after names no event in this list",
                )
            }
        },
    };
    let page: Vec<&Value> = newest_first.iter().skip(start).take(limit).collect();
    let has_more = start + page.len() < newest_first.len();
    Json(json!({"object": "list", "url": "/v1/events", "has_more": has_more, "data": page}))
        .into_response()
}

/// Oldest first unless `sort.order` is `DESC`; the cursor is where the next page starts.
fn square_search(vendor: &VendorState, account: &str, body: &[u8]) -> Response {
    let bad = |message: &str| error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message);
    let search: Value = match body {
        [] => json!({}),
        body => match serde_json::from_slice(body) {
            Ok(search) => search,
            Err(_) => return bad("the search must be a JSON object"),
        },
    };
    let limit = match &search["limit"] {
        Value::Null => 100,
        limit => match limit.as_u64() {
            Some(limit @ 1..=100) => limit as usize,
            _ => return bad("limit must be an integer from 1 to 100"),
        },
    };
    let since = match search.pointer("/query/filter/created_at/start_at") {
        None | Some(Value::Null) => i64::MIN,
        Some(start) => match start
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        {
            Some(start) => start.timestamp(),
            None => return bad("created_at.start_at must be an RFC 3339 time"),
        },
    };
    let start = match &search["cursor"] {
        Value::Null => 0,
        cursor => match cursor.as_str().and_then(|c| c.parse::<usize>().ok()) {
            Some(start) => start,
            None => return bad("the cursor is not one this API gave"),
        },
    };
    let mut events = match vendor.events().since(account, since) {
        Ok(events) => events,
        Err(e) => return unavailable(&e),
    };
    if search.pointer("/query/sort/order") == Some(&json!("DESC")) {
        events.reverse();
    }
    let page: Vec<&Value> = events.iter().skip(start).take(limit).collect();
    let next = start + page.len();
    // Square leaves out what is empty: no `events` for none, no `cursor` on the last page.
    let mut answer = json!({});
    if !page.is_empty() {
        answer["events"] = json!(page);
    }
    if next < events.len() {
        answer["cursor"] = json!(next.to_string());
    }
    Json(answer).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgen_catalog::Catalog;

    fn square() -> VendorState {
        let catalog = Catalog::embedded().unwrap();
        VendorState::new(catalog.get("square").unwrap().clone(), 7, None)
    }

    async fn answer(response: Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    fn ids(page: &Value) -> Vec<&str> {
        page["events"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .map(|e| e["event_id"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_file_kept_list_is_shared_by_every_log_on_it_and_skips_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut emitter = EventLog::new(Some(dir.path()), "stripe");
        let reader = EventLog::new(Some(dir.path()), "stripe");
        emitter
            .record("acct", json!({"id": "evt_1", "created": 10}))
            .unwrap();
        // A kill while appending leaves a line cut short.
        let file = dir.path().join("stripe.jsonl");
        let mut torn = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        torn.write_all(b"{\"account\":\"acct\",\"at_s\"").unwrap();
        torn.write_all(b"\n").unwrap();
        emitter
            .record("acct", json!({"id": "evt_2", "created": 20}))
            .unwrap();
        emitter
            .record("other", json!({"id": "evt_3", "created": 30}))
            .unwrap();
        let ids: Vec<Value> = reader
            .since("acct", 0)
            .unwrap()
            .iter()
            .map(|e| e["id"].clone())
            .collect();
        assert_eq!(ids, [json!("evt_1"), json!("evt_2")]);
        assert_eq!(reader.since("acct", 15).unwrap().len(), 1);
        assert!(EventLog::new(Some(dir.path()), "square")
            .since("acct", 0)
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn square_search_pages_oldest_first_from_start_at_by_cursor() {
        let vendor = square();
        for n in 0..5 {
            let at = format!("2026-11-0{}T10:00:00Z", n + 1);
            let event =
                json!({"event_id": format!("e{n}"), "type": "payment.created", "created_at": at});
            vendor.events().record("acct", event).unwrap();
        }
        let search =
            |body: Value| answer(square_search(&vendor, "acct", body.to_string().as_bytes()));
        let filter = json!({"limit": 2, "query": {"filter": {"created_at": {"start_at": "2026-11-02T00:00:00Z"}}, "sort": {"field": "DEFAULT", "order": "ASC"}}});
        let (status, first) = search(filter.clone()).await;
        assert_eq!(status, 200);
        assert_eq!(ids(&first), ["e1", "e2"]);
        let mut next = filter.clone();
        next["cursor"] = first["cursor"].clone();
        let (_, second) = search(next).await;
        assert_eq!(ids(&second), ["e3", "e4"]);
        // The last page has no cursor.
        assert_eq!(second.get("cursor"), None);

        let (status, _) = search(json!({"limit": 0})).await;
        assert_eq!(status, 400);
        let (status, _) =
            search(json!({"query": {"filter": {"created_at": {"start_at": "yesterday"}}}})).await;
        assert_eq!(status, 400);
        // Square leaves out an empty list.
        let (_, other) = answer(square_search(&vendor, "someone-else", b"{}")).await;
        assert_eq!(other, json!({}));
    }
}
