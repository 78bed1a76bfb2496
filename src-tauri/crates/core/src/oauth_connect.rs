//! Creating an OAuth connection: `begin_oauth` prepares PKCE, `state` and a return path (the
//! loopback listener, or an app link for vendors that refuse loopback)
//! and returns the URL for the system browser; `finish_oauth` waits for the one valid callback
//! (at most five minutes, or until `cancel_oauth`), redeems the code, makes the test call, and
//! stores the connection with its tokens sealed. Nothing is stored unless all of that works.

use crate::api_address::checked_api_base;
use crate::connections::{insert_connection, ConnectionDetail, ConnectionSpec, Placement};
use crate::ids::random_bits;
use crate::oauth::{
    exchange_code, Awaited, Callback, CallbackListener, DeepLinkReturn, Endpoints, Pkce,
    ReturnPath, DEEP_LINK_SCHEME,
};
use crate::sites::Scope;
use crate::test_outcome::TestOutcome;
use crate::vendor_http::{self, ACCESS_TOKEN};
use crate::{ids, Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use serde::{Deserialize, Serialize};
use sgen_catalog::{AuthFlow, Manifest, RedirectKind};
use sgen_store::connections::OAuthServer;
use sgen_store::model::ConnectionState;
use sgen_vault::{Binding, SecretFields};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use ts_rs::TS;

/// How long the browser has to come back (RFC 8252 leaves it to the app; SPEC §4 says 5 min).
const FLOW_TIMEOUT: Duration = Duration::from_secs(300);
/// The public client the sandbox vendors know this app as.
pub(crate) const SANDBOX_CLIENT_ID: &str = "sgen-integrations-desktop";
pub(crate) const REFRESH_TOKEN: &str = "refresh_token";

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
        scope: Scope,
        request: Box<OAuthConnectRequest>,
    },
    /// New scopes (or a new grant) for a connection that exists.
    Reauthorize { connection_id: String },
}

/// One authorization request sent to the browser: everything needed to check the callback
/// and redeem its code.
pub(crate) struct Authorization {
    pub(crate) connector_type: String,
    /// The connection's stored API address override (a URL or `sandbox`).
    pub(crate) api_base: Option<String>,
    endpoints: Endpoints,
    pkce: Pkce,
    scopes: Vec<String>,
    return_path: ReturnPath,
    deadline: Instant,
    pub(crate) authorize_url: String,
}

/// What a redeemed and tested authorization gave.
pub(crate) struct Granted {
    pub(crate) credential: SecretFields,
    pub(crate) refresh_token: Option<sgen_vault::Secret>,
    pub(crate) expires_in_s: Option<i64>,
    pub(crate) scopes: Vec<String>,
    pub(crate) outcome: TestOutcome,
    pub(crate) account_id: Option<String>,
}

pub(crate) struct PendingFlow {
    purpose: Purpose,
    authorization: Authorization,
    cancelled: Arc<AtomicBool>,
}

impl Core {
    pub fn begin_oauth(
        &self,
        scope: &Scope,
        request: OAuthConnectRequest,
    ) -> CoreResult<AuthorizationStarted> {
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
        let authorization =
            self.prepare_authorization(manifest, api_base, oauth_server.as_ref(), &request.scopes)?;
        self.register_flow(
            Purpose::New {
                scope: scope.clone(),
                request: Box::new(request),
            },
            authorization,
        )
    }

