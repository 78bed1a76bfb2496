//! Judging a redirect back from the authorization server, however it arrives (the loopback
//! listener or a deep link): it must carry the flow's `state` and, when the server names
//! itself, its issuer (RFC 9207); then it holds a code or the server's refusal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The callback a flow waits for, and until when.
pub(crate) struct Awaited<'a> {
    pub(crate) state: &'a str,
    /// The `iss` the callback must carry, when the server sends one.
    pub(crate) issuer: Option<&'a str>,
    pub(crate) deadline: Instant,
    pub(crate) cancelled: &'a AtomicBool,
}

impl Awaited<'_> {
    /// How the wait ends without a callback: cancelled, or out of time.
    pub(crate) fn given_up(&self) -> Option<Callback> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Some(Callback::Cancelled);
        }
        (Instant::now() >= self.deadline).then_some(Callback::TimedOut)
    }

    pub(crate) fn judge(&self, url: &url::Url) -> Verdict {
        judge(url, self.state, self.issuer)
    }
}

/// How a flow ended at its return path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Callback {
    Code(String),
    /// The vendor sent the person back with an error (`access_denied` when they said no).
    Refused(String),
    Cancelled,
    TimedOut,
}

/// What one redirect says about the flow waiting for it.
pub(crate) enum Verdict {
    /// Not this flow's (another `state`, or replayed after it ended): ignored, the flow waits on.
    WrongState,
    /// From another server than the one asked (a mix-up attack): ignored, the flow waits on.
    WrongIssuer,
    /// Neither a code nor an error.
    Incomplete,
    Ends(Callback),
}

fn judge(url: &url::Url, state: &str, issuer: Option<&str>) -> Verdict {
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        return Verdict::WrongState;
    }
    if issuer.is_some_and(|expected| param("iss").as_deref() != Some(expected)) {
        return Verdict::WrongIssuer;
    }
    if let Some(error) = param("error") {
        return Verdict::Ends(Callback::Refused(error));
    }
    match param("code") {
        Some(code) => Verdict::Ends(Callback::Code(code)),
        None => Verdict::Incomplete,
    }
}
