//! The token endpoint: redeem a code, refresh. Requests follow no redirects (a 3xx is an error,
//! never followed to wherever it points) and errors never carry a token.

use sgen_vault::Secret;
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct Tokens {
    pub access_token: Secret,
    /// None when the vendor did not send one (the caller keeps the old one).
    pub refresh_token: Option<Secret>,
    pub expires_in_s: Option<i64>,
    pub scope: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// `invalid_grant`: the code or refresh token is spent, expired or revoked.
    InvalidGrant,
    /// Another OAuth error the vendor named.
    Refused(String),
    /// The vendor's server failed (5xx) or answered something that is not a token response.
    Vendor(u16),
    /// A redirect, which is not followed.
    Redirected(u16),
    Network(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::InvalidGrant => {
                f.write_str("the vendor refused the grant (invalid_grant); authorize again")
            }
            TokenError::Refused(error) => write!(f, "the vendor's token endpoint refused: {error}"),
            TokenError::Vendor(code) => {
                write!(f, "the vendor's token endpoint answered HTTP {code}")
            }
            TokenError::Redirected(code) => write!(
                f,
                "the token endpoint answered a redirect (HTTP {code}); it was not followed"
            ),
            TokenError::Network(reason) => {
                write!(f, "could not reach the token endpoint: {reason}")
            }
        }
    }
}

pub(crate) fn exchange_code(
    token_url: &str,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<Tokens, TokenError> {
    post(
        token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("code_verifier", verifier),
        ],
    )
}

pub(crate) fn refresh(
    token_url: &str,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<Tokens, TokenError> {
    post(
        token_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", client_id),
        ],
    )
}

/// RFC 6749 §4.4: a token for the client itself, the client authenticating with HTTP Basic.
pub(crate) fn client_credentials(
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<Tokens, TokenError> {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{client_id}:{}", client_secret.expose()));
    let request = agent()
        .post(token_url)
        .header("Authorization", format!("Basic {basic}"));
    read_tokens(
        request
            .header("Accept", "application/json")
            .send_form([("grant_type", "client_credentials")]),
    )
}

/// RFC 7009: 200 means the token is gone (whether or not the vendor knew it). A public client
/// identifies itself with its client id.
pub(crate) fn revoke(url: &str, client_id: &str, token: &Secret) -> Result<(), TokenError> {
    let response = agent()
        .post(url)
        .send_form([("token", token.expose()), ("client_id", client_id)])
        .map_err(|e| TokenError::Network(crate::kernel::vendor_http::describe(&e)))?;
    match response.status().as_u16() {
        200 => Ok(()),
        status @ 300..=399 => Err(TokenError::Redirected(status)),
        status => Err(TokenError::Vendor(status)),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn post(url: &str, form: &[(&str, &str)]) -> Result<Tokens, TokenError> {
    read_tokens(
        agent()
            .post(url)
            .header("Accept", "application/json")
            .send_form(form.iter().copied()),
    )
}

/// A token endpoint's answer: tokens, or why not.
fn read_tokens(
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Tokens, TokenError> {
    let mut response =
        sent.map_err(|e| TokenError::Network(crate::kernel::vendor_http::describe(&e)))?;
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        return Err(TokenError::Redirected(status));
    }
    let body: serde_json::Value = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_json()
        .unwrap_or(serde_json::Value::Null);
    let text = |key: &str| body.get(key).and_then(|v| v.as_str()).map(str::to_string);
    match (status, text("access_token"), text("error")) {
        (200, Some(access), _) => Ok(Tokens {
            access_token: Secret::new(access),
            refresh_token: text("refresh_token").map(Secret::new),
            expires_in_s: body.get("expires_in").and_then(|v| v.as_i64()),
            scope: text("scope"),
        }),
        (_, _, Some(error)) if error == "invalid_grant" => Err(TokenError::InvalidGrant),
        (400..=499, _, Some(error)) => Err(TokenError::Refused(error)),
        (code, _, _) => Err(TokenError::Vendor(code)),
    }
}
