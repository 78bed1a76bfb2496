//! The sandbox vendor's authorization server (RFC 6749 with PKCE, RFC 7009 revocation, RFC 9207
//! `iss`): a consent page a person sees in the browser, codes bound to their PKCE challenge and
//! redirect URI and usable once, access tokens that expire, and refresh tokens that rotate.
//! Tokens are signed rather than stored (see `tokens`), so they outlive the process.

use crate::accounts::account_id;
use crate::consent_page::{consent_page, error_page, without_referrer};
use crate::tokens::{self, Grant};
use crate::vendor::VendorState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sgen_catalog::RedirectKind;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long an access token lives; refresh tokens live until revoked or rotated.
pub(crate) const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
const CODE_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Default)]
pub(crate) struct OAuthState {
    counter: u64,
    codes: HashMap<String, PendingCode>,
    spent_refresh_tokens: HashSet<String>,
    revoked_grants: HashSet<String>,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    grant: Grant,
    issued: SystemTime,
}

impl OAuthState {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// The grant behind an access token this vendor signed, unless it was revoked. Expiry is
    /// the caller's to judge, so it can say "expired" rather than "invalid".
    pub(crate) fn access_grant(&self, vendor: &VendorState, token: &str) -> Option<Grant> {
        tokens::verify(vendor.seed, &vendor.manifest.slug, "at", token)
            .filter(|grant| !self.revoked_grants.contains(&grant.id))
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[derive(Deserialize)]
pub(crate) struct AuthorizeParams {
    pub(crate) response_type: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) code_challenge_method: Option<String>,
}

/// The consent page, or a plain error page when the request is not one to consent to.
pub(crate) async fn authorize(
    State(vendor): State<Arc<VendorState>>,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    let checked = check_authorize(&vendor, &p);
    let page = match checked {
        Err(problem) => {
            (StatusCode::BAD_REQUEST, Html(error_page(&vendor, problem))).into_response()
        }
        Ok(()) => Html(consent_page(&vendor, &p)).into_response(),
    };
    without_referrer(page)
}

fn check_authorize(vendor: &VendorState, p: &AuthorizeParams) -> Result<(), &'static str> {
    if p.response_type.as_deref() != Some("code") {
        return Err("response_type must be code");
    }
    if p.client_id.as_deref().unwrap_or("").is_empty() {
        return Err("client_id is missing");
    }
    let redirect = p.redirect_uri.as_deref().unwrap_or("");
    if !allowed_redirect(vendor, redirect) {
        return Err(match deep_link_vendor(vendor) {
            true => "this vendor refuses loopback redirects: redirect_uri must be an app link, <app-scheme>://callback/<connector>",
            false => "redirect_uri must be http://127.0.0.1:{port}/callback/{connector}",
        });
    }
    if p.code_challenge_method.as_deref() != Some("S256")
        || p.code_challenge.as_deref().unwrap_or("").len() < 43
    {
        return Err("PKCE with S256 is required");
    }
    if p.state.as_deref().unwrap_or("").is_empty() {
        return Err("state is missing");
    }
    Ok(())
}

fn deep_link_vendor(vendor: &VendorState) -> bool {
    vendor
        .manifest
        .oauth
        .as_ref()
        .is_some_and(|o| o.redirect == RedirectKind::DeepLink)
}

/// Where this vendor sends the browser back: an RFC 8252 loopback redirect (any port, this
/// path, the literal address), or for vendors that refuse loopback (Square), an app's own
/// scheme at `{scheme}://callback/{connector}`.
fn allowed_redirect(vendor: &VendorState, uri: &str) -> bool {
    let slug = &vendor.manifest.slug;
    url::Url::parse(uri).is_ok_and(|u| match deep_link_vendor(vendor) {
        true => {
            !["http", "https"].contains(&u.scheme())
                && u.host_str() == Some("callback")
                && u.path() == format!("/{slug}")
        }
        false => {
            u.scheme() == "http"
                && u.host_str() == Some("127.0.0.1")
                && u.path() == format!("/callback/{slug}")
        }
    })
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    decision: String,
    login: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    code_challenge: String,
}

