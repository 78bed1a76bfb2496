//! `sgen-bench-connections`: issue 3's connection figures against the sandbox vendors on
//! loopback — creating a key connection (form check, keyring, test call, sealing, one
//! transaction), the test call itself (target p50 ≤ 10 ms), the OAuth loopback round trip
//! (authorize → callback → token, with the browser's part done over HTTP; target p50 ≤ 50 ms),
//! and the background refresher on N OAuth connections (target ≤ 5 s for 1,000).
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-connections -- [RUNS] [N]

mod site;
mod stats;

use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_core::{Core, FixedClock, SANDBOX_ENDPOINT};
use site::BenchSite;
use stats::{measure, percentile_ms};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args
        .next()
        .map_or(500, |a| a.parse().expect("RUNS is a number"));
    let oauth_connections: usize = args
        .next()
        .map_or(1_000, |a| a.parse().expect("N is a number"));
    let clock = Arc::new(FixedClock::new(chrono::Utc::now().timestamp_millis()));
    let site = BenchSite::open(clock.clone());
    let (core, scope) = (&site.core, &site.scope);
    let request = || site.brevo_account_request(0);
    // The first call starts the sandbox vendor; keep that out of the figures.
    let id = core
        .create_connection(scope, request())
        .expect("create")
        .row
        .record
        .id;

    println!("operation (sandbox vendor on loopback)          p50 ms   p95 ms   target");
    let created = measure(runs.min(200), |_| {
        core.create_connection(scope, request()).expect("create");
    });
    print_line("create a key connection (incl. test call)", &created, None);
    let tested = measure(runs, |_| {
        core.test_connection(&id).expect("test");
    });
    print_line("test call", &tested, Some(10.0));

    let round_trips = measure(oauth_connections, |_| connect_oauth(core, scope));
    print_line(
        "OAuth authorize → callback → token (+ test, store)",
        &round_trips,
        Some(50.0),
    );
    // Fifty minutes on, every token is within the refresh margin.
    clock.advance(50 * 60 * 1000);
    let started = Instant::now();
    let round = core.refresh_due(4).expect("refresh round");
    let took = started.elapsed().as_secs_f64();
    println!(
        "background refresh of {} OAuth connections: {took:.2} s on 4 threads ({} refreshed, {} failed); target ≤ 5 s for 1,000 {}",
        round.due,
        round.refreshed,
        round.failed,
        if took <= 5.0 * round.due as f64 / 1000.0 { "ok" } else { "MISSED" }
    );
}

/// One OAuth connection to the HubSpot sandbox vendor, the browser's part done over HTTP.
fn connect_oauth(core: &Core, scope: &SiteEnvironment) {
    let request = OAuthConnectRequest {
        connector_type: "hubspot".into(),
        display_name: "HubSpot (bench)".into(),
        scopes: Vec::new(),
        api_base_override: Some(SANDBOX_ENDPOINT.into()),
        oauth_server: None,
    };
    let started = core.begin_oauth(scope, request).expect("begin");
    std::thread::scope(|s| {
        let finishing = s.spawn(|| core.finish_oauth(&started.flow_id).expect("finish"));
        let url = url::Url::parse(&started.authorize_url).expect("url");
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        // The browser, which must not follow the vendor's redirect by itself: the core's
        // client follows none.
        let browser = sgen_core::kernel::http::client(sgen_core::kernel::http::TEST_TIMEOUT);
        let decide = started
            .authorize_url
            .split("/oauth/authorize")
            .next()
            .expect("base")
            .to_string()
            + "/oauth/decide";
        let answer = browser
            .post(&decide)
            .form(&[
                ("decision", "approve".to_string()),
                ("login", "bench@acme.example".to_string()),
                ("client_id", param("client_id")),
                ("redirect_uri", param("redirect_uri")),
                ("scope", param("scope")),
                ("state", param("state")),
                ("code_challenge", param("code_challenge")),
            ])
            .send()
            .expect("consent");
        let back = answer
            .headers()
            .get("location")
            .expect("redirect")
            .to_str()
            .expect("text");
        browser.get(back).send().expect("callback");
        finishing.join().expect("finish thread");
    })
}

fn print_line(name: &str, sorted: &[(std::time::Duration, usize)], p50_target: Option<f64>) {
    let p50 = percentile_ms(sorted, 0.5);
    let target = match p50_target {
        Some(t) if p50 <= t => format!("p50 ≤ {t} ms ok"),
        Some(t) => format!("p50 ≤ {t} ms MISSED"),
        None => "—".into(),
    };
    println!(
        "{name:<46} {p50:>7.2} {:>8.2}   {target}",
        percentile_ms(sorted, 0.95)
    );
}
