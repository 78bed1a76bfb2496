//! Creating an OAuth connection: `begin_oauth` prepares an authorization (see
//! `oauth::authorization`) and returns the URL for the system browser; `finish_oauth` waits for
//! it (at most five minutes, or until `cancel_oauth`) and stores the connection, or the new grant
//! of one being re-authorized, with its tokens sealed. Nothing is stored unless all of it works.

use crate::access::{self, Target};
use crate::connections::api_address::checked_api_base;
use crate::connections::detail::{insert_connection, ConnectionDetail, ConnectionSpec, Placement};
use crate::kernel::ids::random_bits;
use crate::kernel::sites::SiteEnvironment;
use crate::oauth;
use crate::oauth::authorization::{seal_grant, Authorization, Granted, CANCELLED, TIMED_OUT};
use crate::{kernel::ids, Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use serde::{Deserialize, Serialize};
use sgen_catalog::AuthFlow;
use sgen_store::connections::OAuthServer;
use sgen_store::model::ConnectionState;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OAuthConnectRequest {
    pub connector_type: String,
    pub display_name: String,
    /// Scopes to ask for; empty asks for every scope the connector lists.
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub api_base_override: Option<String>,
    /// Another authorization server than the catalog's (a vendor instance, a test server).
    #[serde(default)]
    pub oauth_server: Option<OAuthServer>,
}

/// An authorization waiting for the browser.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuthorizationStarted {
    pub flow_id: String,
    /// Open this in the system browser (never a webview).
    pub authorize_url: String,
    /// The vendor returns through an app link (`sgen-integrations://…`) rather than the
    /// loopback listener; where the OS cannot hand the link to the app, the person can paste it.
    pub app_link: bool,
}

/// What an authorization is for.
pub(crate) enum Purpose {
    New {
        scope: SiteEnvironment,
        request: Box<OAuthConnectRequest>,
    },
    /// New scopes (or a new grant) for a connection that exists.
    Reauthorize { connection_id: String },
}

pub(crate) struct PendingFlow {
    purpose: Purpose,
    authorization: Authorization,
    cancelled: Arc<AtomicBool>,
}

/// How soon an abandoned flow is forgotten after its cancel or deadline.
const ABANDON_TICK: Duration = Duration::from_millis(100);

