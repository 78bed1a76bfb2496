//! Declares the app's commands so each gets an `allow-…` permission and the capability file
//! grants exactly the ones the window uses.

/// Every `#[tauri::command]` the shell registers; kept in step with `commands::handler()`.
const COMMANDS: &[&str] = &[
    "app_status",
    "sites_list",
    "operator_active",
    "catalog_list",
    "catalog_get",
    "catalog_open_docs",
    "connections_list",
    "connection_get",
    "deliveries_query",
    "connection_create",
    "connection_test",
    "connection_pause",
    "connection_resume",
    "connection_disconnect",
    "sandbox_faults_set",
    "sandbox_state_get",
    "sandbox_offline_set",
    "oauth_begin",
    "oauth_reauthorize_begin",
    "oauth_finish",
    "oauth_cancel",
    "oauth_app_link",
    "connection_refresh",
    "delivery_send",
    "delivery_retry",
    "triage_queue",
    "outbox_counts",
    "deliveries_retry_bulk",
    "delivery_settings_get",
    "allow_list_set",
    "retention_set",
    "retry_schedule_set",
    "delivery_timeline",
    "delivery_health",
    "field_mapping_set",
    "signed_token_begin",
    "signed_token_register_sandbox",
    "signed_token_finish",
    "signed_token_cancel",
    "signing_secret_rotate",
    "signing_secret_rotation_finish",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
