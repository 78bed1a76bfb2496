//! Where the window's exports go: a file in the directory asked for, by default the Downloads
//! folder (the data directory's `exports/` where there is none), named for what it holds and
//! the time, so two exports never share a name.

use crate::{Core, CoreError, CoreResult};
use std::path::{Path, PathBuf};

impl Core {
    /// `<directory>/<stem>-<site>-<yyyymmdd-hhmmss>.<extension>`, its directory created.
    pub(crate) fn export_path(
        &self,
        directory: Option<&Path>,
        stem: &str,
        site_id: &str,
        extension: &str,
    ) -> CoreResult<PathBuf> {
        let directory = directory
            .map(Path::to_path_buf)
            .or_else(dirs::download_dir)
            .unwrap_or_else(|| self.data_dir.join("exports"));
        std::fs::create_dir_all(&directory).map_err(|e| {
            CoreError::invalid(format!("cannot write to {}: {e}", directory.display()))
        })?;
        let stamp = chrono::DateTime::from_timestamp_millis(self.now())
            .map(|t| t.format("%Y%m%d-%H%M%S").to_string())
            .unwrap_or_default();
        let site: String = site_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        Ok(directory.join(format!("{stem}-{site}-{stamp}.{extension}")))
    }
}
