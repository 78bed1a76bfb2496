//! Core events to the window. A supervised task listens to the core's event bus and emits what
//! it hears as one `core-events` window event every `COALESCE` at most, so a burst of
//! deliveries costs the window a few refreshes, not thousands. A listener that fell behind
//! says so (`lagged`), and the window reloads everything it shows.

use serde::Serialize;
use sgen_core::kernel::events::CoreEvent;
use sgen_core::kernel::supervisor::Supervisor;
use sgen_core::Core;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use ts_rs::TS;

/// The window event's name (`listen("core-events", …)` in `ui/src/ipc`).
pub const CORE_EVENTS: &str = "core-events";
const COALESCE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WindowEvents {
    pub events: Vec<CoreEvent>,
    /// Some events were missed: reload everything rather than apply these.
    pub lagged: bool,
}

pub fn forward<R: Runtime>(app: AppHandle<R>, core: &Arc<Core>, supervisor: &Supervisor) {
    let (core, cancel) = (core.clone(), supervisor.cancellation());
    supervisor.supervise("window events", move || {
        let (app, cancel, mut bus) = (app.clone(), cancel.clone(), core.subscribe());
        Box::pin(async move {
            loop {
                let first = tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    first = bus.recv() => first,
                };
                let mut batch = WindowEvents {
                    events: Vec::new(),
                    lagged: false,
                };
                match first {
                    Ok(event) => batch.events.push(event),
                    Err(RecvError::Lagged(_)) => batch.lagged = true,
                    Err(RecvError::Closed) => return Ok(()),
                }
                tokio::time::sleep(COALESCE).await;
                loop {
                    match bus.try_recv() {
                        Ok(event) => batch.events.push(event),
                        Err(TryRecvError::Lagged(_)) => batch.lagged = true,
                        Err(_) => break,
                    }
                }
                app.emit(CORE_EVENTS, &batch)
                    .map_err(|e| format!("window_unreachable: {e}"))?;
            }
        })
    });
}
