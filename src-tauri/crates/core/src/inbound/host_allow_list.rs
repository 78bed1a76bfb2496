//! Which `Host` a request to the listener may name: this computer by its loopback names, or
//! the host of a public address an operator gave for an event source (a tunnel forwards the
//! vendor's request with it). Anything else is a page in a browser reaching the listener
//! through a DNS name that resolves to 127.0.0.1, and is refused.

use crate::{Core, CoreError, CoreResult};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];
/// Public addresses are read again after this long.
const FRESH_FOR: Duration = Duration::from_secs(2);

#[derive(Default)]
pub(super) struct PublicHosts {
    read: Mutex<Option<(Instant, HashSet<String>)>>,
}

impl PublicHosts {
    pub(super) fn forget(&self) {
        *self.read.lock().expect("public hosts") = None;
    }
}

impl Core {
    /// Whether `host` may be named, when that is known without reading the database (a
    /// loopback name, or public addresses read moments ago); None when they must be read.
    pub(crate) fn inbound_host_allowed_from_memory(&self, host: &str) -> Option<bool> {
        let name = host_name(host).to_ascii_lowercase();
        if LOOPBACK_NAMES.contains(&name.as_str()) {
            return Some(true);
        }
        let cached = self.inbound.public_hosts.read.lock().expect("public hosts");
        let (read_at, hosts) = cached.as_ref()?;
        (read_at.elapsed() < FRESH_FOR).then(|| hosts.contains(&name))
    }

    /// Whether `host` may be named; reads the public addresses when they are not fresh (it
    /// blocks: not on the listener's own threads).
    pub(crate) fn inbound_host_allowed(&self, host: &str) -> bool {
        if let Some(allowed) = self.inbound_host_allowed_from_memory(host) {
            return allowed;
        }
        let name = host_name(host).to_ascii_lowercase();
        match self.public_hosts() {
            Ok(hosts) => hosts.contains(&name),
            Err(e) => {
                tracing::warn!(error = %e, "public hosts unreadable; only loopback allowed");
                false
            }
        }
    }

    /// Reads the public addresses' hosts, and keeps them for `FRESH_FOR`.
    fn public_hosts(&self) -> CoreResult<HashSet<String>> {
        let urls = self
            .store
            .read(|conn| Ok::<_, CoreError>(sgen_store::event_sources::public_urls(conn)?))?;
        let hosts: HashSet<String> = urls
            .iter()
            .filter_map(|u| {
                url::Url::parse(u)
                    .ok()?
                    .host_str()
                    .map(str::to_ascii_lowercase)
            })
            .collect();
        *self.inbound.public_hosts.read.lock().expect("public hosts") =
            Some((Instant::now(), hosts.clone()));
        Ok(hosts)
    }
}

/// `name:port` without the port (an IPv6 literal keeps its brackets).
fn host_name(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if !name.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && !name.ends_with(':') =>
        {
            name
        }
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_port_is_not_part_of_the_name() {
        assert_eq!(super::host_name("127.0.0.1:47615"), "127.0.0.1");
        assert_eq!(super::host_name("[::1]:80"), "[::1]");
        assert_eq!(super::host_name("hooks.example.com"), "hooks.example.com");
        assert_eq!(super::host_name("localhost"), "localhost");
    }
}
