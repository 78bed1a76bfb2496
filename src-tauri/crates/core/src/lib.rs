//! The core of SGEN Integrations Desktop: everything a user can do, as plain Rust. The desktop
//! shell and the CLI both call [`Core`]; neither holds business logic, and nothing here knows
//! about Tauri.

pub mod access;
pub mod activity_log;
pub mod automations;
pub mod background;
pub mod connections;
pub mod delivery;
pub mod demo;
pub mod inbound;
pub mod kernel;
pub mod oauth;
pub mod settings;
pub mod support;

pub use kernel::clock::{Clock, FixedClock, SystemClock};
pub use kernel::data_dir::{resolve_data_dir, APP_IDENTIFIER, DATA_DIR_ENV};
pub use kernel::error::{CoreError, CoreResult};
pub use kernel::sandbox_access::{SandboxState, SANDBOX_ENDPOINT};
pub use oauth::DEEP_LINK_SCHEME;
pub use sgen_catalog::CATALOG_VERSION;
pub use sgen_sandbox::Faults as SandboxFaults;
pub use sgen_store::connections::OAuthServer;
pub use sgen_store::model;
pub use sgen_store::Access;
pub use sgen_vault::Secret;

use sgen_catalog::Catalog;
use sgen_store::Store;
use sgen_vault::{CredentialStore, Vault};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// File name of the database inside a data directory.
pub const DATABASE_FILE: &str = "sgen.sqlite3";

pub struct CoreConfig {
    pub data_dir: PathBuf,
    pub access: Access,
    pub clock: Arc<dyn Clock>,
    /// Where site data keys live; None is the OS keyring.
    pub credential_store: Option<Arc<CredentialStore>>,
}

impl CoreConfig {
    pub fn new(data_dir: impl Into<PathBuf>, access: Access) -> Self {
        Self {
            data_dir: data_dir.into(),
            access,
            clock: Arc::new(SystemClock),
            credential_store: None,
        }
    }
}

/// Everything a user can do, as methods grouped by domain (`connections`, `oauth`, `delivery`,
/// `settings`, `demo`). The first fields are the kernel's, shared by every domain; the last
/// are each domain's own, defined in its folder, and only that domain touches them.
pub struct Core {
    store: Store,
    access: Access,
    catalog: Catalog,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    credential_store: Option<Arc<CredentialStore>>,
    vault: Mutex<Option<Arc<Vault>>>,
    /// Started on first use; see `kernel::sandbox_access`.
    sandbox: OnceLock<sgen_sandbox::Sandbox>,
    events: kernel::events::EventBus,
    runtime: kernel::runtime::CoreRuntime,
    cursor_key: OnceLock<kernel::cursor::CursorKey>,
    _lock: Option<kernel::data_dir_lock::DataDirLock>,
    access_state: access::AccessState,
    connections: connections::ConnectionsState,
    oauth: oauth::state::OAuthState,
    delivery: delivery::DeliveryState,
    inbound: inbound::InboundState,
    automations: automations::AutomationsState,
    support: support::SupportState,
}

impl Core {
    /// Opens (and for read-write access, creates and migrates) the data directory. Read-write
    /// access takes an exclusive lock on the directory, so two writers never share one database.
    pub fn open(config: CoreConfig) -> CoreResult<Self> {
        let catalog = Catalog::embedded().map_err(|e| CoreError::CatalogInvalid(e.to_string()))?;
        let lock = match config.access {
            Access::ReadWrite => Some(kernel::data_dir_lock::DataDirLock::acquire(
                &config.data_dir,
            )?),
            Access::ReadOnly => None,
        };
        let store = Store::open(&config.data_dir.join(DATABASE_FILE), config.access)?;
        if config.access == Access::ReadWrite {
            let released =
                store.write(|tx| sgen_store::outbox::release_all(tx).map_err(CoreError::from))?;
            if released > 0 {
                tracing::info!(
                    released,
                    "deliveries a stopped process had leased are free again"
                );
            }
        }
        let core = Self {
            store,
            access: config.access,
            catalog,
            clock: config.clock,
            data_dir: config.data_dir,
            credential_store: config.credential_store,
            vault: Mutex::new(None),
            sandbox: OnceLock::new(),
            events: Default::default(),
            runtime: Default::default(),
            cursor_key: OnceLock::new(),
            _lock: lock,
            access_state: Default::default(),
            connections: Default::default(),
            oauth: Default::default(),
            delivery: Default::default(),
            inbound: Default::default(),
            automations: Default::default(),
            support: Default::default(),
        };
        core.start_session()?;
        Ok(core)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// What changed, as it commits: the window and the automations listen here.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<kernel::events::CoreEvent> {
        self.events.subscribe()
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}
