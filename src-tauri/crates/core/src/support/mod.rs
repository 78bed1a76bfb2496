//! Support (SPEC §9): a site exported as one support bundle without any secret, opened on
//! another machine as an isolated support workspace, where a failed delivery is replayed offline
//! against its recorded answers.

mod bundle_check;
pub mod bundle_export;
pub mod bundle_format;
pub mod bundle_import;
mod bundle_open;
pub mod health;
mod recorded_vendor;
pub mod replay;
mod replay_request;
pub mod workspace;
pub mod workspaces;

/// The support domain's state on the core.
#[derive(Default)]
pub(crate) struct SupportState {
    /// Whether the data directory is a support workspace, read once (see `workspace`).
    workspace: std::sync::OnceLock<Option<workspace::SupportWorkspace>>,
}

impl crate::Core {
    /// Keeps a support action in the operator's activity log — unless this core is read-only,
    /// or is a support workspace, whose database is a copy left as it came.
    fn note_support(
        &self,
        operator_id: &str,
        site_id: Option<&str>,
        action: &'static str,
        details: serde_json::Value,
    ) -> crate::CoreResult<()> {
        if self.access != sgen_store::Access::ReadWrite || self.support_workspace()?.is_some() {
            return Ok(());
        }
        let now = self.now();
        self.write(|tx| {
            crate::kernel::activity::log(
                tx,
                &crate::kernel::activity::Activity {
                    at: now,
                    operator_id,
                    site_id,
                    environment_id: None,
                    connection_id: None,
                    action,
                    outcome: "ok",
                    details,
                },
            )
        })
    }
}
