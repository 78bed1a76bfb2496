//! Catching up (SPEC §7): events the app missed while it was closed, or that a vendor could
//! not push to a desktop, fetched from the vendor's events API with the connection's own
//! credential, from a per-connection cursor. Each goes through the same dedupe as pushed ones:
//! one that also arrived pushed is stored once, and fetching it again counts no duplicate.

use crate::access::{self, Target};
use crate::inbound::events_api;
use crate::inbound::extraction::extract;
use crate::inbound::verification::InboundRequest;
use crate::kernel::ids::sequential_id;
use crate::kernel::vendor_http::{self, Outgoing, DELIVERY_TIMEOUT};
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::inbound_cursors::{self, InboundCursor};
use sgen_store::inbound_events::{self, NewInboundEvent};
use ts_rs::TS;

/// Events asked for per page: a page of events stays well under the answer size read.
const PAGE: u32 = 25;
/// Pages read in one catch-up at most (2,500 events); the next one goes on from the cursor.
const MAX_PAGES: u32 = 100;
const DAY_S: i64 = 86_400;

/// What one catch-up did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CatchUp {
    pub connection_id: String,
    /// Events the vendor listed since the cursor.
    pub fetched: u32,
    /// Of them, the ones the app did not have.
    pub new: u32,
    #[ts(type = "number")]
    pub caught_up_at: i64,
    /// Whether more remain for the next catch-up (it stopped at its page limit).
    pub more: bool,
}

impl Core {
    /// Fetches the connection's events since its cursor (the vendor's retention on the first
    /// run) and stores those the app did not have.
    pub fn reconcile_events(&self, connection_id: &str) -> CoreResult<CatchUp> {
        self.authorize(
            access::Operation::CatchUpEvents,
            Target::Connection(connection_id),
        )?;
        self.catch_up(connection_id)
    }

    /// Catching up itself: the operator's call above, and the app's own rounds.
    fn catch_up(&self, connection_id: &str) -> CoreResult<CatchUp> {
        let record = self.record(connection_id)?;
        let manifest = self.manifest(&record.connector_type)?;
        let api = manifest.inbound_events.events_api.clone().ok_or_else(|| {
            CoreError::invalid("this vendor has no events API: its events arrive only pushed")
        })?;
        let (record, fields) = self.open_connection(connection_id)?;
        let flow = self.flow_of(&record)?;
        let api_base = self.calls_go_to(&record, flow, &fields)?;
        let policy = self.send_policy(&record)?;
        let now = self.now();
        let cursor = self
            .store
            .read(|conn| Ok::<_, CoreError>(inbound_cursors::get(conn, connection_id)?))?
            .unwrap_or_default();
        let oldest_kept = now / 1000 - i64::from(api.retention_days) * DAY_S;
        let since = cursor
            .position
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
            .map_or(oldest_kept, |p| p.max(oldest_kept));

        let mut spec = manifest.inbound_events.clone();
        spec.batch = false;
        let (mut fetched, mut new, mut newest) = (0u32, 0u32, since);
        let mut after: Option<String> = None;
        let mut more = false;
        for page in 0..MAX_PAGES {
            let request = events_api::page_request(api.style, since, PAGE, after.as_deref());
            let outgoing = Outgoing {
                method: request.method,
                path: &api.path,
                body: request.body,
                values: Some(&request.query),
                message_id: "",
                idempotent: false,
                timeout: DELIVERY_TIMEOUT,
                policy: policy.as_ref(),
            };
            let prepared =
                vendor_http::prepare(manifest, flow, &fields, api_base.as_deref(), outgoing)?;
            let answer = match prepared.send() {
                Ok(answer) if answer.status == 200 => answer,
                Ok(answer) => {
                    return Err(self.catch_up_failed(
                        connection_id,
                        &cursor,
                        format!("the events API answered {}", answer.status),
                    ))
                }
                Err(failed) => {
                    return Err(self.catch_up_failed(connection_id, &cursor, failed.reason))
                }
            };
            let listed = match events_api::read_page(api.style, &answer.body) {
                Ok(listed) => listed,
                Err(reason) => return Err(self.catch_up_failed(connection_id, &cursor, reason)),
            };
            let page_new = self.store_fetched(&record, &spec, &listed.events, now, &mut newest)?;
            fetched += listed.events.len() as u32;
            new += page_new;
            more = listed.next.is_some();
            after = listed.next;
            if !more {
                break;
            }
            if page + 1 == MAX_PAGES {
                tracing::info!(
                    connection = connection_id,
                    "catch-up stopped at its page limit"
                );
            }
        }
        let position = match more {
            // Stopped early: start from the same place, past what is stored, next time.
            true => since,
            false => newest,
        };
        let caught_up = InboundCursor {
            position: Some(position.to_string()),
            caught_up_at: Some(now),
            last_error: None,
        };
        self.write(|tx| Ok(inbound_cursors::set(tx, connection_id, &caught_up)?))?;
        Ok(CatchUp {
            connection_id: connection_id.to_string(),
            fetched,
            new,
            caught_up_at: now,
            more,
        })
    }

