//! The token endpoint and revocation through the `oauth2` crate (RFC 6749 code exchange with
//! PKCE, refresh, client credentials; RFC 7009 revocation with `token_type_hint`), sent by
//! `kernel::http`'s client: no redirect followed (a 3xx is an error, never followed to wherever
//! it points), the answer read to a limit, and errors that never carry a token.
//!
//! The crate refuses a revocation endpoint that is not https (RFC 7009 §2). The sandbox vendors
//! and the test authorization servers listen on plain http on this computer; for those alone
//! the crate is given the https spelling of the address and the transport sends it as http on
//! loopback (see CONTRIBUTING). Any other http revocation address is refused as the crate says.

use crate::kernel::destination_policy::Allowance;
use crate::kernel::http::{self, NoAnswer, TOKEN_TIMEOUT};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthorizationCode, ClientId, ClientSecret, HttpRequest, HttpResponse, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, StandardRevocableToken,
    SyncHttpClient, TokenResponse, TokenUrl,
};
use sgen_vault::Secret;
use std::cell::Cell;

/// A token endpoint's answer is small; more than this is not read.
const BODY_LIMIT: u64 = 64 * 1024;

/// The shortest and longest token lifetime believed. A vendor's `expires_in` of 0 would have
/// the refresher renew the token every minute, and one of 2^63 seconds would overflow the
/// expiry; both are clamped (and logged), never trusted as sent.
const SHORTEST_LIFETIME_S: i64 = 60;
const LONGEST_LIFETIME_S: i64 = 365 * 24 * 3600;

/// When a token that lives `expires_in_s` (as the vendor said) expires, from `now` (ms).
pub(crate) fn expires_at(now: i64, expires_in_s: Option<i64>) -> Option<i64> {
    let said = expires_in_s?;
    let believed = said.clamp(SHORTEST_LIFETIME_S, LONGEST_LIFETIME_S);
    if believed != said {
        tracing::warn!(
            said,
            believed,
            "the vendor's token lifetime is out of range; clamped"
        );
    }
    Some(now.saturating_add(believed * 1000))
}

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
    /// The endpoint's address cannot be used (not a URL; an http revocation endpoint).
    Address(String),
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
            TokenError::Address(reason) => write!(f, "the endpoint's address: {reason}"),
        }
    }
}

/// A grant to revoke, with the hint RFC 7009 lets the server use.
pub(crate) enum Revocable<'a> {
    RefreshToken(&'a Secret),
    AccessToken(&'a Secret),
}

pub(crate) fn exchange_code(
    token_url: &str,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
    policy: Option<&Allowance>,
) -> Result<Tokens, TokenError> {
    let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(address)?;
    let transport = Transport::new(false, policy);
    let answer = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_token_uri(token_uri(token_url)?)
        .set_redirect_uri(redirect)
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
        .request(&transport);
    tokens(answer, &transport)
}

pub(crate) fn refresh(
    token_url: &str,
    client_id: &str,
    refresh_token: &Secret,
    policy: Option<&Allowance>,
) -> Result<Tokens, TokenError> {
    let transport = Transport::new(false, policy);
    let refresh_token = RefreshToken::new(refresh_token.expose().to_string());
    let answer = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_token_uri(token_uri(token_url)?)
        .exchange_refresh_token(&refresh_token)
        .request(&transport);
    tokens(answer, &transport)
}

/// RFC 6749 §4.4: a token for the client itself, the client authenticating with HTTP Basic.
pub(crate) fn client_credentials(
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
    policy: Option<&Allowance>,
) -> Result<Tokens, TokenError> {
    let transport = Transport::new(false, policy);
    let answer = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_client_secret(ClientSecret::new(client_secret.expose().to_string()))
        .set_token_uri(token_uri(token_url)?)
        .exchange_client_credentials()
        .request(&transport);
    tokens(answer, &transport)
}

/// RFC 7009: 200 means the token is gone (whether or not the vendor knew it). A public client
/// identifies itself with its client id.
pub(crate) fn revoke(
    url: &str,
    client_id: &str,
    token: Revocable<'_>,
    policy: Option<&Allowance>,
) -> Result<(), TokenError> {
    let loopback_http = is_loopback_http(url);
    let url = match loopback_http {
        true => url.replacen("http://", "https://", 1),
        false => url.to_string(),
    };
    let token = match token {
        Revocable::RefreshToken(t) => {
            StandardRevocableToken::RefreshToken(RefreshToken::new(t.expose().to_string()))
        }
        Revocable::AccessToken(t) => {
            StandardRevocableToken::AccessToken(oauth2::AccessToken::new(t.expose().to_string()))
        }
    };
    let transport = Transport::new(loopback_http, policy);
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_revocation_url(RevocationUrl::new(url).map_err(address)?);
    let request = client
        .revoke_token(token)
        .map_err(|e| TokenError::Address(e.to_string()))?;
    request
        .request(&transport)
        .map_err(|e| failure(e, &transport))
}

fn token_uri(url: &str) -> Result<TokenUrl, TokenError> {
    TokenUrl::new(url.to_string()).map_err(address)
}

fn address(e: oauth2::url::ParseError) -> TokenError {
    TokenError::Address(format!("not a URL ({e})"))
}

fn is_loopback_http(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(u.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                | matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
                | matches!(u.host(), Some(url::Host::Domain("localhost")))
    })
}

