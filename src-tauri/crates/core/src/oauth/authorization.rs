//! One OAuth authorization, whatever it is for (a new connection, new scopes, the demo): PKCE,
//! `state` and a return path (the loopback listener, or an app link for vendors that refuse
//! loopback), the authorize URL for the system browser, then the one valid callback, the code
//! redeemed at the token endpoint and the test call. Nothing here stores anything.

use crate::connections::test_outcome::TestOutcome;
use crate::kernel::destination_policy::{check_destination, Allowance};
use crate::kernel::vendor_http::{self, ACCESS_TOKEN};
use crate::oauth::{
    authorize_url, deep_link, exchange_code, AuthorizeRequest, Awaited, Callback, CallbackListener,
    DeepLinkReturn, Endpoints, Pkce, ReturnPath,
};
use crate::settings::outbound_allow_list::is_sandbox;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_catalog::{AuthFlow, Manifest, RedirectKind};
use sgen_store::connections::OAuthServer;
use sgen_vault::{Binding, SecretFields};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// How long the browser has to come back (RFC 8252 leaves it to the app; SPEC §4 says 5 min).
const FLOW_TIMEOUT: Duration = Duration::from_secs(300);
/// The public client the sandbox vendors know this app as.
pub(crate) const SANDBOX_CLIENT_ID: &str = "sgen-integrations-desktop";
pub(crate) const REFRESH_TOKEN: &str = "refresh_token";
/// How a flow that got no code ends, for the person who started it.
pub(crate) const CANCELLED: &str = "the authorization was cancelled";
pub(crate) const TIMED_OUT: &str = "the browser did not come back within 5 minutes; start again";

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
    policies: Policies,
}

/// The SSRF policies an authorization's requests are judged by (None: the app's own sandbox).
#[derive(Default)]
pub(crate) struct Policies {
    /// The test call, to the connection's API address.
    pub(crate) api: Option<Allowance>,
    /// The token and revocation endpoints.
    pub(crate) tokens: Option<Allowance>,
}

impl Authorization {
    pub(crate) fn returns_by_app_link(&self) -> bool {
        matches!(self.return_path, ReturnPath::DeepLink(_))
    }

    /// When the browser's time is up.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The `state` its deep link, if any, is filed under.
    pub(crate) fn state(&self) -> &str {
        &self.pkce.state
    }
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

impl Core {
    /// PKCE, `state`, a return path and the authorize URL for the browser. Another
    /// server's scopes are its own business; the catalog's are checked.
    pub(crate) fn prepare_authorization(
        &self,
        manifest: &Manifest,
        api_base: Option<String>,
        oauth_server: Option<&OAuthServer>,
        asked_scopes: &[String],
        policies: Policies,
    ) -> CoreResult<Authorization> {
        if !manifest.auth_flows.contains(&AuthFlow::Oauth2) {
            return Err(CoreError::invalid(format!(
                "{} does not connect with OAuth",
                manifest.display_name
            )));
        }
        if let (Some(server), Some(policy)) = (oauth_server, &policies.tokens) {
            // The browser goes to the first, the app to the others: all are the operator's.
            for url in [Some(&server.authorize_url), Some(&server.token_url)]
                .into_iter()
                .chain([server.revoke_url.as_ref()])
                .flatten()
            {
                check_destination(url, policy)?;
            }
        }
        let endpoints = self.oauth_endpoints(manifest, api_base.as_deref(), oauth_server)?;
        let scopes = match oauth_server {
            Some(_) => asked_scopes.to_vec(),
            None => requested_scopes(manifest, asked_scopes)?,
        };
        let pkce = Pkce::new();
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
        let extra_params = manifest
            .oauth
            .iter()
            .flat_map(|oauth| &oauth.extra_authorize_params)
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let request = AuthorizeRequest {
            authorize_url: &endpoints.authorize_url,
            client_id: &endpoints.client_id,
            redirect_uri: return_path.redirect_uri(),
            scopes: &scopes,
            extra_params,
        };
        let authorize_url = authorize_url(request, &pkce).map_err(CoreError::invalid)?;
        Ok(Authorization {
            connector_type: manifest.slug.clone(),
            api_base,
            endpoints,
            pkce,
            scopes,
            return_path,
            deadline: Instant::now() + FLOW_TIMEOUT,
            authorize_url,
            policies,
        })
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
            policies,
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
            Callback::Cancelled => return Err(CoreError::invalid(CANCELLED)),
            Callback::TimedOut => return Err(CoreError::invalid(TIMED_OUT)),
        };
        let tokens = exchange_code(
            &endpoints.token_url,
            &endpoints.client_id,
            &code,
            &redirect_uri,
            &pkce.verifier,
            policies.tokens.as_ref(),
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
            policies.api.as_ref(),
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

    /// The policies for an authorization on `site_id` with this API address and server.
    pub(crate) fn oauth_policies(
        &self,
        site_id: &str,
        api_base: Option<&str>,
        server: Option<&OAuthServer>,
    ) -> CoreResult<Policies> {
        Ok(Policies {
            api: self.policy_for(site_id, is_sandbox(api_base))?,
            tokens: self.policy_for(site_id, is_sandbox(api_base) && server.is_none())?,
        })
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
        let (url, state) = deep_link::parse(link)?;
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
        self.oauth
            .deep_links
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
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
