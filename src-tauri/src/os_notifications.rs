//! High-priority notifications reach the OS (SPEC §7, "every failure alerts someone"): a failed
//! run, an expired task, a paused automation show in the desktop's notification area as well
//! as in the window's notification centre, through Tauri's notification plugin. A desktop with
//! no notification service (a CI machine) logs that it could not show one and goes on.

use sgen_core::kernel::events::CoreEvent;
use sgen_core::kernel::supervisor::Supervisor;
use sgen_core::Core;
use std::sync::Arc;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

pub fn forward<R: Runtime>(app: AppHandle<R>, core: &Arc<Core>, supervisor: &Supervisor) {
    let (core, cancel) = (core.clone(), supervisor.cancellation());
    supervisor.supervise("os notifications", move || {
        let (app, cancel, mut bus) = (app.clone(), cancel.clone(), core.subscribe());
        Box::pin(async move {
            loop {
                let event = tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    event = bus.recv() => event,
                };
                match event {
                    Ok(CoreEvent::NotificationRaised {
                        priority,
                        title,
                        body,
                        ..
                    }) if priority == "high" => {
                        if let Err(e) = app.notification().builder().title(title).body(body).show()
                        {
                            tracing::warn!(error = %e, "the OS did not show a notification");
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return Ok(()),
                }
            }
        })
    });
}
