//! The delivery log view (SPEC §6): global or per connection, filtered, sorted and keyset-paged;
//! and recording deliveries with their attempts.

use crate::kernel::cursor::{self, PagePosition};
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
pub use sgen_store::attempts::AttemptRow;
use sgen_store::attempts::{self, AttemptFilter, AttemptScope, AttemptSort};
use sgen_store::connections;
use sgen_store::delivery_writes::{self, BulkLoad, NewAttempt, NewDelivery};
use sgen_store::model::{DeliveryStatus, Outcome};
use ts_rs::TS;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// A request for one page of the delivery log. Values arrive as text and are checked here.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeliveryQuery {
    /// Only this connection's attempts; otherwise the whole site environment.
    #[ts(optional)]
    pub connection_id: Option<String>,
    /// delivered | retried | failed
    #[ts(optional)]
    pub outcome: Option<String>,
    /// Inclusive lower bound, ms since the epoch.
    #[ts(optional, type = "number")]
    pub since: Option<i64>,
    /// Exclusive upper bound, ms since the epoch.
    #[ts(optional, type = "number")]
    pub until: Option<i64>,
    /// Text each event identifier must contain (word-prefix matching, case-insensitive).
    #[ts(optional)]
    pub search: Option<String>,
    /// attempted_at (default) | latency_ms | vendor_response_code | outcome | event_identifier | originating_module
    #[ts(optional)]
    pub sort: Option<String>,
    /// Newest/largest first unless false.
    #[ts(optional)]
    pub descending: Option<bool>,
    #[ts(optional)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`, with the same filter and sort.
    #[ts(optional)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeliveryPage {
    pub rows: Vec<AttemptRow>,
    /// Present when more rows follow.
    pub next_cursor: Option<String>,
}

/// A delivery with the attempts it already had, for importing history (the demo, bundles).
pub struct HistoricalDelivery {
    pub id: String,
    pub connection_id: String,
    pub environment_id: i64,
    pub originating_module: String,
    pub event_identifier: String,
    pub action: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: Vec<HistoricalAttempt>,
}

pub struct HistoricalAttempt {
    pub outcome: Outcome,
    pub vendor_response_code: Option<u16>,
    pub latency_ms: u32,
    pub attempted_at: i64,
    pub next_attempt_at: Option<i64>,
    pub error_class: Option<String>,
    pub request_summary: String,
    pub response_summary: String,
    /// The request and the answer, redacted (JSON), when they were recorded.
    pub exchange: Option<String>,
}

impl Core {
    pub fn deliveries(
        &self,
        scope: &SiteEnvironment,
        query: &DeliveryQuery,
    ) -> CoreResult<DeliveryPage> {
        let environment_id = self.environment_id(scope)?;
        let connection_id = query.connection_id.as_deref().filter(|c| !c.is_empty());
        if let Some(id) = connection_id {
            let found = self
                .store
                .read(|conn| Ok::<_, CoreError>(connections::get(conn, id)?))?;
            if found.is_none_or(|c| c.environment_id != environment_id) {
                return Err(CoreError::NotFound {
                    what: "connection",
                    id: id.into(),
                });
            }
        }
        let outcome = non_empty(&query.outcome)
            .map(|o| {
                Outcome::parse(o).ok_or_else(|| {
                    CoreError::invalid(format!(
                        "unknown outcome `{o}`; expected one of {}",
                        Outcome::choices()
                    ))
                })
            })
            .transpose()?;
        let sort = match non_empty(&query.sort) {
            None => AttemptSort::AttemptedAt,
            Some(name) => AttemptSort::parse(name).ok_or_else(|| {
                let names: Vec<&str> = AttemptSort::ALL.iter().map(|s| s.as_str()).collect();
                CoreError::invalid(format!(
                    "unknown sort column `{name}`; expected one of {}",
                    names.join("|")
                ))
            })?,
        };
        if let (Some(since), Some(until)) = (query.since, query.until) {
            if since >= until {
                return Err(CoreError::invalid(
                    "the date range is empty: `since` must be before `until`",
                ));
            }
        }
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(CoreError::invalid(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let descending = query.descending.unwrap_or(true);
        let search = non_empty(&query.search);

        // The time bounds are left out on purpose: a relative range (`--since 7d`) moves a little
        // between one page and the next, and a keyset position stays meaningful when it does.
        let filter_text = cursor::fingerprint(&[
            &environment_id.to_string(),
            connection_id.unwrap_or(""),
            outcome.map_or("", Outcome::as_str),
            search.unwrap_or(""),
            sort.as_str(),
            if descending { "desc" } else { "asc" },
        ]);
        let key = self.cursor_key()?;
        let after = non_empty(&query.cursor)
            .map(|c| cursor::decode(c, &filter_text, key))
            .transpose()?;

        let filter = AttemptFilter {
            scope: match connection_id {
                Some(id) => AttemptScope::Connection(id),
                None => AttemptScope::Environment(environment_id),
            },
            outcome,
            since: query.since,
            until: query.until,
            search,
            sort,
            descending,
            after: after.as_ref().map(|p| &p.key),
            // One extra row tells whether another page follows.
            limit: limit + 1,
        };
        let mut rows = self
            .store
            .read(|conn| Ok::<_, CoreError>(attempts::query(conn, &filter)?))?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|last| {
                cursor::encode(
                    &PagePosition {
                        sort,
                        descending,
                        key: sort.key_of(last),
                    },
                    &filter_text,
                    key,
                )
            })
        } else {
            None
        };
        Ok(DeliveryPage { rows, next_cursor })
    }
}

