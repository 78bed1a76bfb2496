//! The deep-link return path, for vendors that refuse loopback redirect URIs (Square): the
//! browser is sent to `sgen-integrations://callback/{slug}?…`, the OS hands that address to the
//! app (the single-instance plugin forwards it to the running one), and the shell passes it to
//! the core, which routes it by `state` to the one flow waiting for it. Anything else that
//! arrives is ignored and the flow waits on, as at the loopback listener.

use super::callback::{Awaited, Callback, Verdict};
use crate::{CoreError, CoreResult};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// The URL scheme the app registers with the OS.
pub const DEEP_LINK_SCHEME: &str = "sgen-integrations";

/// A link the OS handed the app, and the `state` that routes it to its flow ("" when it has
/// none, which routes it nowhere).
pub(crate) fn parse(link: &str) -> CoreResult<(url::Url, String)> {
    let url = url::Url::parse(link)
        .ok()
        .filter(|u| u.scheme() == DEEP_LINK_SCHEME)
        .ok_or_else(|| CoreError::invalid(format!("not a {DEEP_LINK_SCHEME}: link")))?;
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok((url, state))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::atomic::AtomicBool;
    use std::time::Instant;

    const STATE: &str = "Qm9ndXNTdGF0ZV9vZl90aGVfZmxvdw";
    const ISSUER: &str = "https://squareup.com";

    /// Links of every shape: any text, and app links to any route with any parameters, the
    /// flow's state and issuer among the candidates, percent-encoded or not.
    fn links() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            Just(STATE.to_string()),
            Just(ISSUER.to_string()),
            Just(format!("{STATE}%00")),
            Just("https%3A%2F%2Fsquareup.com".to_string()),
            ".{0,40}",
            "[A-Za-z0-9%+&=#?/._-]{0,40}",
        ];
        let pair = (
            prop_oneof![
                Just("state"),
                Just("iss"),
                Just("code"),
                Just("error"),
                Just("st%61te"),
                Just("STATE"),
            ],
            value,
        );
        let structured = (
            prop_oneof![
                Just("sgen-integrations://callback/square"),
                Just("sgen-integrations://callback/other"),
                Just("sgen-integrations://Callback/square/"),
                Just("sgen-integrations:callback/square"),
                Just("https://callback/square"),
            ],
            prop::collection::vec(pair, 0..6),
            ".{0,12}",
        )
            .prop_map(|(route, pairs, tail)| {
                let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{route}?{}{tail}", query.join("&"))
            });
        prop_oneof![".{0,200}", structured]
    }

    fn param(url: &url::Url, name: &str) -> Option<String> {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    proptest! {
        /// Whatever arrives, parsing it and judging it never panics, and it ends the flow only
        /// when it carries the flow's own state, to the flow's own route, from its issuer.
        #[test]
        fn fuzz_app_links_end_a_flow_only_with_its_state_and_issuer(link in links()) {
            let Ok((url, state)) = parse(&link) else {
                return Ok(());
            };
            if ends_the_flow(&url) {
                prop_assert_eq!(state.as_str(), STATE);
                let issuer = param(&url, "iss");
                prop_assert_eq!(issuer.as_deref(), Some(ISSUER));
                prop_assert_eq!(url.path(), "/square");
            }
        }
    }

    fn ends_the_flow(url: &url::Url) -> bool {
        let (_sender, receiver) = std::sync::mpsc::channel();
        let route = DeepLinkReturn {
            slug: "square".into(),
            links: receiver,
        };
        let cancelled = AtomicBool::new(false);
        let awaited = Awaited {
            state: STATE,
            issuer: Some(ISSUER),
            deadline: Instant::now(),
            cancelled: &cancelled,
        };
        route.is_route(url) && matches!(awaited.judge(url), Verdict::Ends(_))
    }

    /// The property above is not vacuous: the flow's own link does end it.
    #[test]
    fn the_flows_own_link_ends_it() {
        let link = format!(
            "sgen-integrations://callback/square?code=c&state={STATE}&iss=https%3A%2F%2Fsquareup.com"
        );
        assert!(ends_the_flow(&parse(&link).unwrap().0));
    }
}
