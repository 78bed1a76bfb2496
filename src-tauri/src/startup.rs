//! Opening the core off the main thread, creating the demo site on first run, and telling the
//! UI how far along that is. Until the core is ready every command answers `not_ready`; if it
//! cannot open (a damaged or newer database, a locked data directory) every command answers
//! with that error, so the window can show it instead of failing to appear. Once open, the
//! core's background work starts under its supervisor, whose task status the app status
//! carries, and is shut down (drained, leases given back) when the app exits.

use serde::Serialize;
use sgen_core::background::{Cadences, SHUTDOWN_WITHIN};
use sgen_core::demo::DemoOptions;
use sgen_core::kernel::error::ErrorCode;
use sgen_core::kernel::supervisor::{Supervisor, TaskStatus};
use sgen_core::{Access, Core, CoreConfig, CoreError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum AppStatus {
    Opening,
    /// Creating the demo site: `done` of `total` delivery attempts written.
    SeedingDemo {
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number")]
        total: u64,
    },
    Ready {
        data_dir: String,
        /// The background tasks (token refresher, delivery worker, …) and how each is doing.
        background: Vec<TaskStatus>,
    },
    Failed {
        code: ErrorCode,
        message: String,
    },
}

enum Phase {
    Starting(AppStatus),
    Ready(Arc<Core>),
    Failed(crate::IpcError),
}

#[derive(Clone)]
pub struct AppState {
    phase: Arc<RwLock<Phase>>,
    background: Arc<Mutex<Option<Supervisor>>>,
}

impl AppState {
    pub fn preparing() -> Self {
        Self::in_phase(Phase::Starting(AppStatus::Opening))
    }

    /// A state around an already-open core, with no background work (the IPC tests use this).
    pub fn ready(core: Core) -> Self {
        Self::in_phase(Phase::Ready(Arc::new(core)))
    }

    fn in_phase(phase: Phase) -> Self {
        Self {
            phase: Arc::new(RwLock::new(phase)),
            background: Arc::default(),
        }
    }

    pub fn status(&self) -> AppStatus {
        match &*self.phase.read().expect("app state") {
            Phase::Starting(status) => status.clone(),
            Phase::Ready(core) => AppStatus::Ready {
                data_dir: core.data_dir().display().to_string(),
                background: self.background_status(),
            },
            Phase::Failed(e) => AppStatus::Failed {
                code: e.code,
                message: e.message.clone(),
            },
        }
    }

    fn background_status(&self) -> Vec<TaskStatus> {
        match &*self.background.lock().expect("background") {
            Some(supervisor) => supervisor.status(),
            None => Vec::new(),
        }
    }

    pub fn core(&self) -> Result<Arc<Core>, crate::IpcError> {
        match &*self.phase.read().expect("app state") {
            Phase::Ready(core) => Ok(core.clone()),
            Phase::Starting(_) => Err(CoreError::NotReady.into()),
            Phase::Failed(e) => Err(e.clone()),
        }
    }

    /// Opens the data directory on a named thread that ends when the core is ready; the window
    /// shows progress meanwhile. An interrupted demo seed leaves whole committed batches only.
    /// Once open, the background work starts, and `with_background` adds the shell's own tasks
    /// (forwarding core events to the window) to its supervisor.
    pub fn open_in_background(
        &self,
        data_dir: PathBuf,
        with_background: impl FnOnce(&Arc<Core>, &Supervisor) + Send + 'static,
    ) {
        let state = self.clone();
        let spawned = std::thread::Builder::new().name("core-open".into()).spawn(move || {
            let phase = match open(&state, data_dir) {
                Ok(core) => {
                    let core = Arc::new(core);
                    match core.start_background(Cadences::default()) {
                        Ok(supervisor) => {
                            core.start_inbound(&supervisor, None);
                            with_background(&core, &supervisor);
                            *state.background.lock().expect("background") = Some(supervisor);
                        }
                        Err(e) => {
                            tracing::error!(code = e.code(), error = %e, "no background work")
                        }
                    }
                    Phase::Ready(core)
                }
                Err(e) => {
                    tracing::error!(code = e.code(), error = %e, "cannot open the data directory");
                    Phase::Failed(e.into())
                }
            };
            *state.phase.write().expect("app state") = phase;
        });
        if let Err(e) = spawned {
            *self.phase.write().expect("app state") =
                Phase::Failed(CoreError::Internal(e.to_string()).into());
        }
    }

    /// Stops the background work as the app exits: in-flight deliveries are recorded and the
    /// rest given back, within `SHUTDOWN_WITHIN`.
    pub fn shut_down(&self) {
        let Some(supervisor) = self.background.lock().expect("background").take() else {
            return;
        };
        if supervisor.shutdown(SHUTDOWN_WITHIN).finished {
            tracing::info!("background work stopped");
        } else {
            tracing::warn!(bound = ?SHUTDOWN_WITHIN, "background work still busy at exit; its leases will run out");
        }
    }

    fn set(&self, status: AppStatus) {
        *self.phase.write().expect("app state") = Phase::Starting(status);
    }
}

fn open(state: &AppState, data_dir: PathBuf) -> Result<Core, CoreError> {
    let core = Core::open(CoreConfig::new(data_dir, Access::ReadWrite))?;
    if core.is_empty()? {
        let options = DemoOptions {
            sandbox_credentials: true,
            automations: true,
            ..DemoOptions::default()
        };
        state.set(AppStatus::SeedingDemo {
            done: 0,
            total: options.delivery_attempts,
        });
        core.seed_demo(&options, |done, total| {
            state.set(AppStatus::SeedingDemo { done, total })
        })?;
    }
    Ok(core)
}
