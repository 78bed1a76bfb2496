//! The core's OAuth client against a real authorization server written by others: the
//! `oidc-provider` package on loopback (tests/oauth/oidc-server.mjs), with its own sign-in and
//! consent pages, played by tests/e2e/fake-browser.py. Authorize → code → token → refresh
//! (rotation) → revoke, and a token endpoint that answers a redirect.

use super::live;
use sgen_core::connections::lifecycle::Revocation;
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::model::ConnectionState;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_store::connections::OAuthServer;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");

struct OidcServer {
    child: Child,
    addresses: serde_json::Value,
}

impl OidcServer {
    fn start() -> Self {
        let mut child = Command::new("node")
            .arg(format!("{ROOT}/tests/oauth/oidc-server.mjs"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs tests/oauth/oidc-server.mjs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines
            .next()
            .expect("the server printed its addresses")
            .unwrap();
        // Keep draining its output: a server whose stdout fills up stops.
        std::thread::spawn(move || lines.for_each(drop));
        OidcServer {
            child,
            addresses: serde_json::from_str(&first).unwrap(),
        }
    }

    fn get(&self, key: &str) -> String {
        self.addresses[key].as_str().unwrap().to_string()
    }

    fn server(&self) -> OAuthServer {
        OAuthServer {
            authorize_url: self.get("authorize_url"),
            token_url: self.get("token_url"),
            revoke_url: Some(self.get("revoke_url")),
            issuer: Some(self.get("issuer")),
            client_id: "sgen-desktop".into(),
        }
    }
}

impl Drop for OidcServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn salesforce(oidc: &OidcServer, server: OAuthServer) -> OAuthConnectRequest {
    OAuthConnectRequest {
        connector_type: "salesforce".into(),
        display_name: "Salesforce (oidc-provider)".into(),
        scopes: vec!["api".into()],
        api_base_override: Some(oidc.get("issuer")),
        oauth_server: Some(server),
    }
}

/// Runs the flow with the fake browser and returns what finish_oauth said.
fn authorize(
    core: &Arc<sgen_core::Core>,
    summary: &sgen_core::demo::DemoSummary,
    request: OAuthConnectRequest,
) -> sgen_core::CoreResult<sgen_core::connections::detail::ConnectionDetail> {
    let started = core.begin_oauth(&live(summary), request).unwrap();
    let finishing = {
        let core = core.clone();
        let flow = started.flow_id.clone();
        std::thread::spawn(move || core.finish_oauth(&flow))
    };
    let browser = Command::new(format!("{ROOT}/tests/e2e/fake-browser.py"))
        .arg(&started.authorize_url)
        .status()
        .unwrap();
    assert!(browser.success());
    finishing.join().unwrap()
}

#[test]
fn authorize_token_refresh_and_revoke_against_oidc_provider() {
    let (_dir, core, summary) = super::seeded(100);
    let core = Arc::new(core);
    let oidc = OidcServer::start();
    let detail = authorize(&core, &summary, salesforce(&oidc, oidc.server())).unwrap();
    let r = &detail.row.record;
    assert_eq!(r.state, ConnectionState::Active);
    assert_eq!(r.vendor_account_id.as_deref(), Some("org-ops@acme.example"));
    assert!(r.has_refresh_token);
    assert_eq!(r.oauth_server, Some(oidc.server()));

    // Twice: the second refresh only works with the rotated refresh token stored by the first.
    for _ in 0..2 {
        assert!(matches!(
            core.refresh_connection(&r.id).unwrap(),
            TestOutcome::Connected { .. }
        ));
    }
    assert_eq!(
        core.disconnect_connection(&r.id).unwrap(),
        Revocation::Revoked
    );
}

#[test]
fn a_token_endpoint_that_redirects_is_not_followed_and_nothing_is_stored() {
    let (_dir, core, summary) = super::seeded(100);
    let core = Arc::new(core);
    let oidc = OidcServer::start();
    // Where the redirect points: it must never be asked for anything.
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    let elsewhere_port = elsewhere.local_addr().unwrap().port();
    elsewhere.set_nonblocking(true).unwrap();
    let redirecting = TcpListener::bind("127.0.0.1:0").unwrap();
    let token_url = format!("http://{}/token", redirecting.local_addr().unwrap());
    let answered = Arc::new(AtomicUsize::new(0));
    {
        let answered = answered.clone();
        std::thread::spawn(move || {
            for mut stream in redirecting.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{elsewhere_port}/steal\r\nContent-Length: 0\r\n\r\n"
                );
                answered.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    let before = core
        .connections(&live(&summary), &Default::default())
        .unwrap()
        .total;
    let server = OAuthServer {
        token_url,
        ..oidc.server()
    };
    let err = authorize(&core, &summary, salesforce(&oidc, server)).unwrap_err();
    assert!(err.to_string().contains("redirect"), "{err}");
    assert_eq!(answered.load(Ordering::SeqCst), 1);
    assert!(elsewhere.accept().is_err(), "the redirect was followed");
    assert_eq!(
        core.connections(&live(&summary), &Default::default())
            .unwrap()
            .total,
        before
    );
}