/// The person approved or denied: back to the app's redirect URI with a code or an error, the
/// state, and this vendor's issuer.
pub(crate) async fn decide(
    State(vendor): State<Arc<VendorState>>,
    Form(d): Form<Decision>,
) -> Response {
    if !allowed_redirect(&vendor, &d.redirect_uri) {
        return (
            StatusCode::BAD_REQUEST,
            Html(error_page(&vendor, "redirect_uri is not allowed")),
        )
            .into_response();
    }
    let mut target = url::Url::parse(&d.redirect_uri).expect("checked above");
    {
        let mut query = target.query_pairs_mut();
        if d.decision == "approve" {
            let mut oauth = vendor.oauth();
            let serial = oauth.next();
            let grant = Grant {
                id: format!("{}-{serial}", now_ms()),
                account: account_id(vendor.seed, &vendor.manifest.slug, d.login.trim()),
                scopes: d.scope.split_whitespace().map(str::to_string).collect(),
                expires_ms: 0,
                serial,
            };
            let code = tokens::sign(vendor.seed, &vendor.manifest.slug, "code", &grant);
            oauth.codes.insert(
                code.clone(),
                PendingCode {
                    client_id: d.client_id,
                    redirect_uri: d.redirect_uri.clone(),
                    challenge: d.code_challenge,
                    grant,
                    issued: SystemTime::now(),
                },
            );
            query.append_pair("code", &code);
        } else {
            query.append_pair("error", "access_denied");
        }
        query.append_pair("state", &d.state);
        query.append_pair("iss", &vendor.issuer());
    }
    without_referrer((StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response())
}

#[derive(Deserialize)]
pub(crate) struct TokenRequest {
    grant_type: String,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    refresh_token: Option<String>,
}

pub(crate) async fn token(
    State(vendor): State<Arc<VendorState>>,
    headers: axum::http::HeaderMap,
    Form(t): Form<TokenRequest>,
) -> Response {
    vendor.requests().token += 1;
    let client = client_credentials_of(&headers, &t);
    // A failing vendor fails before it has used up the code or the refresh token, as a real
    // one whose servers are down would.
    if let Some(status) = presented_account(&vendor, &t, client.as_ref())
        .and_then(|account| vendor.faults(&account).status)
        .and_then(|s| StatusCode::from_u16(s).ok())
    {
        return (status, Json(json!({ "error": "server_error" }))).into_response();
    }
    let grant = match t.grant_type.as_str() {
        "authorization_code" => redeem_code(&vendor, &t),
        "refresh_token" => redeem_refresh(&vendor, &t),
        "client_credentials" => authenticate_client(&vendor, client.as_ref()),
        _ => Err(("unsupported_grant_type", StatusCode::BAD_REQUEST)),
    };
    let grant = match grant {
        Ok(grant) => grant,
        Err((error, status)) => return (status, Json(json!({ "error": error }))).into_response(),
    };
    // A client-credentials client simply asks again; it gets no refresh token. A vendor that
    // does not rotate sends none on refresh either.
    let sends_refresh_token = match t.grant_type.as_str() {
        "client_credentials" => false,
        "refresh_token" => !vendor.faults(&grant.account).keeps_refresh_token,
        _ => true,
    };
    let mut oauth = vendor.oauth();
    let slug = &vendor.manifest.slug;
    let access = Grant {
        expires_ms: now_ms() + ACCESS_TOKEN_LIFETIME.as_millis() as i64,
        serial: oauth.next(),
        ..grant.clone()
    };
    let refresh = Grant {
        expires_ms: 0,
        serial: oauth.next(),
        ..grant
    };
    let mut body = json!({
        "access_token": tokens::sign(vendor.seed, slug, "at", &access),
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME.as_secs(),
        "scope": access.scopes.join(" "),
    });
    if sends_refresh_token {
        body["refresh_token"] = tokens::sign(vendor.seed, slug, "rt", &refresh).into();
    }
    Json(body).into_response()
}

type TokenError = (&'static str, StatusCode);

/// The client id and secret of a client-credentials request: HTTP Basic, or the form.
fn client_credentials_of(
    headers: &axum::http::HeaderMap,
    t: &TokenRequest,
) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(i, s)| (i.to_string(), s.to_string()))
        });
    basic.or_else(|| Some((t.client_id.clone()?, t.client_secret.clone()?)))
}