fn lock<T>(shared: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

impl Core {
    pub fn begin_oauth(
        &self,
        scope: &SiteEnvironment,
        request: OAuthConnectRequest,
    ) -> CoreResult<AuthorizationStarted> {
        self.authorize(
            access::Operation::CreateConnection,
            Target::Connector(&request.connector_type),
        )?;
        let manifest = self.manifest(&request.connector_type)?;
        if request.display_name.trim().is_empty() {
            return Err(CoreError::invalid(
                "the display name must be 1 to 120 characters",
            ));
        }
        self.environment_id(scope)?;
        let api_base = checked_api_base(request.api_base_override.as_deref())?;
        let oauth_server = request
            .oauth_server
            .clone()
            .map(checked_server)
            .transpose()?;
        let policies =
            self.oauth_policies(&scope.site_id, api_base.as_deref(), oauth_server.as_ref())?;
        let authorization = self.prepare_authorization(
            manifest,
            api_base,
            oauth_server.as_ref(),
            &request.scopes,
            policies,
        )?;
        self.register_flow(
            Purpose::New {
                scope: scope.clone(),
                request: Box::new(request),
            },
            authorization,
        )
    }

    pub(crate) fn register_flow(
        &self,
        purpose: Purpose,
        authorization: Authorization,
    ) -> CoreResult<AuthorizationStarted> {
        let flow_id = ids::time_ordered_id("oauth", self.now(), random_bits()?);
        let authorize_url = authorization.authorize_url.clone();
        let app_link = authorization.returns_by_app_link();
        let cancelled = Arc::new(AtomicBool::new(false));
        let deadline = authorization.deadline();
        self.oauth_cancels()
            .insert(flow_id.clone(), cancelled.clone());
        self.oauth_flows().insert(
            flow_id.clone(),
            PendingFlow {
                purpose,
                authorization,
                cancelled: cancelled.clone(),
            },
        );
        self.forget_when_abandoned(&flow_id, cancelled, deadline);
        Ok(AuthorizationStarted {
            flow_id,
            authorize_url,
            app_link,
        })
    }

    /// A flow cancelled or out of time before anyone called `finish_oauth` is forgotten by
    /// itself, soon after: its listener closes (the port is free) and its app-link entry goes.
    /// One that `finish_oauth` took is that call's to end.
    fn forget_when_abandoned(&self, flow_id: &str, cancelled: Arc<AtomicBool>, deadline: Instant) {
        let (flow_id, flows, links) = (
            flow_id.to_string(),
            self.oauth.flows.clone(),
            self.oauth.deep_links.clone(),
        );
        std::thread::spawn(move || {
            while !cancelled.load(Ordering::SeqCst) && Instant::now() < deadline {
                if !lock(&flows).contains_key(&flow_id) {
                    return; // taken by finish_oauth
                }
                std::thread::sleep(ABANDON_TICK);
            }
            if let Some(flow) = lock(&flows).remove(&flow_id) {
                lock(&links).remove(flow.authorization.state());
            }
            // Its cancel flag stays, so a late `finish_oauth` can say how the flow ended.
        });
    }

    /// Waits for the browser, then redeems, tests and stores. Blocks; call it off the UI thread.
    pub fn finish_oauth(&self, flow_id: &str) -> CoreResult<ConnectionDetail> {
        let Some(flow) = self.oauth_flows().remove(flow_id) else {
            // Forgotten after a cancel or its deadline, before anyone came to finish it.
            return Err(match self.oauth_cancels().remove(flow_id) {
                Some(flag) if flag.load(Ordering::SeqCst) => CoreError::invalid(CANCELLED),
                Some(_) => CoreError::invalid(TIMED_OUT),
                None => CoreError::NotFound {
                    what: "authorization",
                    id: flow_id.to_string(),
                },
            });
        };
        let granted = self.redeem(flow.authorization, &flow.cancelled);
        self.oauth_cancels().remove(flow_id);
        let (granted, api_base) = granted?;
        match flow.purpose {
            Purpose::New { scope, request } => {
                self.store_new_oauth(&scope, &request, api_base.as_deref(), granted)
            }
            Purpose::Reauthorize { connection_id } => {
                self.store_reauthorization(&connection_id, granted)
            }
        }
    }

    fn store_new_oauth(
        &self,
        scope: &SiteEnvironment,
        request: &OAuthConnectRequest,
        api_base: Option<&str>,
        granted: Granted,
    ) -> CoreResult<ConnectionDetail> {
        let operator = self.authorize(
            access::Operation::CreateConnection,
            Target::Connector(&request.connector_type),
        )?;
        let environment_id = self.environment_id(scope)?;
        let key = self.site_key(&scope.site_id)?;
        let now = self.now();
        let id = ids::time_ordered_id("con", now, random_bits()?);
        let (blob, refresh_blob) = seal_grant(&key, &id, &granted);
        let expires_at = oauth::expires_at(now, granted.expires_in_s);
        let outcome = &granted.outcome;
        self.write(|tx| {
            key.still_current(tx)?;
            insert_connection(
                tx,
                &Placement {
                    id: &id,
                    site_id: &scope.site_id,
                    environment_id,
                    operator_id: &operator.id,
                    now,
                },
                &ConnectionSpec {
                    connector_type: &request.connector_type,
                    display_name: request.display_name.trim(),
                    state: ConnectionState::Active,
                    auth_flow: AuthFlow::Oauth2.as_str(),
                    vendor_account_id: granted.account_id.as_deref(),
                    scopes_granted: granted.scopes.clone(),
                    expires_at,
                    last_test_outcome: Some(outcome.kind()),
                    base_url_override: api_base,
                    oauth_server: request.oauth_server.as_ref(),
                    field_mapping: serde_json::json!({}),
                    credential_blob: Some(&blob),
                },
                &format!(
                    "authorized by {} in the browser; test call: {outcome}",
                    operator.name
                ),
            )?;
            if let Some(refresh_blob) = &refresh_blob {
                sgen_store::connection_credentials::set(
                    tx,
                    &id,
                    &blob,
                    Some(refresh_blob),
                    expires_at,
                    now,
                )?;
            }
            Ok::<_, CoreError>(())
        })?;
        self.connection(&id)
    }

    /// Stops a flow that is waiting for the browser (or about to): `finish_oauth` returns
    /// "cancelled" and its listener closes.
    pub fn cancel_oauth(&self, flow_id: &str) -> CoreResult<()> {
        let cancels = self.oauth_cancels();
        let flag = cancels.get(flow_id).ok_or_else(|| CoreError::NotFound {
            what: "authorization",
            id: flow_id.to_string(),
        })?;
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn oauth_flows(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, PendingFlow>> {
        self.oauth.flows.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn oauth_cancels(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Arc<AtomicBool>>> {
        self.oauth.cancels.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Every address of a given authorization server is https, or http on this computer, and it
/// names a client.
fn checked_server(server: OAuthServer) -> CoreResult<OAuthServer> {
    for url in [
        Some(&server.authorize_url),
        Some(&server.token_url),
        server.revoke_url.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if checked_api_base(Some(url))?.as_deref() == Some(SANDBOX_ENDPOINT) {
            return Err(CoreError::invalid(
                "an authorization server address must be a URL",
            ));
        }
    }
    if server.client_id.trim().is_empty() {
        return Err(CoreError::invalid(
            "the authorization server needs a client id",
        ));
    }
    Ok(server)
}