    /// PKCE, `state`, a return path and the authorize URL for the browser. Another
    /// server's scopes are its own business; the catalog's are checked.
    pub(crate) fn prepare_authorization(
        &self,
        manifest: &Manifest,
        api_base: Option<String>,
        oauth_server: Option<&OAuthServer>,
        asked_scopes: &[String],
    ) -> CoreResult<Authorization> {
        if !manifest.auth_flows.contains(&AuthFlow::Oauth2) {
            return Err(CoreError::invalid(format!(
                "{} does not connect with OAuth",
                manifest.display_name
            )));
        }
        let endpoints = self.oauth_endpoints(manifest, api_base.as_deref(), oauth_server)?;
        let scopes = match oauth_server {
            Some(_) => asked_scopes.to_vec(),
            None => requested_scopes(manifest, asked_scopes)?,
        };
        let pkce = Pkce::new().map_err(|e| CoreError::Internal(format!("no randomness: {e}")))?;
        let return_path = match manifest.oauth.as_ref().map(|o| o.redirect) {
            Some(RedirectKind::DeepLink) => {
                let (sender, links) = std::sync::mpsc::channel();
                self.deep_links().insert(pkce.state.clone(), sender);
                ReturnPath::DeepLink(DeepLinkReturn {
                    slug: manifest.slug.clone(),
                    links,
                })
            }
            _ => ReturnPath::Loopback(
                CallbackListener::bind(&manifest.slug)
                    .map_err(|e| CoreError::Internal(format!("loopback listener: {e}")))?,
            ),
        };
        let mut url = url::Url::parse(&endpoints.authorize_url)
            .map_err(|_| CoreError::invalid("the vendor's authorize address is not a URL"))?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &endpoints.client_id)
                .append_pair("redirect_uri", &return_path.redirect_uri())
                .append_pair("scope", &scopes.join(" "))
                .append_pair("state", &pkce.state)
                .append_pair("code_challenge", &pkce.challenge)
                .append_pair("code_challenge_method", "S256");
            if let Some(oauth) = &manifest.oauth {
                for (key, value) in &oauth.extra_authorize_params {
                    query.append_pair(key, value);
                }
            }
        }
        Ok(Authorization {
            connector_type: manifest.slug.clone(),
            api_base,
            endpoints,
            pkce,
            scopes,
            return_path,
            deadline: Instant::now() + FLOW_TIMEOUT,
            authorize_url: url.to_string(),
        })
    }

    pub(crate) fn register_flow(
        &self,
        purpose: Purpose,
        authorization: Authorization,
    ) -> CoreResult<AuthorizationStarted> {
        let flow_id = ids::time_ordered_id("oauth", self.now(), random_bits()?);
        let authorize_url = authorization.authorize_url.clone();
        let app_link = matches!(authorization.return_path, ReturnPath::DeepLink(_));
        let cancelled = Arc::new(AtomicBool::new(false));
        let mut flows = self.oauth_flows();
        // Flows nobody finished in time are forgotten (their listeners close).
        flows.retain(|_, flow| flow.authorization.deadline > Instant::now());
        let mut cancels = self.oauth_cancels();
        cancels.retain(|id, _| flows.contains_key(id));
        cancels.insert(flow_id.clone(), cancelled.clone());
        flows.insert(
            flow_id.clone(),
            PendingFlow {
                purpose,
                authorization,
                cancelled,
            },
        );
        Ok(AuthorizationStarted {
            flow_id,
            authorize_url,
            app_link,
        })
    }

    /// Waits for the browser, then redeems, tests and stores. Blocks; call it off the UI thread.
    pub fn finish_oauth(&self, flow_id: &str) -> CoreResult<ConnectionDetail> {
        let flow = self
            .oauth_flows()
            .remove(flow_id)
            .ok_or_else(|| CoreError::NotFound {
                what: "authorization",
                id: flow_id.to_string(),
            })?;
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

    /// Waits for the one valid callback, redeems its code and makes the test call. Nothing is
    /// stored; a test that does not connect is an error.
    pub(crate) fn redeem(
        &self,
        authorization: Authorization,
        cancelled: &AtomicBool,
    ) -> CoreResult<(Granted, Option<String>)> {
        let Authorization {
            connector_type,
            api_base,
            endpoints,
            pkce,
            scopes,
            return_path,
            deadline,
            ..
        } = authorization;
        let redirect_uri = return_path.redirect_uri();
        let callback = return_path.wait(&Awaited {
            state: &pkce.state,
            issuer: endpoints.issuer.as_deref(),
            deadline,
            cancelled,
        });
        self.deep_links().remove(&pkce.state);
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Refused(error) => {
                return Err(CoreError::invalid(format!(
                    "the vendor did not grant access ({error})"
                )))
            }
            Callback::Cancelled => {
                return Err(CoreError::invalid("the authorization was cancelled"))
            }
            Callback::TimedOut => {
                return Err(CoreError::invalid(
                    "the browser did not come back within 5 minutes; start again",
                ))
            }
        };
        let tokens = exchange_code(
            &endpoints.token_url,
            &endpoints.client_id,
            &code,
            &redirect_uri,
            &pkce.verifier,
        )
        .map_err(|e| CoreError::TokenEndpoint(e.to_string()))?;
        let manifest = self.manifest(&connector_type)?;
        let credential = SecretFields::new().with(ACCESS_TOKEN, tokens.access_token);
        let calls_go_to = self.api_base_for(&manifest.slug, api_base.as_deref())?;
        let outcome = vendor_http::test_call(
            manifest,
            AuthFlow::Oauth2,
            &credential,
            calls_go_to.as_deref(),
        )?;
        let TestOutcome::Connected { account_id } = &outcome else {
            return Err(CoreError::TestFailed(outcome));
        };
        let account_id = account_id.clone();
        let granted_scopes: Vec<String> = tokens
            .scope
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or(scopes);
        Ok((
            Granted {
                credential,
                refresh_token: tokens.refresh_token,
                expires_in_s: tokens.expires_in_s,
                scopes: granted_scopes,
                outcome,
                account_id,
            },
            api_base,
        ))
    }

    fn store_new_oauth(
        &self,
        scope: &Scope,
        request: &OAuthConnectRequest,
        api_base: Option<&str>,
        granted: Granted,
    ) -> CoreResult<ConnectionDetail> {
        let environment_id = self.environment_id(scope)?;
        let operator = self.active_operator()?;
        let key = self.vault()?.site_key(&scope.site_id)?;
        let now = self.now();
        let id = ids::time_ordered_id("con", now, random_bits()?);
        let (blob, refresh_blob) = seal_grant(&key, &id, &granted);
        let expires_at = granted.expires_in_s.map(|s| now + s * 1000);
        let outcome = &granted.outcome;
        self.store.write(|tx| {
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

    /// The authorization server a connection uses: the one it was given, its sandbox vendor's,
    /// or the manifest's.
    pub(crate) fn oauth_endpoints(
        &self,
        manifest: &Manifest,
        api_base: Option<&str>,
        server: Option<&OAuthServer>,
    ) -> CoreResult<Endpoints> {
        if let Some(server) = server {
            return Ok(Endpoints {
                authorize_url: server.authorize_url.clone(),
                token_url: server.token_url.clone(),
                issuer: server.issuer.clone(),
                client_id: server.client_id.clone(),
            });
        }
        if api_base == Some(SANDBOX_ENDPOINT) {
            let urls = self.sandbox_oauth(&manifest.slug)?;
            return Ok(Endpoints {
                authorize_url: urls.authorize_url,
                token_url: urls.token_url,
                issuer: Some(urls.issuer),
                client_id: SANDBOX_CLIENT_ID.into(),
            });
        }
        Err(CoreError::invalid(format!(
            "this build has no OAuth client registered with {}; connect it to the sandbox vendor",
            manifest.display_name
        )))
    }

    /// A deep link the OS handed the app (`sgen-integrations://callback/…`): delivered to the
    /// flow whose `state` it carries, which checks it like a loopback callback.
    pub fn receive_deep_link(&self, link: &str) -> CoreResult<()> {
        let url = url::Url::parse(link)
            .ok()
            .filter(|u| u.scheme() == DEEP_LINK_SCHEME)
            .ok_or_else(|| CoreError::invalid(format!("not a {DEEP_LINK_SCHEME}: link")))?;
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let mut links = self.deep_links();
        let delivered = links
            .get(&state)
            .is_some_and(|flow| flow.send(url.clone()).is_ok());
        if !delivered {
            links.remove(&state);
            return Err(CoreError::NotFound {
                what: "authorization waiting for this link",
                id: url.host_str().unwrap_or_default().to_string() + url.path(),
            });
        }
        Ok(())
    }

    fn deep_links(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        std::collections::HashMap<String, std::sync::mpsc::Sender<url::Url>>,
    > {
        self.deep_links.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn oauth_flows(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, PendingFlow>> {
        self.oauth_flows.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn oauth_cancels(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Arc<AtomicBool>>> {
        self.oauth_cancels.lock().unwrap_or_else(|p| p.into_inner())
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

/// The access token and refresh token of a grant, sealed for connection `id`.
pub(crate) fn seal_grant(
    key: &sgen_vault::DataKey,
    id: &str,
    granted: &Granted,
) -> (Vec<u8>, Option<Vec<u8>>) {
    let blob = key.seal(Binding::credential(id), &granted.credential);
    let refresh_blob = granted.refresh_token.as_ref().map(|token| {
        key.seal(
            Binding::refresh_token(id),
            &SecretFields::new().with(REFRESH_TOKEN, token.clone()),
        )
    });
    (blob, refresh_blob)
}

/// The requested scopes, each one the connector lists; none means all of them.
fn requested_scopes(manifest: &Manifest, asked: &[String]) -> CoreResult<Vec<String>> {
    let known: Vec<&str> = manifest.scopes.iter().map(|s| s.id.as_str()).collect();
    if let Some(unknown) = asked.iter().find(|s| !known.contains(&s.as_str())) {
        return Err(CoreError::invalid(format!(
            "{} has no scope `{unknown}`",
            manifest.display_name
        )));
    }
    Ok(if asked.is_empty() {
        known.iter().map(|s| s.to_string()).collect()
    } else {
        asked.to_vec()
    })
}
