//! OAuth 2 authorization code with PKCE over a loopback redirect (RFC 6749, 7636, 8252, 9207),
//! and refresh. The browser is the system's (the caller opens `authorize_url`); the app only
//! listens on 127.0.0.1 for the one callback it expects.

mod loopback;
mod pkce;
mod tokens;

pub(crate) use loopback::{Callback, CallbackListener};
pub(crate) use pkce::Pkce;
pub(crate) use tokens::{client_credentials, exchange_code, refresh, revoke, TokenError, Tokens};

/// Where a vendor's authorization server is, for one connection.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    /// The `iss` the callback must carry, when the vendor sends one.
    pub issuer: Option<String>,
    pub client_id: String,
}
