//! The SSRF policy (SPEC §6) for every address the app sends an operator's data to: webhook
//! destinations, API-address overrides and vendor calls alike. Every address a name resolves
//! to is judged, so a name that points at this computer, the local network or a cloud metadata
//! service is refused. It is judged when a connection is made (`check_destination`) and again
//! on every new connection the HTTP clients open (`PolicyResolver`, their DNS resolver): the
//! client connects only to the addresses that were judged, so a name that re-resolves to
//! 127.0.0.1 later (DNS rebinding) is refused then too. Loopback and link-local addresses are
//! allowed on a site that runs on sandbox vendors (a demo, a support reproduction); an
//! Administrator's allow-list admits a host, private ranges included.

use crate::{CoreError, CoreResult};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// What a site permits beyond public addresses. Kept by the HTTP clients made for it, so a
/// change of allow-list is a different policy with clients of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Allowance {
    /// The site runs on sandbox vendors, whose receivers listen on this computer.
    pub(crate) sandbox_site: bool,
    /// Hosts an Administrator allow-listed (names or addresses), in lower case.
    allowed_hosts: Vec<String>,
}

/// Where an address points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Public,
    /// A private or shared range: another machine on the operator's own network.
    Private,
    /// This computer, a link-local neighbour, a metadata service, or no host at all.
    Forbidden(&'static str),
}

impl Allowance {
    pub(crate) fn new(sandbox_site: bool, allowed_hosts: &[String]) -> Self {
        let mut allowed_hosts: Vec<String> = allowed_hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        allowed_hosts.sort();
        allowed_hosts.dedup();
        Self {
            sandbox_site,
            allowed_hosts,
        }
    }

    fn admits_host(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    }

    /// Whether `host` may be reached at `ip`; the refusal says why, in words for the operator.
    fn judge(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        if self.admits_host(host) {
            return Ok(());
        }
        match reach(ip) {
            Reach::Public => Ok(()),
            Reach::Forbidden(_) if self.sandbox_site => Ok(()),
            Reach::Forbidden(what) => Err(format!(
                "the destination `{host}` is {what} ({ip}); requests may only go there on a sandbox site, or once an Administrator allow-lists the host"
            )),
            Reach::Private => Err(format!(
                "the destination `{host}` is on a private network ({ip}); an Administrator must allow-list the host first"
            )),
        }
    }

    /// Refuses a URL whose host is an address this policy does not allow. A name passes here:
    /// the client's resolver judges what it resolves to (an address is never resolved, so it
    /// is judged now).
    pub(crate) fn check_address_in(&self, url: &reqwest::Url) -> CoreResult<()> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        self.judge(&ip.to_string(), ip)
            .map_err(CoreError::DestinationRefused)
    }
}

/// Refuses `url` unless every address it resolves to is allowed (when a connection is made,
/// so the operator hears at once; every send is judged again by the clients' resolver).
pub(crate) fn check_destination(url: &str, allowance: &Allowance) -> CoreResult<()> {
    let parsed =
        url::Url::parse(url).map_err(|_| CoreError::invalid(format!("`{url}` is not a URL")))?;
    let host = parsed
        .host()
        .ok_or_else(|| CoreError::invalid(format!("`{url}` has no host")))?;
    let (host_text, addresses): (String, Vec<IpAddr>) = match host {
        url::Host::Ipv4(ip) => (ip.to_string(), vec![IpAddr::V4(ip)]),
        url::Host::Ipv6(ip) => (ip.to_string(), vec![IpAddr::V6(ip)]),
        url::Host::Domain(name) if allowance.admits_host(name) => return Ok(()),
        url::Host::Domain(name) => {
            let port = parsed.port_or_known_default().unwrap_or(443);
            let resolved = (name, port).to_socket_addrs().map_err(|e| {
                CoreError::invalid(format!(
                    "the destination host `{name}` cannot be resolved: {e}"
                ))
            })?;
            (name.to_string(), resolved.map(|a| a.ip()).collect())
        }
    };
    for ip in addresses {
        allowance
            .judge(&host_text, ip)
            .map_err(CoreError::DestinationRefused)?;
    }
    Ok(())
}

/// The HTTP clients' DNS resolver under a policy: it resolves with the system, judges every
/// address, and hands the client only those, so the client connects to what was judged.
pub(crate) struct PolicyResolver(pub(crate) Allowance);