/// A client whose id and secret are well-formed for this vendor is an account; a revoked one
/// is refused as the vendor refuses a deleted app.
fn authenticate_client(
    vendor: &VendorState,
    client: Option<&(String, String)>,
) -> Result<Grant, TokenError> {
    let refused = ("invalid_client", StatusCode::UNAUTHORIZED);
    let (id, secret) = client.ok_or(refused)?;
    let field_accepts = |name: &str, value: &str| {
        vendor
            .manifest
            .credential_fields
            .iter()
            .any(|f| f.name == name && f.accepts(value))
    };
    if !field_accepts("client_id", id) || !field_accepts("client_secret", secret) {
        return Err(refused);
    }
    let account = account_id(vendor.seed, &vendor.manifest.slug, id);
    if vendor.faults(&account).revoked {
        return Err(refused);
    }
    Ok(Grant {
        id: format!("client-{account}"),
        account,
        scopes: vendor
            .manifest
            .scopes
            .iter()
            .map(|s| s.id.clone())
            .collect(),
        expires_ms: 0,
        serial: 0,
    })
}

/// The account a token request is for, without redeeming anything.
fn presented_account(
    vendor: &VendorState,
    t: &TokenRequest,
    client: Option<&(String, String)>,
) -> Option<String> {
    match t.grant_type.as_str() {
        "client_credentials" => {
            client.map(|(id, _)| account_id(vendor.seed, &vendor.manifest.slug, id))
        }
        "authorization_code" => vendor
            .oauth()
            .codes
            .get(t.code.as_deref()?)
            .map(|pending| pending.grant.account.clone()),
        "refresh_token" => tokens::verify(
            vendor.seed,
            &vendor.manifest.slug,
            "rt",
            t.refresh_token.as_deref()?,
        )
        .map(|grant| grant.account),
        _ => None,
    }
}

fn redeem_code(vendor: &VendorState, t: &TokenRequest) -> Result<Grant, TokenError> {
    let invalid = ("invalid_grant", StatusCode::BAD_REQUEST);
    // A code is used at most once, whatever happens next.
    let pending = vendor
        .oauth()
        .codes
        .remove(t.code.as_deref().unwrap_or(""))
        .ok_or(invalid)?;
    let fresh = pending
        .issued
        .elapsed()
        .is_ok_and(|age| age < CODE_LIFETIME);
    let verifier = t.code_verifier.as_deref().unwrap_or("");
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    if !fresh
        || t.redirect_uri.as_deref() != Some(pending.redirect_uri.as_str())
        || t.client_id.as_deref() != Some(pending.client_id.as_str())
        || challenge != pending.challenge
    {
        return Err(invalid);
    }
    Ok(pending.grant)
}

/// Rotation: the presented refresh token is spent; a revoked grant answers `invalid_grant`.
fn redeem_refresh(vendor: &VendorState, t: &TokenRequest) -> Result<Grant, TokenError> {
    let invalid = ("invalid_grant", StatusCode::BAD_REQUEST);
    let presented = t.refresh_token.as_deref().unwrap_or("");
    let grant =
        tokens::verify(vendor.seed, &vendor.manifest.slug, "rt", presented).ok_or(invalid)?;
    let faults = vendor.faults(&grant.account);
    let mut oauth = vendor.oauth();
    if oauth.revoked_grants.contains(&grant.id)
        || oauth.spent_refresh_tokens.contains(presented)
        || faults.revoked
    {
        return Err(invalid);
    }
    if !faults.keeps_refresh_token {
        oauth.spent_refresh_tokens.insert(presented.to_string());
    }
    Ok(grant)
}

#[derive(Deserialize)]
pub(crate) struct RevokeRequest {
    token: String,
    token_type_hint: Option<String>,
}

/// RFC 7009: the token (access or refresh) and every token of its grant stop working; the
/// answer is 200 whether or not the token was known. A failing vendor (an account's `status`
/// fault) answers that status and revokes nothing.
pub(crate) async fn revoke(
    State(vendor): State<Arc<VendorState>>,
    Form(r): Form<RevokeRequest>,
) -> Response {
    vendor
        .requests()
        .revocation_hints
        .push(r.token_type_hint.unwrap_or_default());
    let slug = &vendor.manifest.slug;
    let grant = tokens::verify(vendor.seed, slug, "at", &r.token)
        .or_else(|| tokens::verify(vendor.seed, slug, "rt", &r.token));
    let Some(grant) = grant else {
        return StatusCode::OK.into_response();
    };
    if let Some(status) = vendor
        .faults(&grant.account)
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
    {
        return (status, Json(json!({ "error": "server_error" }))).into_response();
    }
    vendor.oauth().revoked_grants.insert(grant.id);
    StatusCode::OK.into_response()
}

/// What the authorization server was asked so far.
pub(crate) async fn requests_seen(State(vendor): State<Arc<VendorState>>) -> Response {
    Json(vendor.requests().clone()).into_response()
}
