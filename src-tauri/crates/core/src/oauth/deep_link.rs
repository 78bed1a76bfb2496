//! The deep-link return path, for vendors that refuse loopback redirect URIs (Square): the
//! browser is sent to `sgen-integrations://callback/{slug}?…`, the OS hands that address to the
//! app (the single-instance plugin forwards it to the running one), and the shell passes it to
//! the core, which routes it by `state` to the one flow waiting for it. Anything else that
//! arrives is ignored and the flow waits on, as at the loopback listener.

use super::callback::{Awaited, Callback, Verdict};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// The URL scheme the app registers with the OS.
pub const DEEP_LINK_SCHEME: &str = "sgen-integrations";

pub(crate) struct DeepLinkReturn {
    pub(crate) slug: String,
    pub(crate) links: Receiver<url::Url>,
}

impl DeepLinkReturn {
    pub(crate) fn redirect_uri(&self) -> String {
        format!("{DEEP_LINK_SCHEME}://callback/{}", self.slug)
    }

    pub(crate) fn wait(self, awaited: &Awaited<'_>) -> Callback {
        loop {
            if let Some(ended) = awaited.given_up() {
                return ended;
            }
            match self.links.recv_timeout(Duration::from_millis(50)) {
                Ok(url) if self.is_route(&url) => {
                    if let Verdict::Ends(ended) = awaited.judge(&url) {
                        return ended;
                    }
                }
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Callback::Cancelled,
            }
        }
    }

    /// `sgen-integrations://callback/{slug}`: the host is `callback`, the path the connector.
    fn is_route(&self, url: &url::Url) -> bool {
        url.scheme() == DEEP_LINK_SCHEME
            && url.host_str() == Some("callback")
            && url.path() == format!("/{}", self.slug)
    }
}
