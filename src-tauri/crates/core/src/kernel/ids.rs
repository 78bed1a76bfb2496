//! Opaque, prefixed identifiers (`con_…`, `dlv_…`). The primary keys refuse a collision rather
//! than reuse an id.

use crate::{CoreError, CoreResult};

/// `prefix_` + 20 hex digits (80 bits) of caller-supplied randomness (the seeded demo generator).
pub(crate) fn id_from_bits(prefix: &str, bits: u128) -> String {
    format!("{prefix}_{:020x}", bits & ((1u128 << 80) - 1))
}

/// `prefix_` + 12 hex digits of milliseconds + 14 hex digits of randomness (56 bits).
pub(crate) fn time_ordered_id(prefix: &str, at_ms: i64, random: u64) -> String {
    format!("{prefix}_{:012x}{:014x}", at_ms.max(0), random >> 8)
}

/// Randomness for new ids.
pub(crate) fn random_bits() -> CoreResult<u64> {
    getrandom::u64().map_err(|e| CoreError::Internal(format!("no randomness: {e}")))
}

/// `prefix_` + 12 hex digits of milliseconds + 14 of a counter this process increments for
/// every id: ids sort by their time, and those of one millisecond (common at thousands of
/// events a second) in the order they were made. One process writes a data directory at a
/// time, and a later one starts at a later millisecond.
pub(crate) fn sequential_id(prefix: &str, at_ms: i64) -> String {
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{prefix}_{:012x}{:014x}",
        at_ms.max(0),
        count & ((1 << 56) - 1)
    )
}
