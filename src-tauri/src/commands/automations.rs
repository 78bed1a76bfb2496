//! Automations: the list, one automation and its JSON, saving and status, dry runs, the run
//! history, and the notification centre.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::automations::definition::AutomationStatus;
use sgen_core::automations::library::{AutomationDetail, AutomationSummary};
use sgen_core::automations::runs::{RunDetail, RunPage, RunQuery};
use sgen_core::kernel::notifications::Notification;
use sgen_core::kernel::sites::SiteEnvironment;
use tauri::State;

#[tauri::command]
pub async fn automations_list(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
) -> Result<Vec<AutomationSummary>, IpcError> {
    with_core(&state, move |core| core.automations(&scope)).await
}

#[tauri::command]
pub async fn automation_get(
    state: State<'_, AppState>,
    id: String,
) -> Result<AutomationDetail, IpcError> {
    with_core(&state, move |core| core.automation(&id)).await
}

/// Saves the automation from its JSON (seed 004's shape): a new one, or a new version of `id`.
#[tauri::command]
pub async fn automation_save(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    id: Option<String>,
    json: String,
) -> Result<AutomationSummary, IpcError> {
    with_core(&state, move |core| {
        core.save_automation(&scope, id.as_deref(), &json)
    })
    .await
}

#[tauri::command]
pub async fn automation_status_set(
    state: State<'_, AppState>,
    id: String,
    status: AutomationStatus,
) -> Result<AutomationSummary, IpcError> {
    with_core(&state, move |core| core.set_automation_status(&id, status)).await
}

/// Runs it now against the operator's sample event, doing nothing.
#[tauri::command]
pub async fn automation_dry_run(
    state: State<'_, AppState>,
    id: String,
    event: serde_json::Value,
) -> Result<RunDetail, IpcError> {
    with_core(&state, move |core| {
        core.dry_run_automation(&id, &event, None)
    })
    .await
}

#[tauri::command]
pub async fn runs_query(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    query: RunQuery,
) -> Result<RunPage, IpcError> {
    with_core(&state, move |core| core.runs(&scope, &query)).await
}

#[tauri::command]
pub async fn run_get(state: State<'_, AppState>, id: String) -> Result<RunDetail, IpcError> {
    with_core(&state, move |core| core.run(&id)).await
}

#[tauri::command]
pub async fn notifications_list(state: State<'_, AppState>) -> Result<Vec<Notification>, IpcError> {
    with_core(&state, move |core| core.notifications(100)).await
}
