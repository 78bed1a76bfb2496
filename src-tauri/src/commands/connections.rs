use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::connections::detail::{ConnectionDetail, ConnectionPage, ConnectionQuery};
use sgen_core::kernel::sites::SiteEnvironment;
use tauri::State;

#[tauri::command]
pub async fn connections_list(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    query: ConnectionQuery,
) -> Result<ConnectionPage, IpcError> {
    with_core(&state, move |core| core.connections(&scope, &query)).await
}

#[tauri::command]
pub async fn connection_get(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConnectionDetail, IpcError> {
    with_core(&state, move |core| core.connection(&id)).await
}
