//! The Events view and `events list/show` (SPEC §7): received events newest first, filtered,
//! keyset-paged by their time-ordered ids; an event's detail with its redacted headers and
//! payload and the automations it started; the refused requests with the step that failed, and checking one again once the
//! operator has fixed the connection's secret.

use crate::access::{self, Target};
use crate::inbound::verification::{InboundRequest, Rejection};
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::automation_runs;
pub use sgen_store::inbound_events::InboundEventRow;
use sgen_store::inbound_events::{self, EventFilter};
use sgen_store::inbound_rejections;
pub use sgen_store::inbound_rejections::RejectionRow;
use ts_rs::TS;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// A request for one page of the event log; every filter is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EventQuery {
    #[ts(optional)]
    pub connection_id: Option<String>,
    /// Exactly this type.
    #[ts(optional)]
    pub event_type: Option<String>,
    /// pushed | pulled | app
    #[ts(optional)]
    pub arrival: Option<String>,
    /// An event id (the app's or the vendor's), or the start of a type.
    #[ts(optional)]
    pub search: Option<String>,
    /// Inclusive, ms since the epoch.
    #[ts(optional, type = "number")]
    pub since: Option<i64>,
    /// Exclusive, ms since the epoch.
    #[ts(optional, type = "number")]
    pub until: Option<i64>,
    #[ts(optional)]
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    #[ts(optional)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EventPage {
    pub rows: Vec<InboundEventRow>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EventDetail {
    pub event: InboundEventRow,
    /// Header name → value, secret-looking values redacted.
    pub headers: serde_json::Value,
    /// The payload, as JSON where it is JSON, else as text.
    pub payload: serde_json::Value,
    /// The automations it started runs of, and how each went.
    pub processed_by: Vec<ProcessedBy>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProcessedBy {
    pub run_id: String,
    pub automation_id: String,
    pub automation_name: String,
    /// The run's status (`skipped`: its conditions did not pass).
    pub status: String,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RejectionPage {
    pub rows: Vec<RefusedRequest>,
    pub next_cursor: Option<String>,
}

/// A refused request as the window lists it: the step that failed, and why in words.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RefusedRequest {
    pub request: RejectionRow,
    pub rejection: Rejection,
    pub message: String,
    /// The last re-check's result in words, if there was one.
    pub recheck: Option<String>,
}

fn refused(row: RejectionRow) -> CoreResult<RefusedRequest> {
    let rejection: Rejection = serde_json::from_str(&row.rejection)
        .map_err(|e| CoreError::Internal(format!("a stored rejection: {e}")))?;
    let recheck = row.recheck.as_deref().map(|text| match text {
        "verified" => "verified: its events were recorded".to_string(),
        json => serde_json::from_str::<Rejection>(json)
            .map_or_else(|_| json.to_string(), |r| format!("still refused: {r}")),
    });
    Ok(RefusedRequest {
        message: rejection.to_string(),
        rejection,
        recheck,
        request: row,
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RejectionDetail {
    pub refused: RefusedRequest,
    pub headers: serde_json::Value,
    /// The body as kept (up to 64 KiB), as text.
    pub body: String,
    /// Whether the whole body was kept, so it can be checked again.
    pub complete: bool,
}

fn nonempty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Ids are `ine_` + 12 hex digits of ms: the first id at or after `ms`.
fn id_bound(ms: i64) -> String {
    format!("ine_{:012x}", ms.max(0))
}

impl Core {
    pub fn events_query(
        &self,
        scope: &SiteEnvironment,
        query: &EventQuery,
    ) -> CoreResult<EventPage> {
        let environment_id = self.environment_id(scope)?;
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        if let Some(arrival) = &query.arrival {
            if !["pushed", "pulled", "app"].contains(&arrival.as_str()) {
                return Err(CoreError::invalid(format!(
                    "arrival `{arrival}`: expected pushed, pulled or app"
                )));
            }
        }
        if let Some(cursor) = &query.cursor {
            if !cursor.starts_with("ine_") || cursor.len() > 64 {
                return Err(CoreError::InvalidCursor(
                    "that page cursor is not one of the event log's".into(),
                ));
            }
        }
        let (from_id, to_id) = (query.since.map(id_bound), query.until.map(id_bound));
        // A search is an event's id (ours or the vendor's), found through their indexes, or
        // else the start of a type, matched walking the log newest first.
        if let (Some(id), None) = (nonempty(&query.search), &query.cursor) {
            let found = self.store.read(|conn| {
                Ok::<_, CoreError>(inbound_events::with_id(
                    conn,
                    environment_id,
                    query.connection_id.as_deref(),
                    id,
                )?)
            })?;
            if !found.is_empty() {
                return Ok(EventPage {
                    rows: found,
                    next_cursor: None,
                });
            }
        }
        let filter = EventFilter {
            environment_id,
            connection_id: query.connection_id.as_deref(),
            event_type: nonempty(&query.event_type),
            arrival: query.arrival.as_deref(),
            type_prefix: nonempty(&query.search),
            from_id: from_id.as_deref(),
            to_id: to_id.as_deref(),
            before_id: query.cursor.as_deref(),
            limit: limit + 1,
        };
        let mut rows = self
            .store
            .read(|conn| Ok::<_, CoreError>(inbound_events::page(conn, &filter)?))?;
        let next_cursor = match rows.len() > limit as usize {
            true => {
                rows.truncate(limit as usize);
                rows.last().map(|r| r.id.clone())
            }
            false => None,
        };
        Ok(EventPage { rows, next_cursor })
    }

    pub fn event_detail(&self, event_id: &str) -> CoreResult<EventDetail> {
        let (found, runs) = self.store.read(|conn| {
            let found = inbound_events::get(conn, event_id)?;
            let runs = automation_runs::of_event(conn, event_id)?;
            Ok::<_, CoreError>((found, runs))
        })?;
        let found = found.ok_or_else(|| CoreError::NotFound {
            what: "event",
            id: event_id.to_string(),
        })?;
        Ok(EventDetail {
            event: found.row,
            headers: serde_json::from_str(&found.headers).unwrap_or_default(),
            payload: as_json(&found.payload),
            processed_by: runs
                .into_iter()
                .map(|r| ProcessedBy {
                    run_id: r.run_id,
                    automation_id: r.automation_id,
                    automation_name: r.automation_name,
                    status: r.status,
                    dry_run: r.dry_run,
                })
                .collect(),
        })
    }

    pub fn rejections_query(
        &self,
        scope: &SiteEnvironment,
        connection_id: Option<&str>,
        cursor: Option<i64>,
        limit: Option<u32>,
    ) -> CoreResult<RejectionPage> {
        let environment_id = self.environment_id(scope)?;
        let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let mut rows = self.store.read(|conn| {
            Ok::<_, CoreError>(inbound_rejections::page(
                conn,
                environment_id,
                connection_id,
                cursor,
                limit + 1,
            )?)
        })?;
        let next_cursor = match rows.len() > limit as usize {
            true => {
                rows.truncate(limit as usize);
                rows.last().map(|r| r.seq.to_string())
            }
            false => None,
        };
        let rows = rows.into_iter().map(refused).collect::<CoreResult<_>>()?;
        Ok(RejectionPage { rows, next_cursor })
    }

    pub fn rejection_detail(&self, seq: i64) -> CoreResult<RejectionDetail> {
        let found = self.stored_rejection(seq)?;
        Ok(RejectionDetail {
            headers: serde_json::from_str(&found.headers).unwrap_or_default(),
            body: String::from_utf8_lossy(&found.body).into_owned(),
            complete: found.body.len() as i64 == found.row.body_length,
            refused: refused(found.row)?,
        })
    }

    /// Checks a refused request again with the connection's secrets as they are now (after the
    /// operator fixed one), judged as of when it arrived, and keeps the result beside it. One
    /// that now passes is recorded as the events it carried (once each: the vendor's own retry
    /// of it only counts a duplicate). Credentials that were redacted when it was kept (a URL
    /// secret, HTTP Basic, a channel token) cannot pass: the vendor has to send it again.
    pub fn recheck_rejection(&self, seq: i64) -> CoreResult<RejectionDetail> {
        self.authorize(access::Operation::RecheckRejection, Target::App)?;
        let found = self.stored_rejection(seq)?;
        let headers: Vec<(String, String)> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&found.headers)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| (name, value.as_str().unwrap_or_default().to_string()))
                .collect();
        let request = InboundRequest {
            method: &found.row.method,
            target: &found.row.target,
            headers: &headers,
            body: &found.body,
        };
        let text = if found.body.len() as i64 != found.row.body_length {
            let kept = Rejection::TooLarge {
                limit_bytes: found.body.len() as u64,
            };
            serde_json::to_string(&kept).expect("a rejection serializes")
        } else {
            self.inbound.forget(&found.row.connection_id);
            let admission =
                self.admit_at(&found.row.connection_id, &request, found.row.received_at)?;
            match admission.rejection() {
                Some(rejection) => {
                    serde_json::to_string(rejection).expect("a rejection serializes")
                }
                None => {
                    self.record_admissions(&[admission])?;
                    "verified".to_string()
                }
            }
        };
        let now = self.now();
        self.write(|tx| Ok(inbound_rejections::set_recheck(tx, seq, now, &text)?))?;
        self.rejection_detail(seq)
    }

    /// Whether the path's connection takes events (answers a vendor's validation GET).
    pub fn takes_events(&self, connection_id: &str) -> CoreResult<bool> {
        match self.record(connection_id) {
            Ok(record) => Ok(!self
                .manifest(&record.connector_type)?
                .inbound_events
                .types
                .is_empty()),
            Err(CoreError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn stored_rejection(&self, seq: i64) -> CoreResult<inbound_rejections::RejectionDetail> {
        self.store
            .read(|conn| Ok::<_, CoreError>(inbound_rejections::get(conn, seq)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "refused request",
                id: seq.to_string(),
            })
    }
}

fn as_json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
