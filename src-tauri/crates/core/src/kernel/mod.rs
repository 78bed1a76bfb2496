//! What every domain shares: the write transaction and the event bus it publishes to, the one
//! connection-state transition, the clock, errors and ids, the sites and the acting operator, the
//! activity log, the vault and sealed credentials, page cursors, the data directory, the core's
//! one tokio runtime and the supervisor of its tasks, vendor HTTP and the sandbox vendors.

pub(crate) mod activity;
pub mod clock;
pub(crate) mod connection_state;
pub(crate) mod cursor;
pub mod data_dir;
pub(crate) mod data_dir_lock;
pub(crate) mod destination_policy;
pub mod error;
pub mod events;
pub(crate) mod export_file;
pub mod external_link;
pub mod http;
pub(crate) mod ids;
pub mod notifications;
pub mod redaction;
pub(crate) mod request_address;
pub(crate) mod runtime;
pub mod sandbox_access;
pub(crate) mod sealed_credentials;
pub(crate) mod site_keys;
pub mod sites;
pub mod supervisor;
pub(crate) mod vault_access;
pub(crate) mod vendor_http;
pub(crate) mod write;
