//! OAuth (SPEC §4): authorizing a connection (`authorization`, `connect`, `reauthorize`), the
//! return paths, refreshing tokens (`refresh`, the background `refresher`) and client
//! credentials (`client_token`).
//!
//! OAuth 2 authorization code with PKCE over a loopback redirect (RFC 6749, 7636, 8252, 9207),
//! or a deep link where the vendor refuses loopback, and refresh. The browser is the system's
//! (the caller opens `authorize_url`); the app only listens for the one callback it expects.

pub(crate) mod authorization;
mod authorize_request;
mod callback;
pub(crate) mod client_token;
pub mod connect;
pub(crate) mod deep_link;
mod loopback;
pub(crate) mod reauthorize;
pub(crate) mod refresh;
pub mod refresher;
pub(crate) mod state;
mod tokens;

pub(crate) use authorize_request::{authorize_url, AuthorizeRequest, Pkce};
pub(crate) use callback::{Awaited, Callback};
pub(crate) use deep_link::DeepLinkReturn;
pub use deep_link::DEEP_LINK_SCHEME;
pub(crate) use loopback::CallbackListener;
pub(crate) use tokens::{
    client_credentials, exchange_code, expires_at, refresh, revoke, Revocable, TokenError, Tokens,
};

/// Where the browser comes back to: the loopback listener, or a deep link for vendors that
/// refuse loopback redirect URIs.
pub(crate) enum ReturnPath {
    Loopback(CallbackListener),
    DeepLink(DeepLinkReturn),
}

impl ReturnPath {
    pub(crate) fn redirect_uri(&self) -> String {
        match self {
            ReturnPath::Loopback(listener) => listener.redirect_uri(),
            ReturnPath::DeepLink(link) => link.redirect_uri(),
        }
    }

    pub(crate) fn wait(self, awaited: &Awaited<'_>) -> Callback {
        match self {
            ReturnPath::Loopback(listener) => listener.wait(awaited),
            ReturnPath::DeepLink(link) => link.wait(awaited),
        }
    }
}

/// Where a vendor's authorization server is, for one connection.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    /// The `iss` the callback must carry, when the vendor sends one.
    pub issuer: Option<String>,
    pub client_id: String,
}
