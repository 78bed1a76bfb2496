//! `sgen-bench-deliveries`: the delivery engine end to end against a sandbox vendor on loopback
//! that answers 200 at once — N events queued, then delivery passes until none is due, every
//! attempt durably logged. Prints deliveries per second and CPU time per delivery. Issue 4's
//! target is ≥ 2,000/s on this 2-core machine; this measures where the engine stands.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-deliveries -- [N]

use sgen_core::demo::DemoOptions;
use sgen_core::lifecycle::NewConnectionRequest;
use sgen_core::model::EnvironmentName;
use sgen_core::outbound::{OutboundEvent, DELIVERIES_PER_PASS};
use sgen_core::sites::Scope;
use sgen_core::{Access, Core, CoreConfig, Secret, SANDBOX_ENDPOINT};
use std::collections::BTreeMap;
use std::time::Instant;

/// CPU time this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .map_or(20_000, |a| a.parse().expect("N is a number"));
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
    let key = core
        .catalog()
        .get("brevo")
        .and_then(|m| m.credential_fields.first())
        .map(|f| f.example.clone())
        .expect("brevo key");
    let id = core
        .create_connection(
            &scope,
            NewConnectionRequest {
                connector_type: "brevo".into(),
                display_name: "Brevo (bench)".into(),
                auth_flow: "api_key".into(),
                fields: BTreeMap::from([("api_key".to_string(), Secret::new(key))]),
                api_base_override: Some(SANDBOX_ENDPOINT.into()),
            },
        )
        .expect("connect")
        .row
        .record
        .id;

    let started = Instant::now();
    for i in 0..n {
        let event = OutboundEvent {
            originating_module: "bench".into(),
            event_identifier: format!("bench.event {i}"),
            payload: serde_json::json!({"templateId": 1, "params": {"n": i}}),
        };
        core.send_event(&id, "send_transactional_email", event)
            .expect("queue");
    }
    let queued_s = started.elapsed().as_secs_f64();
    let (cpu_before, started) = (cpu_seconds(), Instant::now());
    let mut delivered = 0;
    loop {
        let round = core.deliver_due(DELIVERIES_PER_PASS).expect("deliver");
        delivered += round.delivered;
        if round.attempted == 0 {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    println!(
        "queued {n} events in {queued_s:.2} s ({:.0}/s)",
        f64::from(n) / queued_s
    );
    println!(
        "delivered {delivered} in {secs:.2} s: {:.0} deliveries/s, {:.0} µs CPU per delivery (this process, sandbox included); target ≥ 2,000/s",
        f64::from(delivered) / secs,
        cpu * 1e6 / f64::from(delivered.max(1))
    );
}
