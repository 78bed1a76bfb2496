//! A support workspace opened from the window runs in an app process of its own, beside this
//! one (it skips the single-instance hand-over: `lib.rs`): this executable again, on the
//! workspace's data directory. Its window's title says whose copy it is.

use sgen_core::support::workspace::{SupportWorkspace, WORKSPACE_FILE};
use sgen_core::CoreError;
use std::path::Path;

/// Starts the app on `data_dir`. The child is waited for on a thread of its own, so it leaves
/// no zombie when its window is closed.
pub fn start(data_dir: &Path) -> Result<(), CoreError> {
    let failed = |e: std::io::Error| {
        CoreError::Internal(format!(
            "the workspace is ready at {}, but its window did not start ({e}): start the app with --data-dir {0}",
            data_dir.display()
        ))
    };
    let exe = std::env::current_exe().map_err(failed)?;
    let mut child = std::process::Command::new(exe)
        .arg("--data-dir")
        .arg(data_dir)
        .spawn()
        .map_err(failed)?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// "SGEN Integrations — support copy of Acme Outdoor (acme.example)", for a workspace's
/// window; None for the operator's own.
pub fn window_title(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(WORKSPACE_FILE)).ok()?;
    let copy: SupportWorkspace = serde_json::from_str(&text).ok()?;
    Some(format!(
        "SGEN Integrations — support copy of {} ({})",
        copy.site_name, copy.site_domain
    ))
}
