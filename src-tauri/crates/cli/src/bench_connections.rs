//! `sgen-bench-connections`: issue 3's connection figures against the sandbox vendors on
//! loopback — creating a key connection (form check, keyring, test call, sealing, one
//! transaction) and the test call itself, p50 against the target of ≤ 10 ms. Site keys are in
//! keyring-core's mock store, so the OS keyring's own latency is not in these figures.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-connections -- [RUNS]

mod bench_stats;

use bench_stats::{measure, percentile_ms};
use sgen_core::demo::DemoOptions;
use sgen_core::lifecycle::NewConnectionRequest;
use sgen_core::model::EnvironmentName;
use sgen_core::sites::Scope;
use sgen_core::{Access, Core, CoreConfig, Secret, SANDBOX_ENDPOINT};
use std::collections::BTreeMap;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map_or(500, |a| a.parse().expect("RUNS is a number"));
    let dir = tempfile::tempdir().expect("temp dir");
    let core = Core::open(CoreConfig {
        credential_store: Some(keyring_core::mock::Store::new().expect("mock store")),
        ..CoreConfig::new(dir.path(), Access::ReadWrite)
    })
    .expect("open");
    let site_id = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: 1_000,
                ..DemoOptions::default()
            },
            |_, _| {},
        )
        .expect("seed")
        .site_id;
    let scope = Scope {
        site_id,
        environment: EnvironmentName::Live,
    };
    let example = core
        .catalog()
        .get("brevo")
        .and_then(|m| m.credential_fields.first())
        .map(|f| f.example.clone())
        .expect("brevo has an API key field");
    let request = || NewConnectionRequest {
        connector_type: "brevo".into(),
        display_name: "Brevo (bench)".into(),
        auth_flow: "api_key".into(),
        fields: BTreeMap::from([("api_key".to_string(), Secret::new(&example))]),
        api_base_override: Some(SANDBOX_ENDPOINT.into()),
    };
    // The first call starts the sandbox vendor; keep that out of the figures.
    let id = core
        .create_connection(&scope, request())
        .expect("create")
        .row
        .record
        .id;

    println!("operation (sandbox vendor on loopback)          p50 ms   p95 ms   target");
    let created = measure(runs.min(200), |_| {
        core.create_connection(&scope, request()).expect("create");
    });
    print_line("create a key connection (incl. test call)", &created, None);
    let tested = measure(runs, |_| {
        core.test_connection(&id).expect("test");
    });
    print_line("test call", &tested, Some(10.0));
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
