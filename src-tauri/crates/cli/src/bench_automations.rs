//! `sgen-bench-automations`: the automation engine on this 2-core machine, with issue 14's
//! two-step automation (a CEL condition, then a connector action into the outbox):
//!
//! * `throughput [N]`: N events already received (Stripe-signed, verified, recorded as the
//!   listener records them), then the engine until every run has queued its delivery —
//!   target ≥ 2,000 runs/s.
//! * `condition [N]`: the compiled condition evaluated N times over an event — target p99
//!   ≤ 20 µs.
//! * `list [RUNS] [QUERIES]`: the run list's first page on RUNS runs — target p95 ≤ 20 ms at
//!   100,000.
//!
//! With no arguments: throughput 20000, condition 100000, list 100000 200.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-automations -- [MODE [ARGS]]

mod bench_process;
mod bench_site;
mod bench_stats;

use bench_process::{cpu_seconds, resident_mib};
use bench_site::BenchSite;
use bench_stats::{measure, percentile_ms};
use sgen_core::automations::condition::Condition;
use sgen_core::automations::runs::RunQuery;
use sgen_core::inbound::signing::sign_as_stripe;
use sgen_core::inbound::verification::InboundRequest;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::{Core, Secret, SystemClock};
use std::sync::Arc;
use std::time::Instant;

const SECRET: &str = "whsec_bench_automations_secret";
const CONDITION: &str = "event.data.object.amount > 0 && event.data.object.currency == 'usd'";

struct Bench {
    core: Core,
    scope: SiteEnvironment,
    stripe: String,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn open() -> Self {
        let site = BenchSite::open(Arc::new(SystemClock));
        let brevo = site
            .core
            .create_connection(&site.scope, site.brevo_account_request(1))
            .expect("connect brevo")
            .row
            .record
            .id;
        let stripe = site.stripe_with_secret(SECRET);
        let (core, scope, dir) = site.into_parts();
        let automation = serde_json::json!({
            "name": "Bench: payments to Brevo",
            "trigger": {"event": "payment_intent.succeeded", "connection": stripe, "conditions": CONDITION},
            "actions": [{"type": "connector_action", "params": {"connection": brevo, "action": "create_contact",
                "mapping": {"email": "data.object.receipt_email"}}}],
            "status": "active"
        });
        core.save_automation(&scope, None, &automation.to_string())
            .expect("automation");
        Bench {
            core,
            scope,
            stripe,
            _dir: dir,
        }
    }

    /// `n` events received as the listener receives them, a thousand to a commit.
    fn receive(&self, from: usize, n: usize) {
        let now_s = chrono::Utc::now().timestamp();
        let path = format!("/in/{}", self.stripe);
        for chunk in (from..from + n).collect::<Vec<_>>().chunks(1_000) {
            let admissions: Vec<_> = chunk
                .iter()
                .map(|i| {
                    let body = format!(
                        r#"{{"id":"evt_bench_{i}","object":"event","type":"payment_intent.succeeded","data":{{"object":{{"amount":4200,"currency":"usd","receipt_email":"b{i}@example.com"}}}}}}"#
                    );
                    let signed =
                        sign_as_stripe(&path, body.into_bytes(), now_s, &Secret::new(SECRET));
                    self.core
                        .admit(
                            &self.stripe,
                            &InboundRequest {
                                method: "POST",
                                target: &signed.target,
                                headers: &signed.headers,
                                body: &signed.body,
                            },
                        )
                        .expect("admit")
                })
                .collect();
            self.core.record_admissions(&admissions).expect("record");
        }
    }
}

fn throughput(bench: &Bench, n: usize) {
    bench.receive(0, n);
    let (started, cpu) = (Instant::now(), cpu_seconds());
    bench.core.run_automations().expect("engine");
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_us = (cpu_seconds() - cpu) * 1e6 / n as f64;
    let still_running = bench
        .core
        .runs(
            &bench.scope,
            &RunQuery {
                status: Some("running".into()),
                page_size: Some(1),
                ..Default::default()
            },
        )
        .expect("runs")
        .rows
        .len();
    assert_eq!(
        still_running, 0,
        "runs left before their delivery was queued"
    );
    let queued = bench.core.outbox_counts(&bench.scope).expect("outbox");
    assert!(
        queued.due as usize >= n,
        "{n} runs queued {} deliveries",
        queued.due
    );
    println!(
        "throughput: {n} events → {n} runs, each with its delivery queued, in {elapsed:.2} s: {:.0} runs/s, {cpu_us:.0} µs CPU per run (resident {:.0} MiB)",
        n as f64 / elapsed,
        resident_mib()
    );
}

fn condition(n: usize) {
    let condition = Condition::compile(CONDITION).expect("compiles");
    let event = serde_json::json!({"id": "evt_1", "type": "payment_intent.succeeded",
        "data": {"object": {"amount": 4200, "currency": "usd", "receipt_email": "a@example.com",
            "metadata": {"order": "1042"}, "status": "succeeded"}}});
    let connection = serde_json::json!({"id": "con_1", "connector": "stripe"});
    let times = measure(n, |_| {
        assert!(condition.evaluate(&event, &connection).passed)
    });
    println!(
        "condition: {n} evaluations, p50 {:.1} µs, p99 {:.1} µs",
        percentile_ms(&times, 0.5) * 1000.0,
        percentile_ms(&times, 0.99) * 1000.0
    );
}

fn list(bench: &Bench, runs: usize, queries: usize) {
    bench.receive(1_000_000_000, runs);
    bench.core.run_automations().expect("engine");
    let times = measure(queries, |_| {
        let page = bench
            .core
            .runs(&bench.scope, &RunQuery::default())
            .expect("runs");
        assert_eq!(page.rows.len(), 50);
    });
    println!(
        "list: first page of {runs} runs, {queries} queries: p50 {:.2} ms, p95 {:.2} ms",
        percentile_ms(&times, 0.5),
        percentile_ms(&times, 0.95)
    );
}

fn number(args: &[String], at: usize, default: usize) -> usize {
    args.get(at)
        .map_or(default, |a| a.parse().expect("a number"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => {
            throughput(&Bench::open(), 20_000);
            condition(100_000);
            list(&Bench::open(), 100_000, 200);
        }
        Some("throughput") => throughput(&Bench::open(), number(&args, 1, 20_000)),
        Some("condition") => condition(number(&args, 1, 100_000)),
        Some("list") => list(
            &Bench::open(),
            number(&args, 1, 100_000),
            number(&args, 2, 200),
        ),
        Some(other) => panic!("unknown mode `{other}`: throughput, condition or list"),
    }
}
