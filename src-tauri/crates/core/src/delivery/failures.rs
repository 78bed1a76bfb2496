//! A pattern of failures (SPEC §6): when a connection's last `FAILURE_RUN` attempts all failed,
//! it moves to `error` and the failure is surfaced in the activity log, so someone sees it —
//! rather than each delivery quietly working through its retries. A test call that succeeds
//! moves it back (see `lifecycle`).

use crate::kernel::connection_state::{Operation, Transition};
use crate::kernel::write::Tx;
use crate::{Core, CoreResult};
use sgen_store::delivery_writes::NewAttempt;
use sgen_store::model::{ConnectionState, Outcome};
use std::collections::BTreeSet;

/// Attempts in a row that make a pattern: more than one delivery's worth at the start of the
/// schedule, so one bad event alone does not take a connection down.
pub(crate) const FAILURE_RUN: u32 = 10;

/// Called in the transaction that recorded `attempts`.
pub(crate) fn note_failure_runs(
    core: &Core,
    tx: &Tx<'_, '_>,
    attempts: &[NewAttempt<'_>],
    now: i64,
) -> CoreResult<()> {
    let failing: BTreeSet<&str> = attempts
        .iter()
        .filter(|a| a.outcome != Outcome::Delivered)
        .map(|a| a.delivery.connection_id)
        .collect();
    for connection_id in failing {
        let recent: Vec<(Outcome, Option<u16>, Option<String>)> = tx
            .prepare_cached(
                "SELECT outcome, vendor_response_code, error_class FROM delivery_attempts
                 WHERE connection_id = ?1 ORDER BY attempted_at DESC, id DESC LIMIT ?2",
            )?
            .query_map((connection_id, FAILURE_RUN), |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let run = recent.len() as u32 == FAILURE_RUN
            && recent.iter().all(|(o, _, _)| *o != Outcome::Delivered);
        if !run {
            continue;
        }
        let Some(record) = sgen_store::connections::get(tx, connection_id)? else {
            continue;
        };
        // Only a working connection is marked: an expired or revoked credential already says
        // more than "failing", and a paused one sends nothing.
        if record.state != ConnectionState::Active {
            continue;
        }
        let last = match &recent[0] {
            (_, Some(code), _) => format!("HTTP {code}"),
            (_, None, Some(class)) => class.clone(),
            _ => "no answer".to_string(),
        };
        let cause = format!("{FAILURE_RUN} delivery attempts in a row failed (last: {last})");
        core.record_operation(
            tx,
            &record,
            Some(Transition {
                to: ConnectionState::Error,
                cause: &cause,
            }),
            Operation {
                operator_id: None,
                action: "failure.surfaced",
                outcome: "error",
                details: serde_json::json!({
                    "failure": "deliveries_failing",
                    "attempts": FAILURE_RUN,
                    "last": last,
                    "vendor_response_code": recent[0].1,
                }),
                at: now,
            },
        )?;
    }
    Ok(())
}
