//! Inbound events: the event log, refused requests, a connection's event source, and the
//! sandbox's emitter.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::inbound::event_log::{
    EventDetail, EventPage, EventQuery, RejectionDetail, RejectionPage,
};
use sgen_core::inbound::event_source::EventSourceInfo;
use sgen_core::inbound::reconciliation::CatchUp;
use sgen_core::inbound::sandbox_emitter::{EmitAnswer, EmitRequest};
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::Secret;
use tauri::State;

/// Where the listener is, for the window to show the address to point a forwarder at.
#[derive(serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct InboundStatus {
    /// `http://127.0.0.1:{port}` while the listener serves; None when it does not (the port is
    /// in use: the background panel says why).
    listening: Option<String>,
    port: u16,
}

#[tauri::command]
pub async fn events_query(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    query: EventQuery,
) -> Result<EventPage, IpcError> {
    with_core(&state, move |core| core.events_query(&scope, &query)).await
}

#[tauri::command]
pub async fn event_get(state: State<'_, AppState>, id: String) -> Result<EventDetail, IpcError> {
    with_core(&state, move |core| core.event_detail(&id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rejections_query(
    state: State<'_, AppState>,
    scope: SiteEnvironment,
    connection_id: Option<String>,
    cursor: Option<i64>,
) -> Result<RejectionPage, IpcError> {
    with_core(&state, move |core| {
        core.rejections_query(&scope, connection_id.as_deref(), cursor, None)
    })
    .await
}

#[tauri::command]
pub async fn rejection_get(
    state: State<'_, AppState>,
    seq: i64,
) -> Result<RejectionDetail, IpcError> {
    with_core(&state, move |core| core.rejection_detail(seq)).await
}

#[tauri::command]
pub async fn rejection_recheck(
    state: State<'_, AppState>,
    seq: i64,
) -> Result<RejectionDetail, IpcError> {
    with_core(&state, move |core| core.recheck_rejection(seq)).await
}

#[tauri::command]
pub async fn inbound_status(state: State<'_, AppState>) -> Result<InboundStatus, IpcError> {
    with_core(&state, move |core| {
        Ok(InboundStatus {
            listening: core.inbound_address().map(|a| format!("http://{a}")),
            port: core.inbound_port()?,
        })
    })
    .await
}

#[tauri::command]
pub async fn event_source_get(
    state: State<'_, AppState>,
    id: String,
) -> Result<EventSourceInfo, IpcError> {
    with_core(&state, move |core| core.event_source(&id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn event_secret_set(
    state: State<'_, AppState>,
    id: String,
    secret: String,
    keep_previous: bool,
) -> Result<EventSourceInfo, IpcError> {
    let secret = Secret::new(secret);
    with_core(&state, move |core| {
        core.set_event_secret(&id, secret, keep_previous)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn event_public_url_set(
    state: State<'_, AppState>,
    id: String,
    public_url: Option<String>,
) -> Result<EventSourceInfo, IpcError> {
    with_core(&state, move |core| {
        core.set_event_public_url(&id, public_url.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn sandbox_event_example(
    state: State<'_, AppState>,
    id: String,
) -> Result<serde_json::Value, IpcError> {
    with_core(&state, move |core| core.sandbox_event_example(&id)).await
}

#[tauri::command]
pub async fn sandbox_emit(
    state: State<'_, AppState>,
    request: EmitRequest,
) -> Result<Vec<EmitAnswer>, IpcError> {
    with_core(&state, move |core| core.sandbox_emit(&request)).await
}

#[tauri::command]
pub async fn events_reconcile(state: State<'_, AppState>, id: String) -> Result<CatchUp, IpcError> {
    with_core(&state, move |core| core.reconcile_events(&id)).await
}
