//! The one way a connection's state changes (SPEC §4, §8): the state and its history row with
//! the cause, the activity row of the operation that caused it, and a
//! `connection.state_changed` event once the transaction commits — all in the caller's
//! transaction, so none of them exists without the others. An operation that leaves the state
//! as it is (a test of a paused connection, a new field mapping) is recorded the same way and
//! announced as `connection.changed`. A change to or from health is also an event in the event
//! log (`connection.unhealthy`, …), which automations take like a vendor's.

use crate::kernel::activity::{self, Activity};
use crate::kernel::events::CoreEvent;
use crate::kernel::write::Tx;
use crate::{Core, CoreResult};
use sgen_store::connections::{self, ConnectionRecord};
use sgen_store::model::ConnectionState;

/// The state a connection moves to, and why (kept in its history).
pub(crate) struct Transition<'a> {
    pub(crate) to: ConnectionState,
    pub(crate) cause: &'a str,
}

/// The operation, as the activity log records it.
pub(crate) struct Operation<'a> {
    /// The operator who acted; None when the app acted on its own (a refresh, a delivery),
    /// which the activity log attributes to the connection's operator of record.
    pub(crate) operator_id: Option<&'a str>,
    pub(crate) action: &'a str,
    pub(crate) outcome: &'a str,
    pub(crate) details: serde_json::Value,
    pub(crate) at: i64,
}

impl<'a> Operation<'a> {
    /// An operator's operation that did what it was asked.
    pub(crate) fn succeeded(
        operator_id: &'a str,
        action: &'a str,
        details: serde_json::Value,
        at: i64,
    ) -> Self {
        Operation {
            operator_id: Some(operator_id),
            action,
            outcome: "success",
            details,
            at,
        }
    }
}

impl Core {
    /// Records `operation` on `record`'s connection and, when `transition` names a state other
    /// than the current one, moves it there. Returns whether the state changed.
    pub(crate) fn record_operation(
        &self,
        tx: &Tx<'_, '_>,
        record: &ConnectionRecord,
        transition: Option<Transition<'_>>,
        operation: Operation<'_>,
    ) -> CoreResult<bool> {
        let mut changed = None;
        if let Some(Transition { to, cause }) = transition {
            let left = connections::transition(
                tx,
                &record.id,
                to,
                cause,
                operation.operator_id,
                operation.at,
            )?;
            if let Some(from) = left {
                crate::inbound::connection_events::record(
                    tx,
                    record,
                    from,
                    to,
                    cause,
                    operation.at,
                )?;
            }
            changed = left.map(|from| CoreEvent::ConnectionStateChanged {
                connection_id: record.id.clone(),
                from,
                to,
                cause: cause.to_string(),
            });
        }
        let site_id: String = tx.query_row(
            "SELECT site_id FROM environments WHERE id = ?1",
            [record.environment_id],
            |row| row.get(0),
        )?;
        activity::log(
            tx,
            &Activity {
                at: operation.at,
                operator_id: operation.operator_id.unwrap_or(&record.operator_of_record),
                site_id: Some(&site_id),
                environment_id: Some(record.environment_id),
                connection_id: Some(&record.id),
                action: operation.action,
                outcome: operation.outcome,
                details: operation.details,
            },
        )?;
        let state_changed = changed.is_some();
        tx.publish(changed.unwrap_or_else(|| CoreEvent::ConnectionChanged {
            connection_id: record.id.clone(),
        }));
        Ok(state_changed)
    }
}
