//! SQLite persistence for SGEN Integrations: one database file per data directory, plain-SQL
//! migrations applied at open, a single serialized writer and a small pool of readers.
//! Repositories are free functions over a connection or transaction, grouped by table.

mod attempt_search;
mod db;
mod error;
mod migrations;
pub mod model;

pub mod activity;
pub mod attempts;
pub mod automation_runs;
pub mod automation_tasks;
pub mod automations;
pub mod bundle_tables;
pub mod connection_credentials;
pub mod connections;
pub mod delivery_health;
pub mod delivery_writes;
pub mod event_sources;
pub mod inbound_cursors;
pub mod inbound_events;
pub mod inbound_rejections;
pub mod notifications;
pub mod operators;
pub mod outbox;
pub mod outbox_triage;
pub mod pending_revocations;
pub mod retention;
pub mod roles;
pub mod settings;
pub mod site_keys;
pub mod sites;

pub use db::{Access, Store};
pub use error::StoreError;
pub use migrations::LATEST_SCHEMA_VERSION;
pub use rusqlite::{Connection, Error as SqliteError, Transaction};
