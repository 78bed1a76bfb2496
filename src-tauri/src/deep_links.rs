//! App links (`sgen-integrations://…`): the return path of OAuth vendors that refuse loopback
//! redirects. The OS starts the app with the link; the single-instance plugin forwards it to the
//! instance already running, and the deep-link plugin hands it here, to go to the core. The
//! link carries an authorization code, so it is never logged.

use crate::{AppState, IpcError};
use tauri::{App, AppHandle, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

/// Registers the scheme with the OS (Linux and Windows need it at run time; other platforms
/// take it from the bundle) and starts handing links to the core.
pub fn listen<R: Runtime>(app: &App<R>, state: AppState) {
    #[cfg(any(target_os = "linux", windows))]
    if let Err(e) = app.deep_link().register_all() {
        tracing::warn!(error = %e, "cannot register the app-link scheme with the OS");
    }
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            deliver(&state, url.as_str());
        }
    });
}

fn deliver(state: &AppState, link: &str) {
    let delivered = state
        .core()
        .and_then(|core| core.receive_deep_link(link).map_err(IpcError::from));
    match delivered {
        Ok(()) => tracing::info!("app link delivered to its authorization"),
        Err(e) => {
            tracing::warn!(code = e.code.as_str(), error = %e.message, "app link not delivered")
        }
    }
}

/// A second launch (with or without a link) brings the running window forward.
pub fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
