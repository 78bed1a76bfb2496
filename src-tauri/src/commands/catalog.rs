use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::connections::library::{ConnectorDetail, ConnectorSummary};
use sgen_core::kernel::sites::SiteEnvironment;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn catalog_list(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
) -> Result<Vec<ConnectorSummary>, IpcError> {
    with_core(&state, move |core| core.library(&scope)).await
}

#[tauri::command]
pub async fn catalog_get(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    slug: String,
) -> Result<ConnectorDetail, IpcError> {
    with_core(&state, move |core| core.connector(&scope, &slug)).await
}

/// Opens a connector's documentation in the system browser. The URL comes from the catalog,
/// never from the web UI, so the window cannot open arbitrary addresses.
#[tauri::command]
pub async fn catalog_open_docs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    slug: String,
) -> Result<(), IpcError> {
    let url = with_core(&state, move |core| core.docs_url(&slug)).await?;
    Ok(crate::system_browser::open(&app, &url)?)
}
