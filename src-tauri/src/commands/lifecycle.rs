use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::connections::ConnectionDetail;
use sgen_core::lifecycle::{NewConnectionRequest, Resumed, Revocation};
use sgen_core::sites::Scope;
use sgen_core::test_outcome::TestOutcome;
use sgen_core::SandboxFaults;
use tauri::State;

#[tauri::command]
pub async fn connection_create(
    state: State<'_, AppState>,
    scope: Scope,
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
