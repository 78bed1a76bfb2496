//! The support workspaces kept beside this app's data directory: listed (whose copy, how large,
//! whether an app has it open), reopened, and removed when support is done with a customer's
//! data. Only a directory in that place that is a workspace is ever touched.

use crate::access::{Operation, Target};
use crate::kernel::data_dir_lock::{is_held, DataDirLock};
use crate::support::workspace::{
    is_support_workspace_dir, workspaces_dir, SupportWorkspace, WORKSPACE_FILE,
};
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeptWorkspace {
    pub data_dir: String,
    pub workspace: SupportWorkspace,
    /// What its files take on disk.
    #[ts(type = "number")]
    pub bytes: u64,
    /// An app has it open (its window is somewhere on this computer).
    pub in_use: bool,
}

impl Core {
    /// The support workspaces beside this data directory, the newest opened first.
    pub fn support_workspaces(&self) -> CoreResult<Vec<KeptWorkspace>> {
        let place = workspaces_dir(&self.data_dir);
        let entries = match std::fs::read_dir(&place) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(CoreError::invalid(format!(
                    "{} cannot be read: {e}",
                    place.display()
                )))
            }
        };
        let mut kept: Vec<KeptWorkspace> = entries
            .flatten()
            // A link is not followed out of the place.
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .map(|entry| entry.path())
            .filter(|dir| is_support_workspace_dir(dir))
            .filter_map(|dir| {
                let text = std::fs::read_to_string(dir.join(WORKSPACE_FILE)).ok()?;
                Some(KeptWorkspace {
                    workspace: serde_json::from_str(&text).ok()?,
                    bytes: size_of(&dir),
                    in_use: is_held(&dir),
                    data_dir: dir.display().to_string(),
                })
            })
            .collect();
        kept.sort_by_key(|k| std::cmp::Reverse(k.workspace.imported_at));
        Ok(kept)
    }

    /// `data_dir`, checked to be one of [`Self::support_workspaces`] and not open in an app:
    /// the shell starts the app on it again.
    pub fn support_workspace_to_reopen(&self, data_dir: &Path) -> CoreResult<PathBuf> {
        self.authorize(Operation::OpenSupportBundle, Target::App)?;
        let dir = self.kept_workspace(data_dir)?;
        if is_held(&dir) {
            return Err(CoreError::DataDirInUse(format!(
                "{} (the support workspace is open in another window already)",
                dir.display()
            )));
        }
        Ok(dir)
    }

    /// Removes the support workspace at `data_dir` — the customer's copy, gone from this
    /// computer — unless an app has it open.
    pub fn remove_support_workspace(&self, data_dir: &Path) -> CoreResult<()> {
        let operator = self.authorize(Operation::RemoveSupportWorkspace, Target::App)?;
        let dir = self.kept_workspace(data_dir)?;
        let copy: SupportWorkspace =
            serde_json::from_str(&std::fs::read_to_string(dir.join(WORKSPACE_FILE)).map_err(
                |e| CoreError::invalid(format!("{} cannot be read: {e}", dir.display())),
            )?)
            .map_err(|e| CoreError::invalid(format!("{} is damaged: {e}", dir.display())))?;
        {
            // Held while the files go, so no app can open it half-removed.
            let _lock = DataDirLock::acquire(&dir).map_err(|e| match e {
                CoreError::DataDirInUse(_) => CoreError::DataDirInUse(format!(
                    "{} (the support workspace is open in a window: close it first)",
                    dir.display()
                )),
                other => other,
            })?;
            std::fs::remove_dir_all(&dir).map_err(|e| {
                CoreError::invalid(format!("{} could not be removed: {e}", dir.display()))
            })?;
        }
        self.note_support(
            &operator.id,
            None,
            "support.workspace_removed",
            serde_json::json!({
                "site": format!("{} ({})", copy.site_name, copy.site_domain),
                "bundle_sha256": copy.bundle_sha256,
                "workspace": dir.display().to_string(),
            }),
        )?;
        Ok(())
    }

    /// `data_dir`, resolved, if it is a support workspace in [`workspaces_dir`]; anything else
    /// (a link out of that place included) is refused.
    fn kept_workspace(&self, data_dir: &Path) -> CoreResult<PathBuf> {
        let not_one = || {
            CoreError::invalid(format!(
                "{} is not one of this app's support workspaces",
                data_dir.display()
            ))
        };
        let dir = data_dir.canonicalize().map_err(|_| not_one())?;
        let place = workspaces_dir(&self.data_dir)
            .canonicalize()
            .map_err(|_| not_one())?;
        match dir.parent() == Some(place.as_path()) && is_support_workspace_dir(&dir) {
            true => Ok(dir),
            false => Err(not_one()),
        }
    }
}

fn size_of(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.file_type() {
                    Ok(kind) if kind.is_dir() => size_of(&entry.path()),
                    Ok(_) => entry.metadata().map_or(0, |m| m.len()),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
