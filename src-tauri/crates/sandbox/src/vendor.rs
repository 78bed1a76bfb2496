//! One sandbox vendor: its state (manifest, seed, per-account faults) and its listener.

use crate::events_api::EventLog;
use crate::oauth::{self, OAuthState};
use crate::webhook_receiver::{self, SIGNING_SECRETS_PATH};
use crate::{api, Faults, SandboxError};
use axum::routing::{any, get, post};
use axum::Router;
use sgen_catalog::Manifest;
use sgen_catalog::RequestAuth;
use sgen_vault::Secret;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// Where a vendor takes faults for one of its accounts from another process (`/{account}`).
pub(crate) const FAULTS_PATH: &str = "/_sandbox/faults";
/// What the authorization server was asked so far (a JSON [`RequestLog`]).
pub const REQUESTS_PATH: &str = "/_sandbox/requests";
/// The faults "account" that stands for every account without faults of its own: for vendors
/// whose answers name no account (a webhook receiver, a client-credentials token).
pub const ALL_ACCOUNTS: &str = "*";

pub(crate) struct VendorState {
    pub(crate) manifest: Manifest,
    pub(crate) seed: u64,
    faults: Mutex<HashMap<String, Faults>>,
    oauth: Mutex<OAuthState>,
    /// Secrets the webhook receiver accepts signatures from.
    signing_secrets: Mutex<Vec<Secret>>,
    /// Set once the listener is bound; the issuer and every URL name it.
    port: AtomicU16,
    /// Numbers the objects actions "create".
    objects: std::sync::atomic::AtomicU64,
    /// What its authorization server was asked, for tests to check at the server.
    pub(crate) requests: Mutex<RequestLog>,
    /// What its events API lists.
    events: Mutex<EventLog>,
}

/// Requests the authorization server received (`GET /_sandbox/requests`): a test counts the
/// token requests a forged callback caused, and reads the `token_type_hint` a revocation sent.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub(crate) struct RequestLog {
    pub(crate) token: u64,
    /// Each revocation request's `token_type_hint` ("" when it sent none).
    pub(crate) revocation_hints: Vec<String>,
}

impl VendorState {
    /// `events_dir`: where the vendor keeps its events list (None: in memory).
    pub(crate) fn new(manifest: Manifest, seed: u64, events_dir: Option<&std::path::Path>) -> Self {
        VendorState {
            events: Mutex::new(EventLog::new(events_dir, &manifest.slug)),
            manifest,
            seed,
            faults: Mutex::new(HashMap::new()),
            oauth: Mutex::new(OAuthState::default()),
            signing_secrets: Mutex::new(Vec::new()),
            port: AtomicU16::new(0),
            objects: std::sync::atomic::AtomicU64::new(0),
            requests: Mutex::new(RequestLog::default()),
        }
    }

    /// `http://127.0.0.1:{port}`: this vendor's address and its OAuth issuer (RFC 9207).
    pub(crate) fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port.load(Ordering::Relaxed))
    }

    pub(crate) fn next_object_id(&self) -> u64 {
        self.objects.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn requests(&self) -> std::sync::MutexGuard<'_, RequestLog> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn events(&self) -> std::sync::MutexGuard<'_, EventLog> {
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn oauth(&self) -> std::sync::MutexGuard<'_, OAuthState> {
        self.oauth.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The account's own faults, else the vendor-wide ones ([`ALL_ACCOUNTS`]).
    pub(crate) fn faults(&self, account: &str) -> Faults {
        let faults = self.lock();
        faults
            .get(account)
            .or_else(|| faults.get(ALL_ACCOUNTS))
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn signing_secrets(&self) -> Vec<Secret> {
        self.signing_secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn register_signing_secret(&self, secret: Secret) {
        let mut secrets = self
            .signing_secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !secrets.contains(&secret) {
            secrets.push(secret);
        }
    }

    pub(crate) fn set_faults(&self, account: &str, faults: Faults) {
        self.lock().insert(account.to_string(), faults);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Faults>> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A vendor and the server task answering on its port, if it is online.
pub(crate) struct RunningVendor {
    state: Arc<VendorState>,
    port: u16,
    server: Option<JoinHandle<()>>,
}

impl RunningVendor {
    pub(crate) fn start(runtime: &Runtime, state: Arc<VendorState>) -> Result<Self, SandboxError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        state.port.store(port, Ordering::Relaxed);
        let mut vendor = RunningVendor {
            state,
            port,
            server: None,
        };
        vendor.listen(runtime, listener)?;
        Ok(vendor)
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn online(&self) -> bool {
        self.server.is_some()
    }

    pub(crate) fn state(&self) -> &VendorState {
        &self.state
    }

    /// Back online on the same port (a no-op when already serving).
    pub(crate) fn serve(&mut self, runtime: &Runtime) -> Result<(), SandboxError> {
        if self.server.is_none() {
            let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)))?;
            self.listen(runtime, listener)?;
        }
        Ok(())
    }

    /// Offline: the listener is closed before this returns, so new connections are refused.
    pub(crate) fn stop(&mut self, runtime: &Runtime) {
        if let Some(server) = self.server.take() {
            server.abort();
            // The task drops its listener when it is cancelled; wait for that.
            let _ = runtime.block_on(server);
        }
    }

    fn listen(&mut self, runtime: &Runtime, listener: TcpListener) -> Result<(), SandboxError> {
        listener.set_nonblocking(true)?;
        let _entered = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = router(self.state.clone());
        self.server = Some(runtime.spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "sandbox vendor stopped serving");
            }
        }));
        Ok(())
    }
}

impl Drop for RunningVendor {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

fn router(state: Arc<VendorState>) -> Router {
    let api = match state.manifest.request_auth {
        RequestAuth::StandardWebhooksSignature => Router::new()
            .route("/api", post(webhook_receiver::receive))
            .route("/api/{*path}", post(webhook_receiver::receive)),
        _ => Router::new()
            .route("/api/", any(api::call))
            .route("/api/{*path}", any(api::call)),
    };
    api.route(SIGNING_SECRETS_PATH, post(webhook_receiver::register))
        .route("/oauth/authorize", get(oauth::authorize))
        .route("/oauth/decide", post(oauth::decide))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        .route(&format!("{FAULTS_PATH}/{{account}}"), post(api::set_faults))
        .route(REQUESTS_PATH, get(oauth::requests_seen))
        .with_state(state)
}
