use super::with_core;
use crate::{AppState, AppStatus, IpcError};
use sgen_core::kernel::sites::Site;
use tauri::State;

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    state.status()
}

#[tauri::command]
pub async fn sites_list(state: State<'_, AppState>) -> Result<Vec<Site>, IpcError> {
    with_core(&state, |core| core.sites()).await
}
