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
    pub(crate) fn inbound_host_allowed(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        if LOOPBACK_NAMES.contains(&name.as_str()) {
            return true;
        }
        match self.public_hosts() {
            Ok(hosts) => hosts.contains(&name),
            Err(e) => {
                tracing::warn!(error = %e, "public hosts unreadable; only loopback allowed");
                false
            }
        }
    }

    fn public_hosts(&self) -> CoreResult<HashSet<String>> {
        let cache = &self.inbound.public_hosts;
        if let Some((read_at, hosts)) = &*cache.read.lock().expect("public hosts") {
            if read_at.elapsed() < FRESH_FOR {
                return Ok(hosts.clone());
            }
        }
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
        *cache.read.lock().expect("public hosts") = Some((Instant::now(), hosts.clone()));
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
