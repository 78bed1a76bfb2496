//! Support: what this data directory is a copy of (a support workspace, for the banner), a
//! site's support bundle exported to the Downloads folder, and a delivery replayed offline.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::support::bundle_export::{BundleRequest, ExportedBundle};
use sgen_core::support::replay::{ReplayChanges, ReplayReport};
use sgen_core::support::workspace::SupportWorkspace;
use tauri::State;

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
