//! Where the data directory is when nobody says: the `--data-dir` flag, then `SGEN_DATA_DIR`,
//! then the platform's per-user data directory (the same one the desktop app uses).

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "SGEN_DATA_DIR";
pub const APP_IDENTIFIER: &str = "com.sgen.integrations";

pub fn resolve_data_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os(DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(APP_IDENTIFIER)
    })
}
