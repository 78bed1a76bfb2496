//! What the delivery detail pane and the connection's health chart show: one delivery's
//! attempts with its next attempt and the schedule ahead, and a connection's success rate and
//! latency over time.

use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::attempts::{self, AttemptRow};
use sgen_store::delivery_health::{self, HealthBucket};
use sgen_store::model::DeliveryStatus;
use sgen_store::outbox_triage;
use ts_rs::TS;

const HOUR_MS: i64 = 60 * 60 * 1000;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeliveryTimeline {
    pub delivery_id: String,
    pub status: DeliveryStatus,
    /// First to last.
    pub attempts: Vec<AttemptRow>,
    /// When the next attempt is due; None once it is delivered or stopped.
    #[ts(type = "number | null")]
    pub next_attempt_at: Option<i64>,
    /// When the attempts after that would be made if each failed (before jitter), ending in a
    /// dead letter.
    #[ts(type = "number[]")]
    pub schedule_ahead: Vec<i64>,
    /// Stopped (dead letter, destination gone) and waiting for an operator.
    pub stopped: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeliveryHealth {
    #[ts(type = "number")]
    pub bucket_ms: i64,
    #[ts(type = "number")]
    pub since: i64,
    pub buckets: Vec<HealthBucket>,
}

impl Core {
    pub fn delivery_timeline(&self, delivery_id: &str) -> CoreResult<DeliveryTimeline> {
        let (standing, attempts) = self.store.read(|conn| {
            Ok::<_, CoreError>((
                outbox_triage::standing(conn, delivery_id)?,
                attempts::of_delivery(conn, delivery_id)?,
            ))
        })?;
        let standing = standing.ok_or_else(|| CoreError::NotFound {
            what: "delivery",
            id: delivery_id.to_string(),
        })?;
        let policy = self.retry_policy()?;
        let (next_attempt_at, schedule_ahead, stopped) = match standing.waiting {
            Some((_, true, _)) => (None, Vec::new(), true),
            Some((due_at, false, made)) => {
                // After the attempt due next (number made + 1), each later wait in turn.
                let mut at = due_at;
                let ahead = policy
                    .delays_ms
                    .iter()
                    .skip(made as usize + 1)
                    .map(|wait| {
                        at += wait;
                        at
                    })
                    .collect();
                (Some(due_at), ahead, false)
            }
            None => (None, Vec::new(), false),
        };
        Ok(DeliveryTimeline {
            delivery_id: delivery_id.to_string(),
            status: standing.status,
            attempts,
            next_attempt_at,
            schedule_ahead,
            stopped,
        })
    }

    /// Success rate and latency of a connection's attempts over the last `days` (1 to 90):
    /// hourly buckets up to two days, daily beyond.
    pub fn delivery_health(&self, connection_id: &str, days: u32) -> CoreResult<DeliveryHealth> {
        if !(1..=90).contains(&days) {
            return Err(CoreError::invalid("the health chart covers 1 to 90 days"));
        }
        self.record(connection_id)?;
        let bucket_ms = if days <= 2 { HOUR_MS } else { 24 * HOUR_MS };
        let now = self.now();
        // Buckets aligned to their size, so the chart's bars fall on whole hours or days (UTC).
        let since = (now - i64::from(days) * 24 * HOUR_MS) / bucket_ms * bucket_ms;
        let buckets = self.store.read(|conn| {
            Ok::<_, CoreError>(delivery_health::buckets(
                conn,
                connection_id,
                since,
                bucket_ms,
            )?)
        })?;
        Ok(DeliveryHealth {
            bucket_ms,
            since,
            buckets,
        })
    }
}
