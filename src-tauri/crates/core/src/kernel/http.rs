//! The process's HTTP clients for everything the app sends to vendors (test calls, deliveries,
//! token endpoints, revocation): reqwest over rustls, one client per timeout class so
//! connections to a vendor are kept alive and reused, no redirect ever followed (a 3xx is an
//! answer, recorded, never followed to wherever it points), and bodies read only up to a limit.
//! Failures are described without the request, whose URL can carry a key in its query.

use crate::kernel::destination_policy::{Allowance, PolicyResolver, Refused};
use reqwest::blocking::{Client, Response};
use std::collections::HashMap;
use std::error::Error as _;
use std::hash::Hash;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long a test call or a token request may take; a delivery attempt may take 30 s (SPEC §6).
pub const TEST_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
pub(crate) const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request got no answer, in words that never include the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoAnswer {
    pub(crate) timed_out: bool,
    pub(crate) reason: String,
}

/// The one set of settings both kinds of client take (their builders share no trait): under a
/// policy, its resolver judges every address a connection is opened to.
macro_rules! configured {
    ($builder:expr, $timeout:expr, $policy:expr) => {{
        // reqwest's rustls takes the process's crypto provider; ring is ours (an error only
        // means one is installed already).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = $builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout($timeout)
            .user_agent(concat!("sgen-integrations/", env!("CARGO_PKG_VERSION")));
        match $policy {
            Some(allowance) => {
                builder.dns_resolver(Arc::new(PolicyResolver(Allowance::clone(allowance))))
            }
            None => builder,
        }
    }};
}

/// Clients by what they were made for. A few policies exist at a time (one per site, and one
/// more each time an allow-list changes); past this many, the old ones are let go.
pub(crate) struct Clients<K, C>(Mutex<HashMap<K, C>>);

const CLIENTS_KEPT: usize = 32;

impl<K: Eq + Hash + Clone, C: Clone> Clients<K, C> {
    pub(crate) fn get_or_make(&self, key: &K, make: impl FnOnce() -> C) -> C {
        let mut clients = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = clients.get(key) {
            return client.clone();
        }
        if clients.len() >= CLIENTS_KEPT {
            clients.clear();
        }
        clients.entry(key.clone()).or_insert_with(make).clone()
    }
}

impl<K, C> Default for Clients<K, C> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

/// The process's blocking client for requests that may take `timeout` (test calls, token
/// endpoints, an operator's "send now"), under `policy` when the operator chose the address.
pub fn client(timeout: Duration) -> Client {
    client_under(timeout, None)
}

pub(crate) fn client_under(timeout: Duration, policy: Option<&Allowance>) -> Client {
    static CLIENTS: OnceLock<Clients<(Duration, Option<Allowance>), Client>> = OnceLock::new();
    CLIENTS
        .get_or_init(Clients::default)
        .get_or_make(&(timeout, policy.cloned()), || {
            configured!(Client::builder(), timeout, policy)
                .build()
                .expect("the HTTP client's settings are valid")
        })
}

/// A blocking client that only ever talks to this computer (an offline replay's recorded
/// vendor): no proxy from the environment can send its requests elsewhere.
pub(crate) fn loopback_client(timeout: Duration) -> Client {
    configured!(Client::builder(), timeout, None::<&Allowance>)
        .no_proxy()
        .build()
        .expect("the HTTP client's settings are valid")
}

/// An async client with the same settings, for the delivery worker's requests on the core's
/// runtime (`kernel::runtime`, which keeps them).
pub(crate) fn async_client(timeout: Duration, policy: Option<&Allowance>) -> reqwest::Client {
    configured!(reqwest::Client::builder(), timeout, policy)
        .build()
        .expect("the HTTP client's settings are valid")
}

/// At most `limit` bytes of the answer's body; what does not fit is not read.
pub(crate) fn body_up_to(response: Response, limit: u64) -> Vec<u8> {
    let mut body = Vec::new();
    // A body cut short by the network reads as what arrived.
    let _ = response.take(limit).read_to_end(&mut body);
    body
}

/// The same, for an async answer: chunks are read until the limit is passed.
pub(crate) async fn body_up_to_async(mut response: reqwest::Response, limit: u64) -> Vec<u8> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())]);
        if body.len() == limit {
            break;
        }
    }
    body
}

/// A failed request in words, without the request (its URL may hold a key).
pub(crate) fn no_answer(err: &reqwest::Error) -> NoAnswer {
    let timed_out = err.is_timeout();
    let reason = if let Some(refused) = source_of::<Refused>(err) {
        format!("destination_refused: {refused}")
    } else if timed_out {
        "timed out".to_string()
    } else if err.is_connect() && chain_mentions(err, "dns error") {
        "host not found".into()
    } else if source_of::<rustls::Error>(err).is_some() {
        "TLS handshake failed".into()
    } else if let Some(io) = source_of::<std::io::Error>(err) {
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
            std::io::ErrorKind::ConnectionReset => "connection reset".into(),
            kind => match io.raw_os_error() {
                Some(code) => format!("network error ({kind}, OS error {code})"),
                None => format!("network error ({kind})"),
            },
        }
    } else if err.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    };
    NoAnswer { timed_out, reason }
}

fn source_of<E: std::error::Error + 'static>(err: &reqwest::Error) -> Option<&E> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        source = e.source();
    }
    None
}

/// Whether an error below `err` says `words` (hyper-util names resolver failures only so).
fn chain_mentions(err: &reqwest::Error, words: &str) -> bool {
    let mut source = err.source();
    while let Some(e) = source {
        if e.to_string().contains(words) {
            return true;
        }
        source = e.source();
    }
    false
}
