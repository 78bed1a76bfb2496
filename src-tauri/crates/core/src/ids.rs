//! Opaque, prefixed identifiers (`con_…`, `dlv_…`). 80 random bits: the primary keys refuse a
//! collision rather than reuse an id.

pub(crate) fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    )
}

/// The same shape from caller-supplied randomness (the seeded demo generator).
pub(crate) fn id_from_bits(prefix: &str, bits: u128) -> String {
    format!("{prefix}_{:020x}", bits & ((1u128 << 80) - 1))
}
