//! The sandbox vendors this core's connections may point at. A connection whose API address is
//! [`SANDBOX_ENDPOINT`] talks to this process's sandbox vendor for its connector, wherever that
//! listens today, so the connection keeps working across restarts. The sandbox's seed is fixed,
//! so a key is the same sandbox account on every run.

use crate::access::{self, Target};
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_sandbox::{Faults, Sandbox};
use sgen_store::connections::ConnectionRecord;
use ts_rs::TS;

/// A sandbox vendor's behaviour towards one connection.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SandboxState {
    pub faults: Faults,
    /// The whole vendor is off the network.
    pub offline: bool,
    /// Where the vendor listens (`http://127.0.0.1:{port}`), for a person checking it by hand.
    pub address: String,
}

/// The sandbox account whose faults a connection gets. A vendor whose answers name no account
/// (a webhook receiver, a client-credentials API) takes faults for all of its accounts.
fn fault_account(record: &ConnectionRecord) -> String {
    record
        .vendor_account_id
        .clone()
        .unwrap_or_else(|| sgen_sandbox::ALL_ACCOUNTS.to_string())
}

/// The API-address override meaning "this connector's sandbox vendor".
pub const SANDBOX_ENDPOINT: &str = "sandbox";
const SANDBOX_SEED: u64 = 1;
/// Under the data directory: the sandbox vendors' events lists, which outlive the process so
/// an event emitted while the app is closed is caught up on when it starts.
const SANDBOX_EVENTS_DIR: &str = "sandbox-events";

impl Core {
    pub(crate) fn sandbox(&self) -> CoreResult<&Sandbox> {
        if let Some(sandbox) = self.sandbox.get() {
            return Ok(sandbox);
        }
        let sandbox = Sandbox::start(self.catalog.clone(), SANDBOX_SEED)
            .map_err(|e| CoreError::Internal(format!("sandbox: {e}")))?
            .keeping_events_in(self.data_dir.join(SANDBOX_EVENTS_DIR));
        Ok(self.sandbox.get_or_init(|| sandbox))
    }

    /// The API address of the connector's sandbox vendor, started if needed.
    pub(crate) fn sandbox_api_base(&self, slug: &str) -> CoreResult<String> {
        self.sandbox()?
            .api_base(slug)
            .map_err(|e| CoreError::invalid(e.to_string()))
    }

    /// The connector's sandbox authorization server.
    pub(crate) fn sandbox_oauth(&self, slug: &str) -> CoreResult<sgen_sandbox::OAuthUrls> {
        self.sandbox()?
            .oauth_endpoints(slug)
            .map_err(|e| CoreError::invalid(e.to_string()))
    }

    pub(crate) fn register_with_sandbox_receiver(
        &self,
        slug: &str,
        secret: &sgen_vault::Secret,
    ) -> CoreResult<()> {
        self.sandbox()?
            .register_signing_secret(slug, secret)
            .map_err(|e| CoreError::invalid(e.to_string()))
    }

    /// What the connection's sandbox vendor is doing to it now, for the fault panel.
    pub fn sandbox_state(&self, connection_id: &str) -> CoreResult<SandboxState> {
        let record = self.sandbox_record(connection_id)?;
        let sandbox = self.sandbox()?;
        let failed = |e: sgen_sandbox::SandboxError| CoreError::invalid(e.to_string());
        Ok(SandboxState {
            faults: sandbox
                .faults(&record.connector_type, &fault_account(&record))
                .map_err(failed)?,
            offline: sandbox.is_offline(&record.connector_type).map_err(failed)?,
            address: sandbox.base_url(&record.connector_type).map_err(failed)?,
        })
    }

    /// Replaces the faults of the sandbox account a connection uses.
    pub fn set_sandbox_faults(&self, connection_id: &str, faults: Faults) -> CoreResult<()> {
        self.authorize(
            access::Operation::SetSandboxFaults,
            Target::Connection(connection_id),
        )?;
        let record = self.sandbox_record(connection_id)?;
        let account = fault_account(&record);
        self.sandbox()?
            .set_faults(&record.connector_type, &account, faults)
            .map_err(|e| CoreError::invalid(e.to_string()))
    }

    /// Takes the connection's sandbox vendor off the network (every connection to it then sees
    /// a refused connection) or brings it back.
    pub fn set_sandbox_offline(&self, connection_id: &str, offline: bool) -> CoreResult<()> {
        self.authorize(
            access::Operation::SetSandboxOffline,
            Target::Connection(connection_id),
        )?;
        let record = self.sandbox_record(connection_id)?;
        self.sandbox()?
            .set_offline(&record.connector_type, offline)
            .map_err(|e| CoreError::invalid(e.to_string()))
    }

    fn sandbox_record(
        &self,
        connection_id: &str,
    ) -> CoreResult<sgen_store::connections::ConnectionRecord> {
        let record = self.record(connection_id)?;
        if record.base_url_override.as_deref() != Some(SANDBOX_ENDPOINT) {
            return Err(CoreError::invalid(
                "only a connection to a sandbox vendor has fault controls",
            ));
        }
        Ok(record)
    }
}
