//! Sending events and retrying deliveries from the window.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::delivery::enqueue::{OutboundEvent, Sent, WorkerReport};
use tauri::State;

#[tauri::command]
pub async fn delivery_send(
    state: State<'_, AppState>,
    id: String,
    action: String,
    event: OutboundEvent,
) -> Result<Sent, IpcError> {
    with_core(&state, move |core| core.send_event_now(&id, &action, event)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delivery_retry(
    state: State<'_, AppState>,
    delivery_id: String,
) -> Result<WorkerReport, IpcError> {
    with_core(&state, move |core| core.retry_delivery_now(&delivery_id)).await
}
