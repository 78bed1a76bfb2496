//! The core's one error type. Each variant has a stable `code()` that crosses IPC and the CLI;
//! messages say what is wrong and what to do, and never contain a secret.

use sgen_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{0}")]
    InvalidCursor(String),
    #[error("{what} `{id}` was not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    DatabaseCorrupt(String),
    #[error("{0}")]
    SchemaTooNew(String),
    #[error("{0}")]
    SchemaTooOld(String),
    #[error("{0}")]
    DatabaseMissing(String),
    #[error("the data directory {0} is in use by another SGEN Integrations instance; close it or pass another --data-dir")]
    DataDirInUse(String),
    #[error("the database is busy; try again")]
    Busy,
    #[error("the connector catalog is invalid: {0}")]
    CatalogInvalid(String),
    #[error("the app is still preparing its data; try again in a moment")]
    NotReady,
    /// The OS keyring could not be used, or a stored secret could not be opened.
    #[error(transparent)]
    Vault(#[from] sgen_vault::VaultError),
    /// A vendor's token endpoint did not give a token (refused, failed, redirected, unreachable).
    #[error("{0}")]
    TokenEndpoint(String),
    /// The connection's credential was refused or could not be checked; nothing was stored.
    #[error("the test call failed: {0}")]
    TestFailed(crate::connections::test_outcome::TestOutcome),
    /// The action needs scopes the connection was not granted; nothing was queued.
    #[error("{action} needs the scope{} {}, which this connection does not hold; edit its scopes and authorize again", if missing.len() == 1 { "" } else { "s" }, missing.join(", "))]
    ScopeMissing {
        action: String,
        missing: Vec<String>,
    },
    /// A webhook destination the SSRF policy refuses; nothing was sent to it.
    #[error("{0}")]
    DestinationRefused(String),
    /// The active operator's role does not allow this.
    #[error("{0}")]
    PermissionDenied(String),
    /// Anything unexpected. The detail is logged; the message shown is deliberately generic.
    #[error("internal error")]
    Internal(String),
}

impl CoreError {
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::InvalidArgument(_) => "invalid_argument",
            CoreError::InvalidCursor(_) => "invalid_cursor",
            CoreError::NotFound { .. } => "not_found",
            CoreError::DatabaseCorrupt(_) => "database_corrupt",
            CoreError::SchemaTooNew(_) => "schema_too_new",
            CoreError::SchemaTooOld(_) => "schema_too_old",
            CoreError::DatabaseMissing(_) => "database_missing",
            CoreError::DataDirInUse(_) => "data_dir_in_use",
            CoreError::Busy => "busy",
            CoreError::CatalogInvalid(_) => "catalog_invalid",
            CoreError::NotReady => "not_ready",
            CoreError::Vault(e) => e.code(),
            CoreError::TestFailed(_) => "test_failed",
            CoreError::TokenEndpoint(_) => "token_endpoint_failed",
            CoreError::ScopeMissing { .. } => "scope_missing",
            CoreError::DestinationRefused(_) => "destination_refused",
            CoreError::PermissionDenied(_) => "permission_denied",
            CoreError::Internal(_) => "internal",
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::InvalidArgument(message.into())
    }
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Missing(path) => CoreError::DatabaseMissing(format!(
                "no database at {}; start the app once or run `sgen-integrations-cli demo seed`",
                path.display()
            )),
            e @ StoreError::Corrupt { .. } => CoreError::DatabaseCorrupt(e.to_string()),
            e @ StoreError::SchemaTooNew { .. } => CoreError::SchemaTooNew(e.to_string()),
            e @ StoreError::SchemaTooOld { .. } => CoreError::SchemaTooOld(e.to_string()),
            StoreError::Busy => CoreError::Busy,
            StoreError::ReadOnly => {
                CoreError::Internal("write attempted on a read-only store".into())
            }
            StoreError::Sqlite(e) => CoreError::Internal(e.to_string()),
        }
    }
}

impl From<sgen_store::SqliteError> for CoreError {
    fn from(err: sgen_store::SqliteError) -> Self {
        CoreError::from(StoreError::from(err))
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
