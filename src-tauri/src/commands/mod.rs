//! Thin command adapters, one file per domain: IPC arguments → one core call → `IpcError`.
//! Core calls touch SQLite, so they run on the blocking pool, never on the main thread.

mod access;
mod activity;
mod app;
mod automations;
mod catalog;
mod connections;
mod deliveries;
mod events;
mod lifecycle;
mod outbound;
mod settings;
mod signed_token;
mod support;
mod triage;

use crate::{AppState, IpcError};
use sgen_core::{Core, CoreError};
use std::sync::Arc;
use tauri::{ipc::Invoke, Runtime};

pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_status,
        app::sites_list,
        access::session_get,
        access::operators_list,
        access::operator_switch,
        access::access_overview,
        access::operator_save,
        access::operator_remove,
        access::role_save,
        access::role_remove,
        access::family_gates_set,
        activity::activity_query,
        activity::activity_get,
        activity::activity_actions,
        activity::activity_export,
        activity::activity_retention_set,
        support::support_workspace_get,
        support::support_bundle_export,
        support::support_bundle_open,
        support::support_workspaces_list,
        support::support_workspace_reopen,
        support::support_workspace_remove,
        support::delivery_replay,
        automations::automations_list,
        automations::automation_get,
        automations::automation_save,
        automations::automation_check,
        automations::automation_status_set,
        automations::automation_dry_run,
        automations::runs_query,
        automations::run_get,
        automations::notifications_list,
        automations::automation_run_now,
        automations::automation_held_runs,
        automations::run_retry_preview,
        automations::run_retry,
        automations::runs_retry,
        automations::run_cancel,
        automations::tasks_list,
        automations::task_complete,
        automations::notification_centre,
        automations::notifications_mark_read,
        catalog::catalog_list,
        catalog::catalog_get,
        catalog::catalog_open_docs,
        connections::connections_list,
        connections::connection_get,
        deliveries::deliveries_query,
        lifecycle::connection_create,
        lifecycle::connection_test,
        lifecycle::connection_pause,
        lifecycle::connection_resume,
        lifecycle::connection_disconnect,
        lifecycle::sandbox_faults_set,
        lifecycle::sandbox_state_get,
        lifecycle::sandbox_offline_set,
        lifecycle::oauth_begin,
        lifecycle::oauth_reauthorize_begin,
        lifecycle::oauth_finish,
        lifecycle::oauth_cancel,
        lifecycle::oauth_app_link,
        lifecycle::connection_refresh,
        lifecycle::field_mapping_set,
        outbound::delivery_send,
        outbound::delivery_retry,
        triage::triage_queue,
        triage::outbox_counts,
        triage::deliveries_retry_bulk,
        settings::delivery_settings_get,
        settings::allow_list_set,
        settings::retention_set,
        settings::retry_schedule_set,
        settings::site_key_rotate,
        settings::inbound_port_set,
        triage::delivery_timeline,
        triage::delivery_health,
        signed_token::signed_token_begin,
        signed_token::signed_token_register_sandbox,
        signed_token::signed_token_finish,
        signed_token::signed_token_cancel,
        signed_token::signing_secret_rotate,
        signed_token::signing_secret_rotation_finish,
        events::events_query,
        events::event_get,
        events::rejections_query,
        events::rejection_get,
        events::rejection_recheck,
        events::inbound_status,
        events::event_source_get,
        events::event_secret_set,
        events::event_public_url_set,
        events::sandbox_event_example,
        events::sandbox_emit,
        events::events_reconcile,
    ]
}

/// Runs `f` with the open core on the blocking thread pool.
async fn with_core<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Core) -> Result<T, CoreError> + Send + 'static,
) -> Result<T, IpcError> {
    let core: Arc<Core> = state.core()?;
    tauri::async_runtime::spawn_blocking(move || f(&core))
        .await
        .map_err(|e| IpcError::from(CoreError::Internal(format!("core task failed: {e}"))))?
        .map_err(IpcError::from)
}
