//! Automations: the list, one automation and its JSON, saving and status, dry and manual
//! runs, held runs, the run history with retries and cancelling, the Tasks inbox, and the
//! notification centre.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::automations::definition::AutomationStatus;
use sgen_core::automations::library::{AutomationDetail, AutomationSummary, DefinitionCheck};
use sgen_core::automations::posture::HeldRuns;
use sgen_core::automations::run_control::{RetryOptions, RetryPreview};
use sgen_core::automations::runs::{RunDetail, RunPage, RunQuery};
use sgen_core::automations::tasks::Task;
use sgen_core::kernel::notifications::{Notification, NotificationCentre};
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

/// Checks the automation's JSON as saving it would, and saves nothing: the builder's live view.
#[tauri::command]
pub async fn automation_check(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    json: String,
) -> Result<DefinitionCheck, IpcError> {
    with_core(&state, move |core| core.check_automation(&scope, &json)).await
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

/// Starts a manual automation now with the operator's input.
#[tauri::command]
pub async fn automation_run_now(
    state: State<'_, AppState>,
    id: String,
    input: serde_json::Value,
) -> Result<RunDetail, IpcError> {
    with_core(&state, move |core| core.run_automation_now(&id, &input)).await
}

/// What to do with the runs kept while the automation is paused for a connection: `drain`
/// (run them now) or `discard`. Returns how many.
#[tauri::command]
pub async fn automation_held_runs(
    state: State<'_, AppState>,
    id: String,
    action: HeldRuns,
) -> Result<usize, IpcError> {
    with_core(&state, move |core| core.handle_held_runs(&id, action)).await
}

#[tauri::command]
pub async fn run_retry_preview(
    state: State<'_, AppState>,
    id: String,
) -> Result<RetryPreview, IpcError> {
    with_core(&state, move |core| core.retry_preview(&id)).await
}

/// Retries a failed run; returns the new run's id.
#[tauri::command]
pub async fn run_retry(
    state: State<'_, AppState>,
    id: String,
    options: RetryOptions,
) -> Result<String, IpcError> {
    with_core(&state, move |core| core.retry_run(&id, options)).await
}

/// Retries every failed run the query selects; returns the new runs' ids.
#[tauri::command]
pub async fn runs_retry(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    query: RunQuery,
    options: RetryOptions,
) -> Result<Vec<String>, IpcError> {
    with_core(&state, move |core| core.retry_runs(&scope, &query, options)).await
}

#[tauri::command]
pub async fn run_cancel(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    with_core(&state, move |core| core.cancel_run(&id)).await
}

/// The Tasks inbox (`pending`), or tasks of another status.
#[tauri::command]
pub async fn tasks_list(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    status: Option<String>,
) -> Result<Vec<Task>, IpcError> {
    with_core(&state, move |core| core.tasks(&scope, status.as_deref())).await
}

#[tauri::command]
pub async fn task_complete(
    state: State<'_, AppState>,
    id: String,
    output: serde_json::Value,
) -> Result<Task, IpcError> {
    with_core(&state, move |core| core.complete_task(&id, &output)).await
}

/// The notification centre: the unread count and the newest notifications.
#[tauri::command]
pub async fn notification_centre(
    state: State<'_, AppState>,
) -> Result<NotificationCentre, IpcError> {
    with_core(&state, move |core| core.notification_centre(100)).await
}

/// Marks read every notification up to `seen`, the newest the operator has seen.
#[tauri::command]
pub async fn notifications_mark_read(
    state: State<'_, AppState>,
    seen: i64,
) -> Result<usize, IpcError> {
    with_core(&state, move |core| core.mark_notifications_read(seen)).await
}
