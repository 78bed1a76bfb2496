//! Opening a URL in the person's browser, never a webview, and only a web address the core
//! deems openable (`kernel::external_link`). `$BROWSER` (the long-standing Unix convention:
//! commands separated by `:`, `%s` standing for the URL) wins when it is set, so a person — or
//! a test — can choose the browser; otherwise the platform's opener decides.

use sgen_core::kernel::external_link::check_openable;
use sgen_core::CoreError;
use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;

pub fn open<R: Runtime>(app: &AppHandle<R>, url: &str) -> Result<(), CoreError> {
    let url = check_openable(url)?.to_string();
    let url = url.as_str();
    if let Some(command) = std::env::var("BROWSER").ok().and_then(|list| {
        list.split(':')
            .map(str::trim)
            .find(|c| !c.is_empty())
            .map(str::to_string)
    }) {
        let mut words = command.split_whitespace();
        let program = words.next().unwrap_or_default();
        let mut args: Vec<String> = words.map(|w| w.replace("%s", url)).collect();
        if !command.contains("%s") {
            args.push(url.to_string());
        }
        return std::process::Command::new(program)
            .args(args)
            .spawn()
            .map(|_| ())
            .map_err(|e| {
                CoreError::Internal(format!("could not start $BROWSER ({program}): {e}"))
            });
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| CoreError::Internal(format!("could not open the browser: {e}")))
}
