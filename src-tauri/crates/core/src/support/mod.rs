//! Support (SPEC §9): a site exported as one support bundle without any secret, opened on
//! another machine as an isolated support workspace, where a failed delivery is replayed offline
//! against its recorded answers.

pub mod bundle_export;
pub mod bundle_format;
pub mod bundle_import;
mod bundle_open;
pub mod health;
mod recorded_vendor;
pub mod replay;
pub mod workspace;
pub mod workspaces;

/// The support domain's state on the core.
#[derive(Default)]
pub(crate) struct SupportState {
    /// Whether the data directory is a support workspace, read once (see `workspace`).
    workspace: std::sync::OnceLock<Option<workspace::SupportWorkspace>>,
}
