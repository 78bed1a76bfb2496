//! Inbound vendor events (SPEC §7, "Event sources"): what vendors send the app. So far the
//! first step every event takes, verification on the raw bytes by the connector's scheme; the
//! listener, deduplication and the event log build on it (issue 13).

pub mod verification;
