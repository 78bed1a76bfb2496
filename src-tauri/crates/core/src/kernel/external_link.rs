//! Which addresses the app hands to the system browser: https anywhere, and http only on this
//! computer (the sandbox vendors' consent pages, a test authorization server). Never `file:`,
//! `javascript:`, a network share or another app's scheme, whatever a manifest, a vendor or an
//! operator's server configuration says.

use crate::{CoreError, CoreResult};

pub fn check_openable(address: &str) -> CoreResult<url::Url> {
    let refused = || CoreError::invalid(format!("`{address}` is not a web address the app opens"));
    let url = url::Url::parse(address).map_err(|_| refused())?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if names_this_computer(&url) => Ok(url),
        _ => Err(refused()),
    }
}

/// Whether the URL's host is this computer, as written (a loopback address or `localhost`):
/// where plain http is allowed, since nothing crosses a network.
pub(crate) fn names_this_computer(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_and_loopback_http_are_opened() {
        for ok in [
            "https://developers.hubspot.com/docs/api/overview",
            "http://127.0.0.1:4567/oauth/authorize?state=x",
            "http://localhost:8080/authorize",
        ] {
            assert!(check_openable(ok).is_ok(), "{ok}");
        }
        for refused in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "smb://server/share",
            "sgen-integrations://callback/square",
            "http://example.com/login",
            "ftp://example.com/",
            "not a url",
        ] {
            let err = check_openable(refused).unwrap_err();
            assert_eq!(err.code(), "invalid_argument", "{refused}");
        }
    }
}
