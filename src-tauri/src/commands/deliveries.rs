use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::delivery::log::{DeliveryPage, DeliveryQuery};
use sgen_core::kernel::sites::SiteEnvironment;
use tauri::State;

#[tauri::command]
pub async fn deliveries_query(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    query: DeliveryQuery,
) -> Result<DeliveryPage, IpcError> {
    with_core(&state, move |core| core.deliveries(&scope, &query)).await
}
