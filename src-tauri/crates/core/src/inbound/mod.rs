//! Inbound vendor events (SPEC §7, "Event sources"): what vendors send the app. So far the
//! first step every event takes: a connection's event source (its vendor's signing secrets,
//! sealed, and the public address the vendor signs) and verification of a request's raw
//! bytes against them by the connector's scheme. The listener, deduplication and the event
//! log build on it (issue 13).

pub mod event_source;
pub mod verification;
