//! The core of SGEN Integrations Desktop: everything a user can do, as plain Rust. The desktop
//! shell and the CLI both call [`Core`]; neither holds business logic, and nothing here knows
//! about Tauri.

mod activity_rows;
mod api_address;
mod client_credentials;
mod clock;
mod connect_steps;
mod credentials;
mod cursor;
mod delivery_attempt;
mod delivery_bell;
mod delivery_failures;
mod delivery_pass;
mod destination_policy;
mod error;
pub mod field_mapping;
mod form_body;
mod ids;
mod oauth;
mod retry_policy;
mod retry_schedule;
mod revocation;
mod sandbox_access;
mod sealed_credentials;
mod token_refresh;
mod vault_access;
mod vendor_http;
mod workspace;
mod workspace_paths;

pub mod connections;
pub mod deliveries;
pub mod delivery_detail;
pub mod delivery_triage;
pub mod demo;
pub mod library;
pub mod lifecycle;
mod oauth_authorization;
pub mod oauth_connect;
mod oauth_reauthorize;
pub mod outbound;
mod outbound_settings;
pub mod refresher;
pub mod retention;
pub mod signed_token;
pub mod signing_secret_rotation;
pub mod sites;
pub mod test_outcome;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{CoreError, CoreResult};
pub use oauth::DEEP_LINK_SCHEME;
pub use sandbox_access::{SandboxState, SANDBOX_ENDPOINT};
pub use sgen_catalog::CATALOG_VERSION;
pub use sgen_sandbox::Faults as SandboxFaults;
pub use sgen_store::connections::OAuthServer;
pub use sgen_store::model;
pub use sgen_store::Access;
pub use sgen_vault::Secret;
pub use workspace_paths::{resolve_data_dir, APP_IDENTIFIER, DATA_DIR_ENV};

use sgen_catalog::Catalog;
use sgen_store::Store;
use sgen_vault::{CredentialStore, Vault};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
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

pub struct Core {
    store: Store,
    catalog: Catalog,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    credential_store: Option<Arc<CredentialStore>>,
    vault: Mutex<Option<Arc<Vault>>>,
    /// Started on first use; see `sandbox_access`.
    sandbox: OnceLock<sgen_sandbox::Sandbox>,
    /// Authorizations waiting for `finish_oauth`, and the cancel flag of every open one.
    oauth_flows: Mutex<HashMap<String, oauth_connect::PendingFlow>>,
    oauth_cancels: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// Deep-link flows waiting for their link, by `state`.
    deep_links: Mutex<HashMap<String, std::sync::mpsc::Sender<url::Url>>>,
    /// Signing secrets shown to the operator, waiting for their endpoint to accept them.
    signed_tokens: Mutex<HashMap<String, signed_token::PendingSignedToken>>,
    /// One refresh at a time per connection.
    refresh_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    refresh_backoff: refresher::Backoff,
    delivery_bell: delivery_bell::DeliveryBell,
    _lock: Option<workspace::DataDirLock>,
}

impl Core {
    /// Opens (and for read-write access, creates and migrates) the data directory. Read-write
    /// access takes an exclusive lock on the directory, so two writers never share one database.
    pub fn open(config: CoreConfig) -> CoreResult<Self> {
        let catalog = Catalog::embedded().map_err(|e| CoreError::CatalogInvalid(e.to_string()))?;
        let lock = match config.access {
            Access::ReadWrite => Some(workspace::DataDirLock::acquire(&config.data_dir)?),
            Access::ReadOnly => None,
        };
        let store = Store::open(&config.data_dir.join(DATABASE_FILE), config.access)?;
        Ok(Self {
            store,
            catalog,
            clock: config.clock,
            data_dir: config.data_dir,
            credential_store: config.credential_store,
            vault: Mutex::new(None),
            sandbox: OnceLock::new(),
            oauth_flows: Mutex::new(HashMap::new()),
            oauth_cancels: Mutex::new(HashMap::new()),
            deep_links: Mutex::new(HashMap::new()),
            signed_tokens: Mutex::new(HashMap::new()),
            refresh_locks: Mutex::new(HashMap::new()),
            refresh_backoff: Default::default(),
            delivery_bell: Default::default(),
            _lock: lock,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}
