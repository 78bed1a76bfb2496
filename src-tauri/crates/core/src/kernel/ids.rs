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

/// `prefix_` + 12 hex digits of milliseconds + 14 of a sequence: ids made by this process sort
/// in the order they were made, also within one millisecond and when the clock steps back
/// (the last one's time is kept until the clock passes it). One process writes a data
/// directory at a time, so its ids sort in the order they were written.
pub(crate) fn sequential_id(prefix: &str, at_ms: i64) -> String {
    static LAST: std::sync::Mutex<(i64, u64)> = std::sync::Mutex::new((0, 0));
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    *last = match at_ms > last.0 {
        true => (at_ms, 0),
        false => (last.0, last.1 + 1),
    };
    format!(
        "{prefix}_{:012x}{:014x}",
        last.0.max(0),
        last.1 & ((1 << 56) - 1)
    )
}
