//! What the OAuth domain keeps between calls: the authorizations waiting to be finished and the
//! cancel flag of each, the deep-link flows waiting for their link, one refresh at a time per
//! connection, and the refresher's backoff for connections that keep failing.

use crate::oauth::connect::PendingFlow;
use crate::oauth::refresher::Backoff;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// Shared with the thread that forgets a flow nobody finished (see `connect::register_flow`).
pub(crate) type Shared<T> = Arc<Mutex<T>>;

#[derive(Default)]
pub(crate) struct OAuthState {
    /// Authorizations waiting for `finish_oauth`, by flow id.
    pub(crate) flows: Shared<HashMap<String, PendingFlow>>,
    /// The cancel flag of every open authorization, by flow id.
    pub(crate) cancels: Shared<HashMap<String, Arc<AtomicBool>>>,
    /// Deep-link flows waiting for their link, by `state`.
    pub(crate) deep_links: Shared<HashMap<String, std::sync::mpsc::Sender<url::Url>>>,
    /// One refresh at a time per connection.
    pub(crate) refresh_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    pub(crate) refresh_backoff: Backoff,
}
