//! The core's one error type. Each variant has a stable `code()` that crosses IPC and the CLI;
//! messages say what is wrong and what to do, and never contain a secret.

use serde::Serialize;
use sgen_store::StoreError;
use sgen_vault::VaultError;
use ts_rs::TS;

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
    /// The disk (or the database's size limit) is full; the operation wrote nothing.
    #[error("{0}")]
    StorageFull(String),
    #[error("the connector catalog is invalid: {0}")]
    CatalogInvalid(String),
    #[error("the app is still preparing its data; try again in a moment")]
    NotReady,
    /// The OS keyring could not be used, or a stored secret could not be opened.
    #[error(transparent)]
    Vault(#[from] VaultError),
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
    /// An event whose request would be larger than a delivery may carry; nothing was queued.
    #[error("the event's request would be {size} bytes; a delivery carries at most {limit}")]
    PayloadTooLarge { size: usize, limit: usize },
    /// The acting operator's role does not allow this; the message names the capability.
    #[error("{0}")]
    PermissionDenied(String),
    /// Switching to a profile: no passphrase, or not its passphrase.
    #[error("{0}")]
    WrongPassphrase(String),
    /// A profile locked after five wrong passphrases in a row.
    #[error("{0}")]
    OperatorLocked(String),
    /// A support bundle that cannot be opened: truncated, tampered, too new, too large, or
    /// with an entry it may not have. Nothing was created.
    #[error("{0}")]
    BadBundle(String),
    /// The health check found something unhealthy (named in the message).
    #[error("{0}")]
    Unhealthy(String),
    /// A support workspace is a copy to look at and replay in: what would change it is refused.
    #[error("{0}")]
    SupportWorkspace(String),
    /// Anything unexpected. The detail is logged; the message shown is deliberately generic.
    #[error("internal error")]
    Internal(String),
}

/// Declares the error codes once: the enum, its wire name per variant (serde and ts-rs use the
/// same text), and `as_str` for logs and the CLI.
macro_rules! error_codes {
    ($($variant:ident = $text:literal,)+) => {
        /// Every code an error can carry across IPC and the CLI. Generated into TypeScript as a
        /// union of string literals, so the window can switch on it exhaustively.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
        #[ts(export)]
        pub enum ErrorCode { $(#[serde(rename = $text)] $variant,)+ }

        impl ErrorCode {
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $text,)+ }
            }
        }
    };
}

error_codes! {
    InvalidArgument = "invalid_argument",
    InvalidCursor = "invalid_cursor",
    NotFound = "not_found",
    DatabaseCorrupt = "database_corrupt",
    SchemaTooNew = "schema_too_new",
    SchemaTooOld = "schema_too_old",
    DatabaseMissing = "database_missing",
    DataDirInUse = "data_dir_in_use",
    Busy = "busy",
    StorageFull = "storage_full",
    CatalogInvalid = "catalog_invalid",
    NotReady = "not_ready",
    SecureStorageUnavailable = "secure_storage_unavailable",
    DataKeyMissing = "data_key_missing",
    DataKeyDamaged = "data_key_damaged",
    CredentialTampered = "credential_tampered",
    TestFailed = "test_failed",
    TokenEndpointFailed = "token_endpoint_failed",
    ScopeMissing = "scope_missing",
    DestinationRefused = "destination_refused",
    PayloadTooLarge = "payload_too_large",
    PermissionDenied = "permission_denied",
    WrongPassphrase = "wrong_passphrase",
    OperatorLocked = "operator_locked",
    BadBundle = "bad_bundle",
    Unhealthy = "unhealthy",
    SupportWorkspace = "support_workspace",
    Internal = "internal",
}

impl CoreError {
    pub fn kind(&self) -> ErrorCode {
        match self {
            CoreError::InvalidArgument(_) => ErrorCode::InvalidArgument,
            CoreError::InvalidCursor(_) => ErrorCode::InvalidCursor,
            CoreError::NotFound { .. } => ErrorCode::NotFound,
            CoreError::DatabaseCorrupt(_) => ErrorCode::DatabaseCorrupt,
            CoreError::SchemaTooNew(_) => ErrorCode::SchemaTooNew,
            CoreError::SchemaTooOld(_) => ErrorCode::SchemaTooOld,
            CoreError::DatabaseMissing(_) => ErrorCode::DatabaseMissing,
            CoreError::DataDirInUse(_) => ErrorCode::DataDirInUse,
            CoreError::Busy => ErrorCode::Busy,
            CoreError::StorageFull(_) => ErrorCode::StorageFull,
            CoreError::CatalogInvalid(_) => ErrorCode::CatalogInvalid,
            CoreError::NotReady => ErrorCode::NotReady,
            CoreError::Vault(e) => match e {
                VaultError::Unavailable(_) => ErrorCode::SecureStorageUnavailable,
                VaultError::KeyMissing => ErrorCode::DataKeyMissing,
                VaultError::KeyDamaged => ErrorCode::DataKeyDamaged,
                VaultError::Tampered => ErrorCode::CredentialTampered,
            },
            CoreError::TestFailed(_) => ErrorCode::TestFailed,
            CoreError::TokenEndpoint(_) => ErrorCode::TokenEndpointFailed,
            CoreError::ScopeMissing { .. } => ErrorCode::ScopeMissing,
            CoreError::DestinationRefused(_) => ErrorCode::DestinationRefused,
            CoreError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            CoreError::PermissionDenied(_) => ErrorCode::PermissionDenied,
            CoreError::WrongPassphrase(_) => ErrorCode::WrongPassphrase,
            CoreError::OperatorLocked(_) => ErrorCode::OperatorLocked,
            CoreError::BadBundle(_) => ErrorCode::BadBundle,
            CoreError::Unhealthy(_) => ErrorCode::Unhealthy,
            CoreError::SupportWorkspace(_) => ErrorCode::SupportWorkspace,
            CoreError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The stable code, for logs, the CLI and tests.
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
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
            e @ StoreError::Full => CoreError::StorageFull(e.to_string()),
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
