use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::connections::detail::ConnectionDetail;
use sgen_core::connections::lifecycle::{NewConnectionRequest, Resumed, Revocation};
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::oauth::connect::{AuthorizationStarted, OAuthConnectRequest};
use sgen_core::{SandboxFaults, SandboxState};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn connection_create(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    request: NewConnectionRequest,
) -> Result<ConnectionDetail, IpcError> {
    with_core(&state, move |core| core.create_connection(&scope, request)).await
}

#[tauri::command]
pub async fn connection_test(
    state: State<'_, AppState>,
    id: String,
) -> Result<TestOutcome, IpcError> {
    with_core(&state, move |core| core.test_connection(&id)).await
}

#[tauri::command]
pub async fn connection_pause(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConnectionDetail, IpcError> {
    with_core(&state, move |core| core.pause_connection(&id)).await
}

#[tauri::command]
pub async fn connection_resume(
    state: State<'_, AppState>,
    id: String,
) -> Result<Resumed, IpcError> {
    with_core(&state, move |core| core.resume_connection(&id)).await
}

#[tauri::command]
pub async fn connection_disconnect(
    state: State<'_, AppState>,
    id: String,
) -> Result<Revocation, IpcError> {
    with_core(&state, move |core| core.disconnect_connection(&id)).await
}

#[tauri::command]
pub async fn sandbox_faults_set(
    state: State<'_, AppState>,
    id: String,
    faults: SandboxFaults,
) -> Result<(), IpcError> {
    with_core(&state, move |core| core.set_sandbox_faults(&id, faults)).await
}

#[tauri::command]
pub async fn sandbox_state_get(
    state: State<'_, AppState>,
    id: String,
) -> Result<SandboxState, IpcError> {
    with_core(&state, move |core| core.sandbox_state(&id)).await
}

#[tauri::command]
pub async fn sandbox_offline_set(
    state: State<'_, AppState>,
    id: String,
    offline: bool,
) -> Result<(), IpcError> {
    with_core(&state, move |core| core.set_sandbox_offline(&id, offline)).await
}

/// Starts an OAuth authorization and opens its URL in the system browser (never a webview).
/// The URL comes from the core, so the window cannot open arbitrary addresses.
#[tauri::command]
pub async fn oauth_begin<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    request: OAuthConnectRequest,
) -> Result<AuthorizationStarted, IpcError> {
    let started = with_core(&state, move |core| core.begin_oauth(&scope, request)).await?;
    crate::system_browser::open(&app, &started.authorize_url)?;
    Ok(started)
}

/// Asks the vendor again, in the system browser, for the scopes the operator picked for an
/// existing OAuth connection; `oauth_finish` completes it like a new one.
#[tauri::command]
pub async fn oauth_reauthorize_begin<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    scopes: Vec<String>,
) -> Result<AuthorizationStarted, IpcError> {
    let started = with_core(&state, move |core| core.begin_reauthorization(&id, scopes)).await?;
    crate::system_browser::open(&app, &started.authorize_url)?;
    Ok(started)
}

/// Waits (up to five minutes) for the browser to come back, then creates the connection.
#[tauri::command(rename_all = "snake_case")]
pub async fn oauth_finish(
    state: State<'_, AppState>,
    flow_id: String,
) -> Result<ConnectionDetail, IpcError> {
    with_core(&state, move |core| core.finish_oauth(&flow_id)).await
}

/// An app link the person pasted because the OS could not hand it to the app.
#[tauri::command]
pub async fn oauth_app_link(state: State<'_, AppState>, link: String) -> Result<(), IpcError> {
    with_core(&state, move |core| core.receive_deep_link(&link)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn oauth_cancel(state: State<'_, AppState>, flow_id: String) -> Result<(), IpcError> {
    with_core(&state, move |core| core.cancel_oauth(&flow_id)).await
}

#[tauri::command]
pub async fn connection_refresh(
    state: State<'_, AppState>,
    id: String,
) -> Result<TestOutcome, IpcError> {
    with_core(&state, move |core| core.refresh_connection(&id)).await
}

/// Sets (an empty mapping clears) how an action's request is made from an event.
#[tauri::command]
pub async fn field_mapping_set(
    state: State<'_, AppState>,
    id: String,
    action: String,
    mapping: sgen_core::delivery::field_mapping::ActionMapping,
) -> Result<serde_json::Value, IpcError> {
    with_core(&state, move |core| {
        core.set_field_mapping(&id, &action, mapping)
    })
    .await
}
