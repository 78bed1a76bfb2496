//! `work`: the app's background work without its window, for a machine that keeps deliveries
//! and tokens moving while nobody has the app open (or a support engineer replaying a site).
//! The same tasks as the app's (`Core::start_background` and the inbound listener), stopped
//! the same way.

use crate::output;
use sgen_core::background::{Cadences, SHUTDOWN_WITHIN};
use sgen_core::{Core, CoreError};
use std::sync::Arc;

pub fn run(core: Core, json: bool) -> Result<(), CoreError> {
    let core = Arc::new(core);
    let background = core.start_background(Cadences::default())?;
    core.start_inbound(&background, None);
    eprintln!(
        "background work running in {}; close stdin (Ctrl-D) to stop",
        core.data_dir().display()
    );
    // Work until whoever started us closes our stdin (or stops the process: the deliveries it
    // had leased are attempted again once their leases run out).
    std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let shutdown = background.shutdown(SHUTDOWN_WITHIN);
    if !shutdown.finished {
        eprintln!("stopped with work still in flight after {SHUTDOWN_WITHIN:?}; its leases will run out and it will be attempted again");
    }
    output::tasks(&shutdown.tasks, json)
}
