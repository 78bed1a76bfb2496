//! The app's own events (SPEC §7, "Connection-state events"): a connection becoming unhealthy,
//! its credentials expiring or being revoked, and its recovery enter the event log from the one
//! state-transition path, in its transaction, so automations take them like a vendor's events.

use crate::kernel::ids::sequential_id;
use crate::kernel::write::Tx;
use crate::CoreResult;
use sgen_store::connections::ConnectionRecord;
use sgen_store::inbound_events::{self, NewInboundEvent};
use sgen_store::model::ConnectionState;

pub const UNHEALTHY: &str = "connection.unhealthy";
pub const CREDENTIALS_EXPIRED: &str = "connection.credentials_expired";
pub const RESTORED: &str = "connection.restored";
/// Every type the app's own events have.
pub const CONNECTION_EVENT_TYPES: [&str; 3] = [UNHEALTHY, CREDENTIALS_EXPIRED, RESTORED];

/// The event a move from `from` to `to` is, if any: pausing and resuming are an operator's
/// choices, not news.
pub fn event_type(from: ConnectionState, to: ConnectionState) -> Option<&'static str> {
    use ConnectionState::*;
    match (from, to) {
        (_, Error) => Some(UNHEALTHY),
        (_, AuthExpired | AuthRevoked) => Some(CREDENTIALS_EXPIRED),
        (Error | AuthExpired | AuthRevoked, Active) => Some(RESTORED),
        _ => None,
    }
}

pub(crate) fn record(
    tx: &Tx<'_, '_>,
    connection: &ConnectionRecord,
    from: ConnectionState,
    to: ConnectionState,
    cause: &str,
    at: i64,
) -> CoreResult<()> {
    let Some(event_type) = event_type(from, to) else {
        return Ok(());
    };
    let id = sequential_id("ine", at);
    let payload = serde_json::json!({
        "type": event_type,
        "connection": {
            "id": connection.id,
            "connector_type": connection.connector_type,
            "display_name": connection.display_name,
        },
        "from": from.as_str(),
        "to": to.as_str(),
        "cause": cause,
        "at": at,
    });
    inbound_events::insert(
        tx,
        &NewInboundEvent {
            id: &id,
            environment_id: connection.environment_id,
            connection_id: &connection.id,
            // Each change is its own event.
            dedupe_key: &format!("app:{id}"),
            vendor_event_id: None,
            event_type,
            arrival: "app",
            verified_by: "app",
            received_at: at,
            signed_at: None,
            headers: "{}",
            payload: &serde_json::to_vec(&payload).expect("a JSON value serializes"),
        },
    )?;
    Ok(())
}
