//! Sandbox vendors (SPEC §9): for each catalog connector, a simulated vendor on 127.0.0.1 that
//! answers the way the real one does, driven by the connector's manifest, so one engine serves
//! every connector. Each vendor has a listener of its own (its own "host"), started on first
//! use; taking a vendor offline closes it, so clients see a refused connection exactly as in a
//! real outage. Everything a vendor hands out is derived from the sandbox's seed.

mod accounts;
mod api;
mod consent_page;
mod events_api;
mod faults;
mod oauth;
pub mod paypal_verify;
mod tokens;
mod vendor;
mod webhook_receiver;

pub use events_api::RECORD_PATH as EVENTS_RECORD_PATH;
pub use faults::Faults;
pub use vendor::{ALL_ACCOUNTS, REQUESTS_PATH};

use sgen_catalog::Catalog;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use vendor::{RunningVendor, VendorState};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the catalog has no connector `{0}`")]
    UnknownConnector(String),
    #[error("could not start the sandbox vendor: {0}")]
    Io(#[from] std::io::Error),
    #[error("the sandbox vendor at {0} did not take the faults: {1}")]
    Control(String, String),
}

/// Sets the faults of one account at a sandbox vendor running in another process (the CLI's
/// `sandbox fault`), through the vendor's control endpoint.
pub fn set_remote_faults(
    vendor_url: &str,
    account: &str,
    faults: &Faults,
) -> Result<(), SandboxError> {
    let url = format!(
        "{}{}/{account}",
        vendor_url.trim_end_matches('/'),
        vendor::FAULTS_PATH
    );
    let failed = |reason: String| SandboxError::Control(vendor_url.to_string(), reason);
    let response = control_client()
        .post(&url)
        .json(faults)
        .send()
        .map_err(|e| failed(e.to_string()))?;
    match response.status().as_u16() {
        204 => Ok(()),
        status => Err(failed(format!("HTTP {status}"))),
    }
}

/// Registers a signing secret with a sandbox webhook receiver running in another process, as an
/// operator pastes the secret into their own endpoint.
pub fn register_remote_signing_secret(
    vendor_url: &str,
    secret: &sgen_vault::Secret,
) -> Result<(), SandboxError> {
    let url = format!(
        "{}{}",
        vendor_url.trim_end_matches('/'),
        webhook_receiver::SIGNING_SECRETS_PATH
    );
    let failed = |reason: String| SandboxError::Control(vendor_url.to_string(), reason);
    let response = control_client()
        .post(&url)
        .json(&serde_json::json!({ "secret": secret.expose() }))
        .send()
        .map_err(|e| failed(e.to_string()))?;
    match response.status().as_u16() {
        204 => Ok(()),
        status => Err(failed(format!("HTTP {status}"))),
    }
}

/// For a sandbox vendor's control endpoints in another process (plain http on loopback).
fn control_client() -> reqwest::blocking::Client {
    // The workspace's reqwest takes the process's rustls provider (see the core's
    // `kernel::http`); a CLI that only talks to a sandbox has none installed yet.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("the control client's settings are valid")
}

/// Where a sandbox vendor's authorization server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthUrls {
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: String,
    /// What the vendor sends as `iss` on the callback.
    pub issuer: String,
}

/// The sandbox: a background runtime serving every vendor that has been asked for.
pub struct Sandbox {
    runtime: tokio::runtime::Runtime,
    catalog: Catalog,
    seed: u64,
    vendors: Mutex<HashMap<String, RunningVendor>>,
    /// Where vendors keep their events lists; None: in memory, gone with the process.
    events_dir: Option<std::path::PathBuf>,
}

impl Sandbox {
    pub fn start(catalog: Catalog, seed: u64) -> Result<Self, SandboxError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sandbox-vendor")
            .enable_all()
            .build()?;
        Ok(Sandbox {
            runtime,
            catalog,
            seed,
            vendors: Mutex::new(HashMap::new()),
            events_dir: None,
        })
    }

    /// Vendors keep the events they send in files under `dir` (one per vendor), so another
    /// process's sandbox, or this one after a restart, lists them too, as a real vendor would.
    pub fn keeping_events_in(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.events_dir = Some(dir.into());
        self
    }

    /// `http://127.0.0.1:{port}` of the connector's vendor, started if it was not running.
    pub fn base_url(&self, slug: &str) -> Result<String, SandboxError> {
        let port = self.with_vendor(slug, |vendor| Ok(vendor.port()))?;
        Ok(format!("http://127.0.0.1:{port}"))
    }

    /// The API base to give a connection as its endpoint override.
    pub fn api_base(&self, slug: &str) -> Result<String, SandboxError> {
        Ok(format!("{}/api", self.base_url(slug)?))
    }

    /// The vendor's authorization server, for a connection's endpoint overrides.
    pub fn oauth_endpoints(&self, slug: &str) -> Result<OAuthUrls, SandboxError> {
        let base = self.base_url(slug)?;
        Ok(OAuthUrls {
            authorize_url: format!("{base}/oauth/authorize"),
            token_url: format!("{base}/oauth/token"),
            revoke_url: format!("{base}/oauth/revoke"),
            issuer: base,
        })
    }

    /// The account a credential belongs to at this vendor: what its test call reports.
    pub fn account_for(&self, slug: &str, credential: &str) -> String {
        accounts::account_id(self.seed, slug, credential)
    }

    /// Replaces the faults of one account at a vendor.
    pub fn set_faults(
        &self,
        slug: &str,
        account: &str,
        faults: Faults,
    ) -> Result<(), SandboxError> {
        self.with_vendor(slug, |vendor| {
            vendor.state().set_faults(account, faults);
            Ok(())
        })
    }

    /// Lets the vendor's webhook receiver accept signatures made with this secret.
    pub fn register_signing_secret(
        &self,
        slug: &str,
        secret: &sgen_vault::Secret,
    ) -> Result<(), SandboxError> {
        self.with_vendor(slug, |vendor| {
            vendor.state().register_signing_secret(secret.clone());
            Ok(())
        })
    }

    /// The faults an account's calls get now (its own, else the vendor-wide ones).
    pub fn faults(&self, slug: &str, account: &str) -> Result<Faults, SandboxError> {
        self.with_vendor(slug, |vendor| Ok(vendor.state().faults(account)))
    }

    pub fn is_offline(&self, slug: &str) -> Result<bool, SandboxError> {
        self.with_vendor(slug, |vendor| Ok(!vendor.online()))
    }

    /// Takes a vendor off the network (its listener closes) or brings it back on the same port.
    pub fn set_offline(&self, slug: &str, offline: bool) -> Result<(), SandboxError> {
        self.with_vendor(slug, |vendor| {
            if offline {
                vendor.stop(&self.runtime);
                Ok(())
            } else {
                vendor.serve(&self.runtime)
            }
        })
    }

    fn with_vendor<T>(
        &self,
        slug: &str,
        f: impl FnOnce(&mut RunningVendor) -> Result<T, SandboxError>,
    ) -> Result<T, SandboxError> {
        let mut vendors = self.vendors.lock().unwrap_or_else(|p| p.into_inner());
        if !vendors.contains_key(slug) {
            let manifest = self
                .catalog
                .get(slug)
                .ok_or_else(|| SandboxError::UnknownConnector(slug.to_string()))?;
            let state = Arc::new(VendorState::new(
                manifest.clone(),
                self.seed,
                self.events_dir.as_deref(),
            ));
            let vendor = RunningVendor::start(&self.runtime, state)?;
            vendors.insert(slug.to_string(), vendor);
        }
        f(vendors.get_mut(slug).expect("inserted above"))
    }
}
