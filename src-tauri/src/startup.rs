//! Opening the core off the main thread, creating the demo site on first run, and telling the
//! UI how far along that is. Until the core is ready every command answers `not_ready`; if it
//! cannot open (a damaged or newer database, a locked data directory) every command answers
//! with that error, so the window can show it instead of failing to appear.

use serde::Serialize;
use sgen_core::demo::DemoOptions;
use sgen_core::{Access, Core, CoreConfig, CoreError};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
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
    },
    Failed {
        code: String,
        message: String,
    },
}

enum Phase {
    Starting(AppStatus),
    Ready(Arc<Core>),
    Failed(crate::IpcError),
}

#[derive(Clone)]
pub struct AppState(Arc<RwLock<Phase>>);

impl AppState {
    pub fn preparing() -> Self {
        Self(Arc::new(RwLock::new(Phase::Starting(AppStatus::Opening))))
    }

    /// A state around an already-open core (the IPC tests use this).
    pub fn ready(core: Core) -> Self {
        Self(Arc::new(RwLock::new(Phase::Ready(Arc::new(core)))))
    }

    pub fn status(&self) -> AppStatus {
        match &*self.0.read().expect("app state") {
            Phase::Starting(status) => status.clone(),
            Phase::Ready(core) => AppStatus::Ready {
                data_dir: core.data_dir().display().to_string(),
            },
            Phase::Failed(e) => AppStatus::Failed {
                code: e.code.clone(),
                message: e.message.clone(),
            },
        }
    }

    pub fn core(&self) -> Result<Arc<Core>, crate::IpcError> {
        match &*self.0.read().expect("app state") {
            Phase::Ready(core) => Ok(core.clone()),
            Phase::Starting(_) => Err(CoreError::NotReady.into()),
            Phase::Failed(e) => Err(e.clone()),
        }
    }

    /// Opens the data directory on a named thread that ends when the core is ready; the window
    /// shows progress meanwhile. An interrupted demo seed leaves whole committed batches only.
    pub fn open_in_background(&self, data_dir: PathBuf) {
        let state = self.clone();
        let spawned = std::thread::Builder::new().name("core-open".into()).spawn(move || {
            let phase = match open(&state, data_dir) {
                Ok(core) => {
                    let core = Arc::new(core);
                    work_in_background(&core);
                    Phase::Ready(core)
                }
                Err(e) => {
                    tracing::error!(code = e.code(), error = %e, "cannot open the data directory");
                    Phase::Failed(e.into())
                }
            };
            *state.0.write().expect("app state") = phase;
        });
        if let Err(e) = spawned {
            *self.0.write().expect("app state") =
                Phase::Failed(CoreError::Internal(e.to_string()).into());
        }
    }

    fn set(&self, status: AppStatus) {
        *self.0.write().expect("app state") = Phase::Starting(status);
    }
}

/// How often the background refresher looks for tokens about to expire (it refreshes those
/// within 15 minutes of expiry, so a minute is ample).
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// How often the delivery worker looks for due retries; a newly queued event wakes it at once.
const DELIVER_EVERY: Duration = Duration::from_secs(1);
/// How often old attempts are purged from the delivery log.
const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// The work the app does while it is open, each on a thread of its own so the window never
/// waits for a vendor: keeping OAuth connections fresh, delivering due events, and purging the
/// delivery log past its retention (SPEC §6). All end with the core.
fn work_in_background(core: &Arc<Core>) {
    repeat("token-refresher", REFRESH_EVERY, core, |core| {
        match core.refresh_due(4) {
            Ok(round) if round.due > 0 => tracing::info!(?round, "background refresh"),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "background refresh round failed")
            }
        }
    });
    repeat("delivery-worker", DELIVER_EVERY, core, |core| {
        // Runs for as long as the app does; returns only when recording fails (the disk is
        // full, the database broke), and is started again after a pause.
        if let Err(e) = core.deliver_continuously(DELIVER_EVERY, &|| true) {
            tracing::warn!(code = e.code(), error = %e, "delivery worker stopped");
        }
    });
    repeat("log-retention", PURGE_EVERY, core, |core| {
        match core.purge_delivery_log() {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "delivery log retention"),
            Err(e) => tracing::warn!(code = e.code(), error = %e, "delivery log retention failed"),
        }
    });
}

/// Runs `work` on a thread of its own, `pause` apart, until the core is dropped.
fn repeat(name: &str, pause: Duration, core: &Arc<Core>, work: impl Fn(&Core) + Send + 'static) {
    let core = Arc::downgrade(core);
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || loop {
            std::thread::sleep(pause);
            let Some(core) = core.upgrade() else { return };
            work(&core);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, thread = name, "cannot start background work");
    }
}

fn open(state: &AppState, data_dir: PathBuf) -> Result<Core, CoreError> {
    let core = Core::open(CoreConfig::new(data_dir, Access::ReadWrite))?;
    if core.is_empty()? {
        let options = DemoOptions {
            sandbox_credentials: true,
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
