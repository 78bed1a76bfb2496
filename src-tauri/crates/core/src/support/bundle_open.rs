//! The window's "Open support bundle": a bundle opened into a new support workspace beside
//! this app's data directory, its progress announced as core events, and the opening kept in
//! the operator's activity log (whose customer's copy was opened, from which file).

use crate::access::{Operation, Target};
use crate::kernel::events::CoreEvent;
use crate::support::bundle_import::{import_support_bundle, ImportedWorkspace};
use crate::support::workspace::new_workspace_dir;
use crate::{Core, CoreResult};
use std::path::Path;

impl Core {
    /// Opens `bundle` into a new support workspace beside this data directory.
    pub fn open_support_bundle(&self, bundle: &Path) -> CoreResult<ImportedWorkspace> {
        let operator = self.authorize(Operation::OpenSupportBundle, Target::App)?;
        let now = self.now();
        let into = new_workspace_dir(&self.data_dir, bundle, now);
        let imported = import_support_bundle(bundle, &into, now, &mut |p| {
            self.events.publish(vec![CoreEvent::BundleImportProgress {
                step: p.step,
                done: p.done,
                total: p.total,
            }]);
        })?;
        let copy = &imported.workspace;
        self.note_support(
            &operator.id,
            None,
            "support.bundle_opened",
            serde_json::json!({
                "file": bundle.file_name().map(|f| f.to_string_lossy().into_owned()),
                "sha256": copy.bundle_sha256,
                "site": format!("{} ({})", copy.site_name, copy.site_domain),
                "exported_by": copy.exported_by,
                "workspace": imported.data_dir,
            }),
        )?;
        Ok(imported)
    }
}
