//! The activity log view: its pages, a row's detail, the actions to filter by, the CSV export
//! (into the Downloads folder, its progress as core events) and retention.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::activity_log::csv_export::ActivityExport;
use sgen_core::activity_log::{ActivityDetail, ActivityFilters, ActivityPage, ActivityQuery};
use tauri::State;

#[tauri::command]
pub async fn activity_query(
    state: State<'_, AppState>,
    query: ActivityQuery,
) -> Result<ActivityPage, IpcError> {
    with_core(&state, move |core| core.activity(&query)).await
}

#[tauri::command]
pub async fn activity_get(state: State<'_, AppState>, id: i64) -> Result<ActivityDetail, IpcError> {
    with_core(&state, move |core| core.activity_detail(id)).await
}

#[tauri::command]
pub async fn activity_actions(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    with_core(&state, |core| core.activity_actions()).await
}

#[tauri::command]
pub async fn activity_export(
    state: State<'_, AppState>,
    filters: ActivityFilters,
) -> Result<ActivityExport, IpcError> {
    with_core(&state, move |core| {
        core.export_activity_file(&filters, None)
    })
    .await
}

#[tauri::command]
pub async fn activity_retention_set(
    state: State<'_, AppState>,
    days: Option<u32>,
) -> Result<Option<u32>, IpcError> {
    with_core(&state, move |core| core.set_activity_retention_days(days)).await
}