/// Imports a whole delivery history in the caller's transaction, as a [`BulkLoad`] (indexes
/// built once at the end). `next_batch` yields the history in pieces and runs on a thread of
/// its own, so the next piece is made while this one is written; `written` hears of each piece
/// once it is in. An error or a crash anywhere leaves none of it.
pub(crate) fn import_history(
    tx: &sgen_store::Transaction<'_>,
    mut next_batch: impl FnMut() -> Option<Vec<HistoricalDelivery>> + Send,
    mut written: impl FnMut(&[HistoricalDelivery]),
) -> CoreResult<()> {
    let load = BulkLoad::begin(tx)?;
    std::thread::scope(|scope| {
        // Two pieces ahead at most: enough to keep the writer busy, little memory.
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            while let Some(batch) = next_batch() {
                // The writer stopped early (an error): stop making more.
                if sender.send(batch).is_err() {
                    break;
                }
            }
        });
        for batch in receiver {
            insert_history(tx, &load, &batch)?;
            written(&batch);
        }
        Ok::<_, CoreError>(())
    })?;
    load.finish(tx)?;
    Ok(())
}

/// Writes deliveries with their attempts and moves each connection's `last_delivery_at` forward.
fn insert_history(
    tx: &sgen_store::Transaction<'_>,
    load: &BulkLoad,
    batch: &[HistoricalDelivery],
) -> CoreResult<()> {
    let deliveries: Vec<NewDelivery<'_>> = batch
        .iter()
        .map(|d| NewDelivery {
            id: &d.id,
            connection_id: &d.connection_id,
            environment_id: d.environment_id,
            originating_module: &d.originating_module,
            event_identifier: &d.event_identifier,
            action: d.action.as_deref(),
            status: d.status,
            created_at: d.attempts.first().map_or(0, |a| a.attempted_at),
        })
        .collect();
    delivery_writes::insert_deliveries(tx, &deliveries)?;
    let mut attempts = Vec::new();
    let mut newest: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for (delivery, d) in deliveries.iter().zip(batch) {
        for (index, a) in d.attempts.iter().enumerate() {
            attempts.push(NewAttempt {
                delivery,
                attempt_number: index as u32 + 1,
                trigger: sgen_store::model::AttemptTrigger::Scheduled,
                outcome: a.outcome,
                vendor_response_code: a.vendor_response_code,
                latency_ms: a.latency_ms,
                attempted_at: a.attempted_at,
                next_attempt_at: a.next_attempt_at,
                error_class: a.error_class.as_deref(),
                request_summary: Some(&a.request_summary),
                response_summary: Some(&a.response_summary),
                exchange: a.exchange.as_deref(),
            });
            let entry = newest
                .entry(delivery.connection_id)
                .or_insert(a.attempted_at);
            *entry = (*entry).max(a.attempted_at);
        }
    }
    load.insert_attempts(tx, &attempts)?;
    for (connection_id, at) in newest {
        connections::note_delivery(tx, connection_id, at)?;
    }
    Ok(())
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
