//! Support: what this data directory is a copy of (a support workspace, for the banner), a
//! site's support bundle exported to the Downloads folder, a bundle chosen and opened into a
//! workspace with a window of its own, and a delivery replayed offline.

use super::with_core;
use crate::{workspace_app, AppState, IpcError};
use sgen_core::support::bundle_export::{BundleRequest, ExportedBundle};
use sgen_core::support::bundle_import::ImportedWorkspace;
use sgen_core::support::replay::{ReplayChanges, ReplayReport};
use sgen_core::support::workspace::SupportWorkspace;
use sgen_core::support::workspaces::KeptWorkspace;
use std::path::PathBuf;
use tauri::{Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

#[tauri::command]
pub async fn support_workspace_get(
    state: State<'_, AppState>,
) -> Result<Option<SupportWorkspace>, IpcError> {
    with_core(&state, |core| core.support_workspace()).await
}

#[tauri::command]
pub async fn support_bundle_export(
    state: State<'_, AppState>,
    request: BundleRequest,
) -> Result<ExportedBundle, IpcError> {
    with_core(&state, move |core| {
        core.export_support_bundle_file(&request, None)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delivery_replay(
    state: State<'_, AppState>,
    delivery_id: String,
    changes: ReplayChanges,
) -> Result<ReplayReport, IpcError> {
    with_core(&state, move |core| {
        core.replay_delivery(&delivery_id, &changes)
    })
    .await
}

/// Opens the bundle at `path` — or, without one, the bundle the person picks in the system's
/// file dialog (None if they cancel) — into a new workspace, and starts the app on it.
#[tauri::command]
pub async fn support_bundle_open<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    path: Option<String>,
) -> Result<Option<ImportedWorkspace>, IpcError> {
    with_core(&state, move |core| {
        let path = match path {
            Some(path) => PathBuf::from(path),
            None => match window
                .dialog()
                .file()
                .set_parent(&window)
                .set_title("Open support bundle")
                .add_filter("Support bundle", &["zip"])
                .blocking_pick_file()
                .and_then(|file| file.into_path().ok())
            {
                Some(path) => path,
                None => return Ok(None),
            },
        };
        let opened = core.open_support_bundle(&path)?;
        workspace_app::start(std::path::Path::new(&opened.data_dir))?;
        Ok(Some(opened))
    })
    .await
}

/// The support workspaces beside this data directory.
#[tauri::command]
pub async fn support_workspaces_list(
    state: State<'_, AppState>,
) -> Result<Vec<KeptWorkspace>, IpcError> {
    with_core(&state, |core| core.support_workspaces()).await
}

/// Starts the app again on a support workspace whose window was closed.
#[tauri::command(rename_all = "snake_case")]
pub async fn support_workspace_reopen(
    state: State<'_, AppState>,
    data_dir: String,
) -> Result<(), IpcError> {
    with_core(&state, move |core| {
        workspace_app::start(&core.support_workspace_to_reopen(&PathBuf::from(data_dir))?)
    })
    .await
}

/// Removes a support workspace (a customer's copy) that no window has open.
#[tauri::command(rename_all = "snake_case")]
pub async fn support_workspace_remove(
    state: State<'_, AppState>,
    data_dir: String,
) -> Result<(), IpcError> {
    with_core(&state, move |core| {
        core.remove_support_workspace(&PathBuf::from(data_dir))
    })
    .await
}