type Answer = Result<
    oauth2::basic::BasicTokenResponse,
    RequestTokenError<TransportError, oauth2::basic::BasicErrorResponse>,
>;

fn tokens(answer: Answer, transport: &Transport) -> Result<Tokens, TokenError> {
    let answer = answer.map_err(|e| failure(e, transport))?;
    Ok(Tokens {
        access_token: Secret::new(answer.access_token().secret().clone()),
        refresh_token: answer
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone())),
        expires_in_s: answer
            .expires_in()
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        scope: answer.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
    })
}

fn failure<T: oauth2::ErrorResponseType + std::fmt::Display>(
    e: RequestTokenError<TransportError, oauth2::StandardErrorResponse<T>>,
    transport: &Transport,
) -> TokenError {
    let status = transport.status.get().unwrap_or(0);
    match e {
        RequestTokenError::Request(TransportError::Redirected(code)) => {
            TokenError::Redirected(code)
        }
        RequestTokenError::Request(TransportError::NoAnswer(failed)) => {
            TokenError::Network(failed.reason)
        }
        RequestTokenError::Request(TransportError::Unsendable) => {
            TokenError::Address("the request could not be made".into())
        }
        RequestTokenError::Request(TransportError::Refused(why)) => TokenError::Address(why),
        RequestTokenError::ServerResponse(refused) => match refused.error().to_string() {
            error if error == "invalid_grant" => TokenError::InvalidGrant,
            error if (400..500).contains(&status) => TokenError::Refused(error),
            _ => TokenError::Vendor(status),
        },
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => TokenError::Vendor(status),
    }
}

/// The crate's HTTP transport: `kernel::http`'s client under the SSRF policy, the status kept
/// for the error, a 3xx turned into an error rather than followed.
struct Transport {
    loopback_http: bool,
    policy: Option<Allowance>,
    status: Cell<Option<u16>>,
}

impl Transport {
    fn new(loopback_http: bool, policy: Option<&Allowance>) -> Self {
        Self {
            loopback_http,
            policy: policy.cloned(),
            status: Cell::new(None),
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum TransportError {
    #[error("{}", .0.reason)]
    NoAnswer(NoAnswer),
    #[error("redirected (HTTP {0})")]
    Redirected(u16),
    #[error("the request could not be made")]
    Unsendable,
    #[error("{0}")]
    Refused(String),
}

impl SyncHttpClient for Transport {
    type Error = TransportError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (parts, body) = request.into_parts();
        let mut url = parts.uri.to_string();
        if self.loopback_http {
            url = url.replacen("https://", "http://", 1);
        }
        if let (Some(policy), Ok(parsed)) = (&self.policy, reqwest::Url::parse(&url)) {
            policy
                .check_address_in(&parsed)
                .map_err(|e| TransportError::Refused(e.to_string()))?;
        }
        let response = http::client_under(TOKEN_TIMEOUT, self.policy.as_ref())
            .request(parts.method, url)
            .headers(parts.headers)
            .body(body)
            .send()
            .map_err(|e| TransportError::NoAnswer(http::no_answer(&e)))?;
        let status = response.status();
        self.status.set(Some(status.as_u16()));
        if status.is_redirection() {
            return Err(TransportError::Redirected(status.as_u16()));
        }
        let mut answer = oauth2::http::Response::builder().status(status);
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        answer
            .body(http::body_up_to(response, BODY_LIMIT))
            .map_err(|_| TransportError::Unsendable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_token_lifetime_out_of_range_is_clamped_never_overflowed() {
        assert_eq!(expires_at(NOW, Some(3600)), Some(NOW + 3_600_000));
        // 0 or negative would have the refresher renew it every minute: a minute at least.
        assert_eq!(expires_at(NOW, Some(0)), Some(NOW + 60_000));
        assert_eq!(expires_at(NOW, Some(-5)), Some(NOW + 60_000));
        // 2^63 − 1 seconds: a year at most, no overflow.
        assert_eq!(
            expires_at(NOW, Some(i64::MAX)),
            Some(NOW + 365 * 24 * 3_600_000)
        );
        assert_eq!(expires_at(NOW, None), None);
    }

    /// A loopback server that answers every request with `head` and counts the requests.
    fn answering(head: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = seen.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer);
                let _ = write!(
                    stream,
                    "{head}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        (address, seen)
    }

    #[test]
    fn a_revocation_endpoint_that_redirects_sends_nothing_to_where_it_points() {
        let (canary, canary_seen) = answering("HTTP/1.1 200 OK".into());
        let (endpoint, endpoint_seen) =
            answering(format!("HTTP/1.1 302 Found\r\nlocation: {canary}/steal"));
        let token = Secret::new("rt_canary_9f2e");
        let failed = revoke(
            &format!("{endpoint}/revoke"),
            "sgen",
            Revocable::RefreshToken(&token),
            None,
        )
        .unwrap_err();
        assert_eq!(failed, TokenError::Redirected(302));
        assert_eq!(endpoint_seen.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(canary_seen.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