/// A refusal by the resolver, found again in the client's error (`kernel::http::no_answer`).
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowance = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for address in &addresses {
                allowance.judge(&host, address.ip()).map_err(Refused)?;
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => reach_v4(v4),
        IpAddr::V6(v6) => reach_v6(v6),
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, d] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        Reach::Forbidden("no host (an unspecified address)")
    } else if ip.is_loopback() {
        Reach::Forbidden("this computer (loopback)")
    } else if ip.is_link_local() {
        // 169.254.169.254 is the metadata service of most clouds.
        Reach::Forbidden("a link-local or cloud metadata address")
    } else if [a, b, c, d] == [100, 100, 100, 200] || [a, b, c, d] == [192, 0, 0, 192] {
        Reach::Forbidden("a cloud metadata address")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Reach::Forbidden("not a single host (multicast, broadcast or reserved)")
    } else if ip.is_private()
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b & 0xfe) == 18)
    {
        Reach::Private
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    // An IPv4 address in IPv6 clothing is judged as the IPv4 address it carries.
    if let Some(v4) = embedded_v4(ip) {
        return reach_v4(v4);
    }
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Reach::Forbidden("no host (an unspecified address)")
    } else if ip.is_loopback() {
        Reach::Forbidden("this computer (loopback)")
    } else if (first & 0xffc0) == 0xfe80 {
        Reach::Forbidden("a link-local address")
    } else if ip.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] {
        Reach::Forbidden("a cloud metadata address")
    } else if ip.is_multicast() {
        Reach::Forbidden("not a single host (multicast)")
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfec0 {
        Reach::Private
    } else {
        Reach::Public
    }
}

/// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and
/// 6to4 (`2002:AABB:CCDD::/48`) addresses reach the IPv4 address inside them.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(tail()),
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(tail()),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail()),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Allowance {
        Allowance::new(false, &[])
    }

    fn refused(url: &str) -> bool {
        check_destination(url, &none()).is_err()
    }

    #[test]
    fn this_computer_link_local_metadata_and_unspecified_are_refused_in_every_spelling() {
        for url in [
            "https://127.0.0.1/hook",
            "https://127.1.2.3/hook",
            "https://2130706433/hook",
            "https://0x7f.0.0.1/hook",
            "https://0177.0.0.1/hook",
            "https://localhost/hook",
            "https://[::1]/hook",
            "https://0.0.0.0/hook",
            "https://[::]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[fe80::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:169.254.169.254]/hook",
            "https://[::ffff:7f00:1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook",
            "https://[2002:7f00:1::]/hook",
            "https://[fd00:ec2::254]/hook",
            "https://100.100.100.200/hook",
            "https://224.0.0.1/hook",
            "https://255.255.255.255/hook",
        ] {
            assert!(refused(url), "{url} was allowed");
        }
    }

    #[test]
    fn private_ranges_need_the_allow_list() {
        for url in [
            "https://10.0.0.5/hook",
            "https://172.16.9.1/hook",
            "https://192.168.1.20/hook",
            "https://100.64.0.1/hook",
            "https://[fd12:3456::1]/hook",
            "https://[::ffff:10.1.2.3]/hook",
        ] {
            assert!(refused(url), "{url} was allowed");
        }
        let allowed = Allowance::new(false, &["192.168.1.20".to_string()]);
        assert!(check_destination("https://192.168.1.20/hook", &allowed).is_ok());
        assert!(check_destination("https://192.168.1.21/hook", &allowed).is_err());
    }

    #[test]
    fn a_sandbox_site_may_use_this_computer_but_not_the_local_network() {
        let sandbox = Allowance::new(true, &[]);
        assert!(check_destination("http://127.0.0.1:4000/hook", &sandbox).is_ok());
        assert!(check_destination("https://localhost/hook", &sandbox).is_ok());
        assert!(check_destination("https://10.0.0.5/hook", &sandbox).is_err());
    }

    #[test]
    fn public_addresses_pass_and_the_error_names_the_reason() {
        assert!(check_destination("https://93.184.215.14/hook", &none()).is_ok());
        assert!(check_destination("https://[2606:4700::1111]/hook", &none()).is_ok());
        let err = check_destination("https://169.254.169.254/", &none()).unwrap_err();
        assert!(err.to_string().contains("metadata"), "{err}");
        let err = check_destination("https://no-such-host.invalid/hook", &none()).unwrap_err();
        assert!(err.to_string().contains("cannot be resolved"), "{err}");
    }
}
