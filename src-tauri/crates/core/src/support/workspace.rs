//! A support workspace: a data directory made from a support bundle, to look at a customer's
//! site and replay its failures. It says what it is a copy of (the banner every view shows),
//! and it refuses whatever would change the copy — it holds no credential, and a change made
//! to a copy would answer no question about the customer's site.

use crate::access::Operation;
use crate::support::bundle_format::BundleManifest;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::settings;
use ts_rs::TS;

/// The app setting that marks a data directory as a support workspace (its value: what it is
/// a copy of, as JSON).
pub const WORKSPACE_SETTING: &str = "support_workspace";

/// A file beside the database saying the same, for people and for the shell, which must know
/// before anything is opened: a workspace's app runs beside the operator's own instead of
/// handing itself over to it.
pub const WORKSPACE_FILE: &str = "support-workspace.json";

/// Whether `data_dir` is a support workspace, by its file (the database's marker is what the
/// core goes by).
pub fn is_support_workspace_dir(data_dir: &std::path::Path) -> bool {
    data_dir.join(WORKSPACE_FILE).is_file()
}

/// Where the support workspaces opened from this app go: `<data dir>.support/` beside its data
/// directory — or, for a workspace's own app, the directory it is in.
pub fn workspaces_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    match (is_support_workspace_dir(data_dir), data_dir.parent()) {
        (true, Some(parent)) => parent.to_path_buf(),
        _ => {
            let mut name = data_dir.file_name().unwrap_or_default().to_os_string();
            name.push(".support");
            data_dir.with_file_name(name)
        }
    }
}

/// Where a new workspace for `bundle` goes: `<bundle's name>-<time>` in [`workspaces_dir`], a
/// name no directory has yet.
pub fn new_workspace_dir(
    data_dir: &std::path::Path,
    bundle: &std::path::Path,
    now_ms: i64,
) -> std::path::PathBuf {
    let stem = bundle
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let parent = workspaces_dir(data_dir);
    (1..)
        .map(|n| match n {
            1 => parent.join(format!("{stem}-{now_ms}")),
            n => parent.join(format!("{stem}-{now_ms}-{n}")),
        })
        .find(|dir| !dir.exists())
        .expect("an unused name is found")
}

/// What a support workspace is a copy of: whose site, from when, exported by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SupportWorkspace {
    pub site_id: String,
    pub site_name: String,
    pub site_domain: String,
    #[ts(type = "number")]
    pub exported_at: i64,
    /// The exporting operator's name and role.
    pub exported_by: String,
    pub app_version: String,
    pub catalog_version: String,
    pub platform: String,
    #[ts(type = "number")]
    pub since: i64,
    #[ts(type = "number")]
    pub imported_at: i64,
    /// The SHA-256 of the bundle file it was made from.
    pub bundle_sha256: String,
}

impl SupportWorkspace {
    pub(crate) fn from_manifest(
        manifest: &BundleManifest,
        imported_at: i64,
        bundle_sha256: String,
    ) -> Self {
        SupportWorkspace {
            site_id: manifest.site.id.clone(),
            site_name: manifest.site.name.clone(),
            site_domain: manifest.site.domain.clone(),
            exported_at: manifest.exported_at,
            exported_by: format!(
                "{} ({})",
                manifest.exported_by.name, manifest.exported_by.role
            ),
            app_version: manifest.app_version.clone(),
            catalog_version: manifest.catalog_version.clone(),
            platform: manifest.platform.clone(),
            since: manifest.since,
            imported_at,
            bundle_sha256,
        }
    }
}

/// Operations a support workspace allows: those that change nothing of the copy.
fn allowed_in_workspace(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::MarkNotificationsRead | Operation::ReplayDelivery | Operation::OpenSupportBundle
    )
}

impl Core {
    /// What this data directory is a copy of, if it is a support workspace. Read once: a data
    /// directory never becomes one, or stops being one, while it is open.
    pub fn support_workspace(&self) -> CoreResult<Option<SupportWorkspace>> {
        if let Some(known) = self.support.workspace.get() {
            return Ok(known.clone());
        }
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, WORKSPACE_SETTING)?))?;
        let workspace = match stored {
            None => None,
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
                CoreError::Internal(format!("the support workspace's marker is unreadable: {e}"))
            })?),
        };
        Ok(self.support.workspace.get_or_init(|| workspace).clone())
    }

    /// Refuses `operation` in a support workspace, saying why.
    pub(crate) fn refuse_in_workspace(&self, operation: Operation) -> CoreResult<()> {
        match self.support_workspace()? {
            Some(copy) if !allowed_in_workspace(operation) => Err(CoreError::SupportWorkspace(format!(
                "`{}` is not done in a support workspace: this is a copy of {} ({}), exported {} by {}, holding no credentials — replay a delivery to try a change",
                operation.name(),
                copy.site_name,
                copy.site_domain,
                chrono::DateTime::from_timestamp_millis(copy.exported_at)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default(),
                copy.exported_by
            ))),
            _ => Ok(()),
        }
    }
}
