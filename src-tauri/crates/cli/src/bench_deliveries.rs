//! `sgen-bench-deliveries`: the delivery engine end to end against a sandbox vendor on loopback
//! that answers 200 at once — N events queued, then delivery passes until none is due, every
//! attempt durably logged. Prints deliveries per second and CPU time per delivery. Issue 4's
//! target is ≥ 2,000/s on this 2-core machine; this measures where the engine stands.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-deliveries -- [N]

mod bench_site;

use bench_site::BenchSite;
use sgen_core::outbound::{OutboundEvent, DELIVERIES_PER_PASS};
use sgen_core::SystemClock;
use std::sync::Arc;
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
    let site = BenchSite::open(Arc::new(SystemClock));
    let core = &site.core;
    let id = core
        .create_connection(&site.scope, site.brevo_request())
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
    let (mut delivered, mut failed_attempts) = (0, 0);
    loop {
        let round = core.deliver_due(DELIVERIES_PER_PASS).expect("deliver");
        delivered += round.delivered;
        failed_attempts += round.attempted - round.delivered;
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
    if failed_attempts > 0 {
        let query = sgen_core::deliveries::DeliveryQuery {
            connection_id: Some(id.clone()),
            outcome: Some("retried".into()),
            limit: Some(5),
            ..Default::default()
        };
        let page = core.deliveries(&site.scope, &query).expect("log");
        let reasons: Vec<_> = page
            .rows
            .iter()
            .map(|r| (r.vendor_response_code, r.error_class.clone()))
            .collect();
        println!("{failed_attempts} attempts failed, for example: {reasons:?}");
    }
}
