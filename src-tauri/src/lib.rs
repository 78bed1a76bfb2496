//! The desktop shell: the only Rust that knows about Tauri. It opens the core, exposes its
//! operations as thin commands, and turns core errors into `{code, message}` for the UI.

mod commands;
mod deep_links;
mod events;
mod ipc_error;
mod logging;
mod os_notifications;
mod startup;
mod system_browser;
mod workspace_app;

pub use events::WindowEvents;
pub use ipc_error::IpcError;
pub use startup::{AppState, AppStatus};

use std::path::PathBuf;
use tauri::Runtime;

/// Adds the app's state and commands to `builder`; generic over the runtime so the IPC contract
/// tests can apply it to Tauri's mock builder.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder.manage(state).invoke_handler(commands::handler())
}

pub fn run() {
    let data_dir = sgen_core::resolve_data_dir(data_dir_flag());
    let _log_guard = logging::init(&data_dir);
    tracing::info!(data_dir = %data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting");
    let state = AppState::preparing();
    let opener = state.clone();
    let links = state.clone();
    let exiting = state.clone();
    // Single-instance first, so a second launch (an app link from the browser) reaches this one
    // and then exits before it does anything else. A support workspace's app is the exception:
    // it runs beside the operator's own (and takes no app links).
    let builder = configure(tauri::Builder::default(), state);
    let builder = match sgen_core::support::workspace::is_support_workspace_dir(&data_dir) {
        true => builder,
        false => builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            deep_links::focus_main_window(app)
        })),
    };
    builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            open_main_window(app, &data_dir)?;
            let handle = app.handle().clone();
            opener.open_in_background(data_dir, move |core, supervisor| {
                events::forward(handle.clone(), core, supervisor);
                os_notifications::forward(handle, core, supervisor);
            });
            deep_links::listen(app, links);
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the app could not start");
            std::process::exit(1)
        })
        .run(move |_app, event| {
            if let tauri::RunEvent::Exit = event {
                exiting.shut_down();
            }
        });
}

/// The window from tauri.conf.json (`create: false` there), with the webview's own storage
/// (localStorage, caches) inside the data directory, so each data directory — a support
/// workspace, a test run — is isolated from the others.
fn open_main_window(app: &tauri::App, data_dir: &std::path::Path) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .first()
        .cloned()
        .unwrap_or_default();
    let window = tauri::WebviewWindowBuilder::from_config(app, &config)?
        .data_directory(data_dir.join("webview"));
    match workspace_app::window_title(data_dir) {
        Some(title) => window.title(title),
        None => window,
    }
    .build()?;
    Ok(())
}

/// `--data-dir DIR` or `--data-dir=DIR`, the same flag the CLI takes.
fn data_dir_flag() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(value) = text.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(value));
        }
    }
    None
}
