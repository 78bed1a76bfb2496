//! The data directory: created on first use and locked while a read-write core has it open.

use crate::kernel::error::{CoreError, CoreResult};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

const LOCK_FILE: &str = "sgen.lock";

/// Holds an OS file lock for as long as it lives; the OS releases it if the process dies, so a
/// crash never leaves a stale lock behind.
pub(crate) struct DataDirLock(#[allow(dead_code)] File);

impl DataDirLock {
    pub(crate) fn acquire(dir: &Path) -> CoreResult<Self> {
        fs::create_dir_all(dir).map_err(|e| {
            CoreError::invalid(format!(
                "cannot create the data directory {}: {e}",
                dir.display()
            ))
        })?;
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| {
                CoreError::invalid(format!(
                    "cannot open {}: {e}",
                    dir.join(LOCK_FILE).display()
                ))
            })?;
        match file.try_lock() {
            Ok(()) => {
                // The pid is only a hint for a person looking at the directory.
                let _ = file
                    .set_len(0)
                    .and_then(|()| write!(file, "{}", std::process::id()));
                Ok(Self(file))
            }
            Err(fs::TryLockError::WouldBlock) => {
                Err(CoreError::DataDirInUse(dir.display().to_string()))
            }
            Err(fs::TryLockError::Error(e)) => Err(CoreError::Internal(format!(
                "locking {}: {e}",
                dir.display()
            ))),
        }
    }
}

/// Whether a core (an app, the CLI) has `dir` open now: asked with a shared lock, let go at once
/// and without writing anything.
pub(crate) fn is_held(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else {
        return false;
    };
    matches!(file.try_lock_shared(), Err(fs::TryLockError::WouldBlock))
}