    /// Stores one page's events (one transaction); returns how many were new.
    fn store_fetched(
        &self,
        record: &sgen_store::connections::ConnectionRecord,
        spec: &sgen_catalog::InboundEvents,
        events: &[serde_json::Value],
        now: i64,
        newest: &mut i64,
    ) -> CoreResult<u32> {
        let mut extracted = Vec::with_capacity(events.len());
        for event in events {
            let body = serde_json::to_vec(event).expect("a JSON value serializes");
            let request = InboundRequest {
                method: "GET",
                target: "",
                headers: &[],
                body: &body,
            };
            match extract(spec, &request) {
                Ok(found) => extracted.extend(found),
                Err(rejection) => {
                    tracing::warn!(connection = %record.id, %rejection, "an event the vendor listed was skipped")
                }
            }
            if let Some(created) = events_api::event_time(event) {
                *newest = (*newest).max(created);
            }
        }
        self.write(|tx| {
            let mut new = 0;
            for event in &extracted {
                let id = sequential_id("ine", now);
                let stored = inbound_events::insert_fetched(
                    tx,
                    &NewInboundEvent {
                        id: &id,
                        environment_id: record.environment_id,
                        connection_id: &record.id,
                        dedupe_key: &event.dedupe_key,
                        vendor_event_id: event.vendor_event_id.as_deref(),
                        event_type: &event.event_type,
                        arrival: "pulled",
                        verified_by: "events_api",
                        received_at: now,
                        signed_at: None,
                        headers: "{}",
                        payload: &event.payload,
                    },
                )?;
                new += u32::from(stored);
            }
            if new > 0 {
                tx.publish(crate::kernel::events::CoreEvent::InboundRecorded {
                    events: new,
                    duplicates: 0,
                    refused: 0,
                });
            }
            Ok(new)
        })
    }

    /// Keeps why a catch-up failed beside its cursor (which does not move), and says it.
    fn catch_up_failed(
        &self,
        connection_id: &str,
        cursor: &InboundCursor,
        reason: String,
    ) -> CoreError {
        let failed = InboundCursor {
            last_error: Some(reason.clone()),
            ..cursor.clone()
        };
        if let Err(e) = self.write(|tx| Ok(inbound_cursors::set(tx, connection_id, &failed)?)) {
            return e;
        }
        CoreError::invalid(format!("catching up failed: {reason}"))
    }
}

/// One connection's catch-up in a round over many: done, or why not.
#[derive(Debug, Clone, Serialize)]
pub struct CatchUpResult {
    pub connection_id: String,
    pub caught_up: Option<CatchUp>,
    pub error: Option<String>,
}

impl Core {
    /// Catches up every connection whose vendor has an events API this app reads in one
    /// environment, for the operator who asks.
    pub fn reconcile_all(
        &self,
        scope: &crate::kernel::sites::SiteEnvironment,
    ) -> CoreResult<Vec<CatchUpResult>> {
        self.authorize(access::Operation::CatchUpEvents, Target::App)?;
        self.catch_up_all(Some(scope))
    }

    /// Catches up every connection whose vendor has an events API this app reads, in every
    /// site (or the one environment given); one failing does not stop the others. The app's
    /// own rounds call it.
    pub(crate) fn catch_up_all(
        &self,
        scope: Option<&crate::kernel::sites::SiteEnvironment>,
    ) -> CoreResult<Vec<CatchUpResult>> {
        let environment = scope.map(|s| self.environment_id(s)).transpose()?;
        let connections: Vec<(String, String)> = self.store.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT id, connector_type FROM connections
                 WHERE (?1 IS NULL OR environment_id = ?1) AND credential_blob IS NOT NULL ORDER BY id",
            )?;
            let rows = statement.query_map([environment], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<Vec<_>, _>>().map_err(CoreError::from)
        })?;
        let reads_events_api = |slug: &str| {
            self.catalog
                .get(slug)
                .is_some_and(|m| m.inbound_events.events_api.is_some())
        };
        Ok(connections
            .into_iter()
            .filter(|(_, slug)| reads_events_api(slug))
            .map(|(id, _)| match self.catch_up(&id) {
                Ok(caught_up) => CatchUpResult {
                    connection_id: id,
                    caught_up: Some(caught_up),
                    error: None,
                },
                Err(e) => CatchUpResult {
                    connection_id: id,
                    caught_up: None,
                    error: Some(format!("{}: {e}", e.code())),
                },
            })
            .collect())
    }
}
