//! Webhook destinations under the SSRF policy, on a site of the operator's own (not a demo):
//! this computer is refused however it is spelled until an Administrator allow-lists the host,
//! and a destination that answers with a redirect has the 3xx recorded, its target never
//! contacted. Only an Administrator changes these delivery settings.

use super::signed_token::webhook;
use super::{live, seeded};
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::model::EnvironmentName;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A webhook connection request whose calls go to `url` itself.
fn webhook_to(url: &str) -> NewConnectionRequest {
    NewConnectionRequest {
        api_base_override: None,
        ..webhook(url)
    }
}

/// A webhook connection on `scope` whose calls go to `receiver` (its test message must be
/// accepted); its id.
fn webhook_at(core: &sgen_core::Core, scope: &SiteEnvironment, receiver: &str) -> String {
    let request = NewConnectionRequest {
        api_base_override: Some(receiver.to_string()),
        ..webhook_to("https://93.184.215.14/hook")
    };
    let issued = core.begin_signed_token(scope, request).unwrap();
    core.finish_signed_token(&issued.pending_id)
        .unwrap()
        .row
        .record
        .id
}

/// A loopback HTTP server answering each request with `answer(n)` (n counts from 0), as raw
/// status line and headers; returns its address and how many requests it has seen.
fn serve(answer: impl Fn(usize) -> String + Send + Sync + 'static) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        // A thread per connection: clients keep connections open between requests.
        for stream in listener.incoming().flatten() {
            let (counter, answer) = (counter.clone(), answer.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    let mut lines = 0;
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        lines += 1;
                        line.clear();
                    }
                    if lines == 0 {
                        break;
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        break;
                    }
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let response = format!("{}\r\ncontent-length: 0\r\n\r\n", answer(n));
                    if reader.get_mut().write_all(response.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (address, seen)
}

#[test]
fn this_computer_is_refused_on_a_real_site_until_an_administrator_allow_lists_it() {
    let (_dir, core, _summary) = seeded(10);
    let site = core
        .create_site("Northwind Goods", "northwind.example")
        .unwrap();
    assert!(!site.demo);
    let scope = SiteEnvironment {
        site_id: site.id,
        environment: EnvironmentName::Live,
    };
    let (receiver, seen) = serve(|_| "HTTP/1.1 204 No Content".into());
    let port = receiver.rsplit(':').next().unwrap().to_string();
    for url in [
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://localhost:{port}/hook"),
        format!("https://[::ffff:127.0.0.1]:{port}/hook"),
        format!("https://2130706433:{port}/hook"),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://0.0.0.0/hook".to_string(),
        "https://10.1.2.3/hook".to_string(),
    ] {
        let refused = core
            .begin_signed_token(&scope, webhook_to(&url))
            .unwrap_err();
        assert_eq!(refused.code(), "destination_refused", "{url}: {refused}");
    }
    // An API address override is where the calls go, so it is judged too.
    let through_override = NewConnectionRequest {
        api_base_override: Some(receiver.clone()),
        ..webhook_to("https://93.184.215.14/hook")
    };
    let refused = core
        .begin_signed_token(&scope, through_override.clone())
        .unwrap_err();
    assert_eq!(refused.code(), "destination_refused");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "nothing was sent to a refused address"
    );

    let hosts = core
        .set_outbound_allow_list(&scope, vec![" 127.0.0.1 ".into(), "127.0.0.1".into()])
        .unwrap();
    assert_eq!(hosts, ["127.0.0.1"]);
    assert_eq!(core.outbound_allow_list(&scope.site_id).unwrap(), hosts);
    let issued = core.begin_signed_token(&scope, through_override).unwrap();
    let detail = core.finish_signed_token(&issued.pending_id).unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the test message");
    assert_eq!(detail.row.record.connector_type, "webhook");

    let bad = core.set_outbound_allow_list(&scope, vec!["https://x.example/path".into()]);
    assert_eq!(bad.unwrap_err().code(), "invalid_argument");
}

#[test]
fn a_redirect_is_recorded_and_never_followed() {
    let (_dir, core, summary) = seeded(10);
    let (target, target_seen) = serve(|_| "HTTP/1.1 200 OK".into());
    // The test message is accepted; every later request is sent elsewhere.
    let location = format!("{target}/elsewhere");
    let (receiver, _) = serve(move |n| match n {
        0 => "HTTP/1.1 204 No Content".into(),
        _ => format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}"),
    });
    // The demo site runs on sandbox vendors, so a loopback receiver is allowed.
    let id = webhook_at(&core, &live(&summary), &receiver);
    let event = sgen_core::delivery::enqueue::OutboundEvent {
        originating_module: "commerce".into(),
        event_identifier: "order.paid ord_7".into(),
        payload: serde_json::json!({"type": "order.paid"}),
    };
    core.send_event(&id, "post_event", event).unwrap();
    let round = core.deliver_due(10).unwrap();
    assert_eq!((round.attempted, round.retrying), (1, 1));
    let page = core
        .deliveries(
            &live(&summary),
            &sgen_core::delivery::log::DeliveryQuery {
                connection_id: Some(id),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.rows[0].vendor_response_code, Some(307));
    assert_eq!(page.rows[0].outcome.as_str(), "retried");
    assert_eq!(target_seen.load(Ordering::SeqCst), 0);
}

#[test]
fn slow_destinations_are_in_flight_together_up_to_each_ones_cap() {
    const CONNECTIONS: usize = 5;
    // The worker's cap per connection: this many, times five, in flight at once.
    const EACH: usize = 8;
    let (_dir, core, summary) = seeded(10);
    // The receiver holds every delivery until all forty are open at once, which only a worker
    // bounded by its per-connection cap (not by a pool of sixteen senders) reaches; if they
    // never are, each answers 503 after a while and the assertion below fails.
    let gate = Arc::new((std::sync::Mutex::new(0usize), std::sync::Condvar::new()));
    let (receiver, _) = serve(move |n| {
        if n < CONNECTIONS {
            return "HTTP/1.1 204 No Content".into(); // the test messages
        }
        let (arrived, all_here) = &*gate;
        let mut arrived = arrived.lock().unwrap();
        *arrived += 1;
        all_here.notify_all();
        let (arrived, _) = all_here
            .wait_timeout_while(arrived, std::time::Duration::from_secs(20), |a| {
                *a < CONNECTIONS * EACH
            })
            .unwrap();
        if *arrived >= CONNECTIONS * EACH {
            "HTTP/1.1 204 No Content".into()
        } else {
            "HTTP/1.1 503 Service Unavailable".into()
        }
    });
    for c in 0..CONNECTIONS {
        let id = webhook_at(&core, &live(&summary), &receiver);
        for e in 0..EACH {
            let event = sgen_core::delivery::enqueue::OutboundEvent {
                originating_module: "commerce".into(),
                event_identifier: format!("order.paid ord_{c}_{e}"),
                payload: serde_json::json!({"type": "order.paid"}),
            };
            core.send_event(&id, "post_event", event).unwrap();
        }
    }
    let round = core.deliver_due(100).unwrap();
    assert_eq!(
        (round.attempted, round.delivered),
        ((CONNECTIONS * EACH) as u32, (CONNECTIONS * EACH) as u32)
    );
}

/// A real (not demo) site of the operator's own, in its live environment.
fn own_site(core: &sgen_core::Core) -> SiteEnvironment {
    let site = core
        .create_site("Northwind Goods", "northwind.example")
        .unwrap();
    SiteEnvironment {
        site_id: site.id,
        environment: EnvironmentName::Live,
    }
}

fn order(n: u32) -> sgen_core::delivery::enqueue::OutboundEvent {
    sgen_core::delivery::enqueue::OutboundEvent {
        originating_module: "commerce".into(),
        event_identifier: format!("order.paid ord_{n}"),
        payload: serde_json::json!({"type": "order.paid"}),
    }
}

#[test]
fn every_send_is_judged_again_so_a_host_taken_off_the_allow_list_gets_nothing() {
    let (_dir, core, _summary) = seeded(10);
    let scope = own_site(&core);
    let (receiver, seen) = serve(|_| "HTTP/1.1 204 No Content".into());
    let port = receiver.rsplit(':').next().unwrap().to_string();
    // By name, the clients' resolver judges what `localhost` resolves to when a connection is
    // opened; an address is judged before the request is made.
    for host in ["localhost", "127.0.0.1"] {
        core.set_outbound_allow_list(&scope, vec![host.into()])
            .unwrap();
        let id = webhook_at(&core, &scope, &format!("http://{host}:{port}"));
        core.send_event(&id, "post_event", order(1)).unwrap();
        assert_eq!(core.deliver_due(10).unwrap().delivered, 1, "{host}");
        let reached = seen.load(Ordering::SeqCst);

        core.set_outbound_allow_list(&scope, vec![]).unwrap();
        core.send_event(&id, "post_event", order(2)).unwrap();
        let round = core.deliver_due(10).unwrap();
        assert_eq!((round.attempted, round.delivered), (1, 0), "{host}");
        assert_eq!(seen.load(Ordering::SeqCst), reached, "{host} got a request");
        let page = core
            .deliveries(
                &scope,
                &sgen_core::delivery::log::DeliveryQuery {
                    connection_id: Some(id),
                    ..Default::default()
                },
            )
            .unwrap();
        let why = page.rows[0].error_class.clone().unwrap_or_default();
        assert!(why.starts_with("destination_refused: "), "{host}: {why}");
        assert!(why.contains("loopback"), "{host}: {why}");
    }
}

#[test]
fn api_addresses_and_other_authorization_servers_are_judged_when_given() {
    let (_dir, core, _summary) = seeded(10);
    let scope = own_site(&core);
    let (receiver, seen) = serve(|_| "HTTP/1.1 200 OK".into());
    let brevo = NewConnectionRequest {
        connector_type: "brevo".into(),
        display_name: "Brevo (a test server)".into(),
        auth_flow: "api_key".into(),
        fields: std::collections::BTreeMap::from([(
            "api_key".to_string(),
            sgen_core::Secret::new(format!("xkeysib-{}-AbCdEfGhIjKlMnOp", "a".repeat(64))),
        )]),
        api_base_override: Some(receiver.clone()),
    };
    let refused = core.create_connection(&scope, brevo).unwrap_err();
    assert_eq!(refused.code(), "destination_refused", "{refused}");

    let server = sgen_core::OAuthServer {
        authorize_url: "https://93.184.215.14/authorize".into(),
        token_url: format!("{receiver}/token"),
        revoke_url: None,
        issuer: None,
        client_id: "sgen".into(),
    };
    let request = sgen_core::oauth::connect::OAuthConnectRequest {
        connector_type: "salesforce".into(),
        display_name: "Salesforce (another server)".into(),
        scopes: vec![],
        api_base_override: Some("https://na1.salesforce.example".into()),
        oauth_server: Some(server),
    };
    let refused = core.begin_oauth(&scope, request).unwrap_err();
    assert_eq!(refused.code(), "destination_refused", "{refused}");
    assert_eq!(seen.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[test]
fn only_an_administrator_changes_delivery_settings() {
    let (_dir, core, summary) = seeded(10);
    let scope = live(&summary);
    // Riley, the demo's Viewer, becomes the acting operator.
    core.switch_operator("Riley Chen", None).unwrap();
    assert_eq!(core.acting_operator().unwrap().name, "Riley Chen");
    let refusals = [
        core.set_outbound_allow_list(&scope, vec!["10.0.0.7".into()])
            .unwrap_err(),
        core.set_retry_schedule(vec![0, 5]).unwrap_err(),
        core.set_delivery_log_retention_days(30).unwrap_err(),
        core.create_site("Mine", "mine.example").unwrap_err(),
    ];
    for refused in refusals {
        assert_eq!(refused.code(), "permission_denied", "{refused}");
        assert!(
            refused.to_string().contains(
                "needs the `manage_settings` capability, which Riley Chen (Viewer) does not have"
            ),
            "{refused}"
        );
    }
    assert!(core.outbound_allow_list(&scope.site_id).unwrap().is_empty());
    assert_eq!(core.delivery_log_retention_days().unwrap(), 90);
}
