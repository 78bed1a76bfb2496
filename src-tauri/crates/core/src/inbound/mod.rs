//! Inbound vendor events (SPEC §7, "Event sources"): what vendors send the app. A connection's
//! event source (its vendor's signing secrets, sealed, and the public address the vendor
//! signs); verification of a request's raw bytes by the connector's scheme; reading its events
//! and their keys; the listener that receives them and the group commit that records them
//! once each; the event log and the refused requests.

pub mod connection_events;
pub mod event_log;
pub mod event_source;
mod events_api;
pub mod extraction;
mod host_allow_list;
pub mod listener;
mod paypal_check;
pub mod receive;
pub mod reconciliation;
pub mod sandbox_emitter;
pub mod signing;
pub mod verification;

use std::net::SocketAddr;
use std::sync::Mutex;

/// The inbound side's own state in the core.
#[derive(Default)]
pub(crate) struct InboundState {
    sources: receive::SourceCache,
    public_hosts: host_allow_list::PublicHosts,
    listening: Mutex<Option<SocketAddr>>,
}

impl InboundState {
    fn set_listening(&self, address: Option<SocketAddr>) {
        *self.listening.lock().expect("listening address") = address;
    }

    fn listening(&self) -> Option<SocketAddr> {
        *self.listening.lock().expect("listening address")
    }

    /// A connection's secret or public address changed: read them again.
    fn forget(&self, connection_id: &str) {
        self.sources.forget(connection_id);
        self.public_hosts.forget();
    }
}
