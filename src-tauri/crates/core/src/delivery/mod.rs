//! Outbound delivery (SPEC §6): events queued with their field mapping applied, the worker that
//! attempts them with retries and records every attempt, the SSRF policy, the delivery log and
//! detail, triage and manual retries, and the log's retention.

pub(crate) mod attempt;
pub(crate) mod bell;
pub mod detail;
pub mod enqueue;
pub(crate) mod failures;
pub mod field_mapping;
pub(crate) mod form_body;
pub mod log;
pub mod retention;
pub(crate) mod retry_policy;
pub mod triage;
pub mod worker;

/// What the delivery domain keeps between calls.
#[derive(Default)]
pub(crate) struct DeliveryState {
    /// Rung when an event is queued or a delivery is due again, so the worker wakes at once.
    pub(crate) bell: bell::DeliveryBell,
}
