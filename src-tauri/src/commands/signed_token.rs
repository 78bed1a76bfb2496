//! Signed-token connections: the core makes the secret and the window shows it once.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::connections::detail::ConnectionDetail;
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::connections::signed_token::SigningSecretIssued;
use sgen_core::kernel::sites::SiteEnvironment;
use tauri::State;

#[tauri::command]
pub async fn signed_token_begin(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    request: NewConnectionRequest,
) -> Result<SigningSecretIssued, IpcError> {
    with_core(&state, move |core| core.begin_signed_token(&scope, request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn signed_token_register_sandbox(
    state: State<'_, AppState>,
    pending_id: String,
) -> Result<(), IpcError> {
    with_core(&state, move |core| {
        core.register_signing_secret_with_sandbox(&pending_id)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn signed_token_finish(
    state: State<'_, AppState>,
    pending_id: String,
) -> Result<ConnectionDetail, IpcError> {
    with_core(&state, move |core| core.finish_signed_token(&pending_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn signed_token_cancel(
    state: State<'_, AppState>,
    pending_id: String,
) -> Result<(), IpcError> {
    with_core(&state, move |core| core.cancel_signed_token(&pending_id)).await
}

/// A new signing secret, shown once; the old one keeps signing for a day.
#[tauri::command]
pub async fn signing_secret_rotate(
    state: State<'_, AppState>,
    id: String,
) -> Result<sgen_core::connections::signing_secret_rotation::RotatedSigningSecret, IpcError> {
    with_core(&state, move |core| core.rotate_signing_secret(&id)).await
}

#[tauri::command]
pub async fn signing_secret_rotation_finish(
    state: State<'_, AppState>,
    id: String,
) -> Result<(), IpcError> {
    with_core(&state, move |core| core.finish_signing_secret_rotation(&id)).await
}
