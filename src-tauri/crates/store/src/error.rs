use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database at {0}")]
    Missing(PathBuf),
    #[error("the file at {path} is not a usable SGEN database ({reason}); it was left untouched")]
    Corrupt { path: PathBuf, reason: String },
    #[error("the database at {path} has schema version {found}, newer than this app supports ({supported}); it was left untouched — use a newer SGEN Integrations")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("the database at {path} has schema version {found}, older than this read-only tool needs ({supported}); open it once with the app to upgrade it")]
    SchemaTooOld {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("the database is busy (another writer holds it)")]
    Busy,
    #[error("the disk is full (or the database reached its size limit): nothing of this operation was written; free some space and try again")]
    Full,
    #[error("the database was opened read-only")]
    ReadOnly,
    #[error(transparent)]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked, DiskFull};
        match err.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => StoreError::Busy,
            Some(DiskFull) => StoreError::Full,
            _ => StoreError::Sqlite(err),
        }
    }
}

impl StoreError {
    /// Classifies an error raised while opening `path`: damage and foreign files get their own
    /// variant so the user is told what is wrong with the file rather than shown SQLite's text.
    pub(crate) fn at_open(path: &std::path::Path, err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseCorrupt, DatabaseLocked, NotADatabase};
        match err.sqlite_error_code() {
            Some(NotADatabase | DatabaseCorrupt) => StoreError::Corrupt {
                path: path.to_path_buf(),
                reason: err.to_string(),
            },
            Some(DatabaseBusy | DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(err),
        }
    }
}
