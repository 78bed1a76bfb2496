//! Activity-log rows for what operators and the app do to connections (SPEC §8): who, which
//! connection, what, how it went. Details never hold a secret.

use crate::kernel::events::CoreEvent;
use crate::kernel::write::Tx;
use crate::CoreResult;
use sgen_store::activity::{self, NewActivity};
use sgen_store::Transaction;

pub(crate) struct Activity<'a> {
    pub(crate) at: i64,
    pub(crate) operator_id: &'a str,
    /// None for what concerns the app as a whole.
    pub(crate) site_id: Option<&'a str>,
    pub(crate) environment_id: Option<i64>,
    pub(crate) connection_id: Option<&'a str>,
    pub(crate) action: &'a str,
    pub(crate) outcome: &'a str,
    pub(crate) details: serde_json::Value,
}

pub(crate) fn log(tx: &Transaction<'_>, a: &Activity<'_>) -> CoreResult<()> {
    activity::append(
        tx,
        &NewActivity {
            at: a.at,
            operator_id: a.operator_id,
            site_id: a.site_id,
            environment_id: a.environment_id,
            connection_id: a.connection_id,
            action: a.action,
            outcome: a.outcome,
            details: &a.details,
            catalog_version: sgen_catalog::CATALOG_VERSION,
        },
    )?;
    Ok(())
}

/// An app-wide setting changed (retention, retry schedule): a row with its prior and new
/// values, in the caller's transaction, and a `settings.changed` event once it commits.
pub(crate) fn log_app_setting(
    tx: &Tx<'_, '_>,
    at: i64,
    operator_id: &str,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> CoreResult<()> {
    activity::append(
        tx,
        &NewActivity {
            at,
            operator_id,
            site_id: None,
            environment_id: None,
            connection_id: None,
            action,
            outcome: "success",
            details: &serde_json::json!({ "before": before, "after": after }),
            catalog_version: sgen_catalog::CATALOG_VERSION,
        },
    )?;
    tx.publish(CoreEvent::SettingsChanged {
        setting: action.trim_start_matches("settings.").to_string(),
    });
    Ok(())
}
