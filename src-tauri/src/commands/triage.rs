//! The triage queue, operators' bulk retries, a delivery's timeline and a connection's
//! delivery health.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::delivery::detail::{DeliveryHealth, DeliveryTimeline};
use sgen_core::delivery::triage::{BulkRetry, OutboxCounts, RetryFilter, TriageItem};
use sgen_core::kernel::sites::SiteEnvironment;

use tauri::State;

#[tauri::command]
pub async fn triage_queue(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
) -> Result<Vec<TriageItem>, IpcError> {
    with_core(&state, move |core| core.triage_queue(&scope)).await
}

#[tauri::command]
pub async fn outbox_counts(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
) -> Result<OutboxCounts, IpcError> {
    with_core(&state, move |core| core.outbox_counts(&scope)).await
}

/// Re-queues the filtered set; the worker attempts it on its next passes.
#[tauri::command]
pub async fn deliveries_retry_bulk(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    filter: RetryFilter,
) -> Result<BulkRetry, IpcError> {
    with_core(&state, move |core| {
        core.retry_deliveries(&scope, &filter, |_, _| {})
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delivery_timeline(
    state: State<'_, AppState>,
    delivery_id: String,
) -> Result<DeliveryTimeline, IpcError> {
    with_core(&state, move |core| core.delivery_timeline(&delivery_id)).await
}

#[tauri::command]
pub async fn delivery_health(
    state: State<'_, AppState>,
    id: String,
    days: u32,
) -> Result<DeliveryHealth, IpcError> {
    with_core(&state, move |core| core.delivery_health(&id, days)).await
}
