//! What each command does: one file per domain, each a few core calls and their output.

pub mod access;
pub mod automations;
pub mod connections;
pub mod deliveries;
pub mod event_log;
pub mod events;
pub mod sandbox;
pub mod settings;
pub mod support;
pub mod work;
