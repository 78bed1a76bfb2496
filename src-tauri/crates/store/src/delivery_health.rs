//! A connection's delivery health over time: attempts, deliveries and latency per time bucket,
//! answered from the `attempts_conn_time` index.

use rusqlite::{params, Connection};

#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct HealthBucket {
    /// Start of the bucket, ms since the epoch.
    #[ts(type = "number")]
    pub start: i64,
    pub attempts: u32,
    pub delivered: u32,
    /// Mean latency of the bucket's attempts.
    pub mean_latency_ms: u32,
    pub max_latency_ms: u32,
}

/// Buckets of `bucket_ms` from `since`, only those with attempts, oldest first.
pub fn buckets(
    conn: &Connection,
    connection_id: &str,
    since: i64,
    bucket_ms: i64,
) -> rusqlite::Result<Vec<HealthBucket>> {
    conn.prepare_cached(
        "SELECT ?2 + ((attempted_at - ?2) / ?3) * ?3 AS start, count(*),
                sum(outcome = 'delivered'), CAST(avg(latency_ms) AS INTEGER), max(latency_ms)
         FROM delivery_attempts
         WHERE connection_id = ?1 AND attempted_at >= ?2
         GROUP BY start ORDER BY start",
    )?
    .query_map(params![connection_id, since, bucket_ms], |row| {
        Ok(HealthBucket {
            start: row.get(0)?,
            attempts: row.get(1)?,
            delivered: row.get(2)?,
            mean_latency_ms: row.get(3)?,
            max_latency_ms: row.get(4)?,
        })
    })?
    .collect()
}
