use serde::{Deserialize, Serialize};

/// What is wrong with one sandbox account, as set by a test, the CLI or the app's panel. The
/// default is a healthy account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields)]
#[ts(export, rename = "SandboxFaults")]
pub struct Faults {
    /// Its access token has expired (OAuth), so calls answer 401 until a refresh.
    pub token_expired: bool,
    /// The grant or key was revoked at the vendor: calls answer 401, refreshes `invalid_grant`.
    pub revoked: bool,
    /// Scopes the vendor no longer grants: calls needing them answer 403.
    pub dropped_scopes: Vec<String>,
    /// Every call answers this status instead (400 as a schema mismatch, 401, 403, 410, 429
    /// with `Retry-After`, or a 5xx).
    pub status: Option<u16>,
    /// Added to every answer.
    #[ts(type = "number")]
    pub latency_ms: u64,
    /// Refreshes answer without a new `refresh_token`, as a vendor that does not rotate them
    /// does; the one presented stays valid.
    pub keeps_refresh_token: bool,
}
