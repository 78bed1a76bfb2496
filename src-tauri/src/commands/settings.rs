//! Site and app settings an Administrator changes: the outbound allow-list, the delivery-log
//! retention, the retry schedule, the inbound listener's port and the site's encryption key.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::kernel::sites::SiteEnvironment;
use tauri::State;

/// The Settings view's delivery panel, read in one call.
#[derive(serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DeliverySettings {
    allow_list: Vec<String>,
    retention_days: u32,
    /// Each attempt's wait after the one before, in seconds.
    #[ts(type = "number[]")]
    retry_schedule_s: Vec<u64>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delivery_settings_get(
    state: State<'_, AppState>,
    site_id: String,
) -> Result<DeliverySettings, IpcError> {
    with_core(&state, move |core| {
        Ok(DeliverySettings {
            allow_list: core.outbound_allow_list(&site_id)?,
            retention_days: core.delivery_log_retention_days()?,
            retry_schedule_s: core.retry_schedule()?,
        })
    })
    .await
}

#[tauri::command]
pub async fn allow_list_set(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    hosts: Vec<String>,
) -> Result<Vec<String>, IpcError> {
    with_core(&state, move |core| {
        core.set_outbound_allow_list(&scope, hosts)
    })
    .await
}

#[tauri::command]
pub async fn retention_set(state: State<'_, AppState>, days: u32) -> Result<u32, IpcError> {
    with_core(&state, move |core| {
        core.set_delivery_log_retention_days(days)
    })
    .await
}

#[tauri::command]
pub async fn retry_schedule_set(
    state: State<'_, AppState>,
    waits: Vec<u64>,
) -> Result<Vec<u64>, IpcError> {
    with_core(&state, move |core| core.set_retry_schedule(waits)).await
}

/// A new encryption key for the site, every sealed secret re-encrypted under it.
#[tauri::command]
pub async fn site_key_rotate(
    state: State<'_, AppState>,
    site: String,
) -> Result<sgen_core::settings::site_key_rotation::KeyRotation, IpcError> {
    with_core(&state, move |core| core.rotate_site_key(&site)).await
}

/// The inbound listener's port; the open app moves its listener to it.
#[tauri::command]
pub async fn inbound_port_set(state: State<'_, AppState>, port: u16) -> Result<u16, IpcError> {
    with_core(&state, move |core| core.set_inbound_port(port)).await
}
