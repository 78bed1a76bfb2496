//! The triage queue and operators' retries (SPEC §6): deliveries that stopped, each with what
//! to do about it, and retries — one, or a filtered set with progress — that reuse each
//! delivery's id (its idempotency key) and append to its log.

use crate::access::{self, Target};
use crate::delivery::worker::LEASE_MS;
use crate::kernel::events::CoreEvent;
use crate::kernel::sites::SiteEnvironment;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::model::{ConnectionState, DeliveryStatus};
use sgen_store::outbox::{self, Claimed};
use sgen_store::outbox_triage::{self, RetrySelection};
pub use sgen_store::outbox_triage::{OutboxCounts, StoppedDelivery};
use ts_rs::TS;

/// Stopped deliveries listed at most (newest first).
const TRIAGE_LIMIT: u32 = 500;
/// Deliveries re-queued per transaction in a bulk retry, so progress can be shown and the
/// writer is never held for long.
const RETRY_CHUNK: usize = 500;

/// A stopped delivery and the action that would unblock it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TriageItem {
    pub delivery: StoppedDelivery,
    /// What to do, in a sentence.
    pub next_step: String,
}

/// Which waiting deliveries a bulk retry takes. `outcome` is `failed` (stopped: dead letters
/// and gone destinations) or `retried` (waiting for a scheduled retry: brought forward).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct RetryFilter {
    pub outcome: String,
    #[ts(optional)]
    pub connection_id: Option<String>,
    #[ts(optional, type = "number")]
    pub since: Option<i64>,
    #[ts(optional, type = "number")]
    pub until: Option<i64>,
    #[ts(optional)]
    pub search: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BulkRetry {
    /// Deliveries the filter matched.
    pub matched: u32,
    /// Of those, now due for an attempt (one being attempted already is left to its worker).
    pub requeued: u32,
}

impl Core {
    pub fn triage_queue(&self, scope: &SiteEnvironment) -> CoreResult<Vec<TriageItem>> {
        let environment_id = self.environment_id(scope)?;
        let stopped = self.store.read(|conn| {
            Ok::<_, CoreError>(outbox_triage::stopped(conn, environment_id, TRIAGE_LIMIT)?)
        })?;
        Ok(stopped
            .into_iter()
            .map(|delivery| TriageItem {
                next_step: next_step(&delivery),
                delivery,
            })
            .collect())
    }

    /// How many deliveries are due, waiting for a retry, stopped and held.
    pub fn outbox_counts(&self, scope: &SiteEnvironment) -> CoreResult<OutboxCounts> {
        let environment_id = self.environment_id(scope)?;
        let now = self.now();
        self.store
            .read(|conn| Ok::<_, CoreError>(outbox_triage::counts(conn, environment_id, now)?))
    }

    /// An operator's retry of one waiting delivery (stopped, or waiting for its scheduled
    /// retry): attempted on the worker's next pass with the same id; its earlier attempts stay.
    pub fn retry_delivery(&self, delivery_id: &str) -> CoreResult<()> {
        self.authorize(access::Operation::RetryDelivery, Target::App)?;
        self.requeue(delivery_id, false)?;
        self.delivery.bell.ring();
        Ok(())
    }

    /// Makes one waiting delivery due now; with `lease`, leases it to the caller in the same
    /// transaction, so no worker takes it first.
    pub(crate) fn requeue(&self, delivery_id: &str, lease: bool) -> CoreResult<Option<Claimed>> {
        let now = self.now();
        let ids = [delivery_id.to_string()];
        self.write(|tx| {
            if requeue(tx, &ids, now)? == 0 {
                return Err(CoreError::NotFound {
                    what: "delivery waiting to be retried",
                    id: delivery_id.to_string(),
                });
            }
            Ok(match lease {
                true => outbox::claim_one(tx, delivery_id, now, LEASE_MS)?,
                false => None,
            })
        })
    }

    /// Re-queues every delivery the filter matches, `RETRY_CHUNK` per transaction, telling
    /// `progress` (done, total) after each.
    pub fn retry_deliveries(
        &self,
        scope: &SiteEnvironment,
        filter: &RetryFilter,
        mut progress: impl FnMut(u32, u32),
    ) -> CoreResult<BulkRetry> {
        self.authorize(access::Operation::RetryDeliveries, Target::App)?;
        let stopped = match filter.outcome.as_str() {
            "failed" => true,
            "retried" => false,
            other => {
                return Err(CoreError::invalid(format!(
                    "a bulk retry takes deliveries whose outcome is `failed` or `retried`, not `{other}`"
                )))
            }
        };
        let environment_id = self.environment_id(scope)?;
        let selection = RetrySelection {
            stopped,
            connection_id: filter.connection_id.as_deref(),
            since: filter.since,
            until: filter.until,
            search: filter
                .search
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        };
        let ids = self.store.read(|conn| {
            Ok::<_, CoreError>(outbox_triage::select_for_retry(
                conn,
                environment_id,
                &selection,
            )?)
        })?;
        let total = ids.len() as u32;
        let mut requeued = 0;
        let mut done = 0;
        progress(0, total);
        for chunk in ids.chunks(RETRY_CHUNK) {
            let now = self.now();
            requeued += self.write(|tx| requeue(tx, chunk, now))? as u32;
            done += chunk.len() as u32;
            progress(done, total);
        }
        if requeued > 0 {
            self.delivery.bell.ring();
        }
        Ok(BulkRetry {
            matched: total,
            requeued,
        })
    }
}

/// Makes `ids` due now, announcing how many were, once that commits.
fn requeue(tx: &Tx<'_, '_>, ids: &[String], now: i64) -> CoreResult<usize> {
    let count = outbox_triage::requeue(tx, ids, now)?;
    if count > 0 {
        tx.publish(CoreEvent::DeliveriesRequeued {
            count: count as u32,
        });
    }
    Ok(count)
}

fn next_step(d: &StoppedDelivery) -> String {
    match (d.connection_state, d.status, d.last_response_code) {
        (Some(ConnectionState::AuthExpired | ConnectionState::AuthRevoked), ..) => {
            "Reconnect the connection (its credential no longer works), then retry.".into()
        }
        (Some(ConnectionState::Paused), ..) => "Resume the connection, then retry.".into(),
        (_, DeliveryStatus::Failed, Some(410)) => {
            "The destination said it is gone (410): fix or re-enable it at the vendor, test the connection, then retry.".into()
        }
        (_, _, Some(401 | 403)) => {
            "The vendor refused the credential or its scopes: rotate the credential or edit scopes, then retry.".into()
        }
        (_, _, Some(400 | 404 | 422)) => {
            "The vendor refused the request itself: fix the field mapping or the event, then retry.".into()
        }
        (_, _, Some(429)) => "The vendor was rate limiting: retry once it recovers.".into(),
        _ => "The vendor failed or could not be reached: check its status, then retry.".into(),
    }
}
