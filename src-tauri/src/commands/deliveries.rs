use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::delivery::log::{DeliveryPage, DeliveryQuery};
use sgen_core::kernel::sites::Scope;
use tauri::State;

#[tauri::command]
pub async fn deliveries_query(
    state: State<'_, AppState>,
    scope: Scope,
    query: DeliveryQuery,
) -> Result<DeliveryPage, IpcError> {
    with_core(&state, move |core| core.deliveries(&scope, &query)).await
}
