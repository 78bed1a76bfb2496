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
//! * `latency [SECONDS]`: events arrive one at a time at 500/s while the engine runs as the
//!   app runs it (woken by each commit); from each event stored to its run's first step
//!   recorded — target p99 ≤ 25 ms.
//! * `memory [RUNS]`: RUNS runs (1,000,000 by default) in rounds of 100,000, the process's
//!   resident memory after each — target: flat.
//!
//! With no arguments: throughput 20000, condition 100000, list 100000 200, latency 20.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-automations -- [MODE [ARGS]]

mod process;
mod site;
mod stats;

use process::{cpu_seconds, resident_mib};
use sgen_core::automations::condition::Condition;
use sgen_core::automations::runs::RunQuery;
use sgen_core::background::Cadences;
use sgen_core::inbound::signing::sign_as_stripe;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::{Core, Secret, SystemClock};
use site::BenchSite;
use stats::{measure, percentile_ms};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_bench_automations_secret";
const CONDITION: &str = "event.data.object.amount > 0 && event.data.object.currency == 'usd'";

struct Bench {
    core: Arc<Core>,
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
            core: Arc::new(core),
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
                            &signed.request(),
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

fn latency(bench: &Bench, seconds: usize) {
    const RATE: usize = 500;
    // The engine as the app runs it: its background task, woken by each commit, with the
    // WAL checkpointed beside the writer.
    let background = bench
        .core
        .start_background(Cadences {
            automations_every: Duration::from_millis(500),
            ..Cadences::idle()
        })
        .expect("background");
    let started = Instant::now();
    for i in 0..seconds * RATE {
        let due = started + Duration::from_micros((i * 1_000_000 / RATE) as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        bench.receive(2_000_000_000 + i, 1);
    }
    std::thread::sleep(Duration::from_millis(500));
    background.shutdown(Duration::from_secs(10));
    let mut gaps = Vec::new();
    let mut query = RunQuery {
        page_size: Some(500),
        ..Default::default()
    };
    loop {
        let page = bench.core.runs(&bench.scope, &query).expect("runs");
        for row in &page.rows {
            let run = bench.core.run(&row.id).expect("run");
            let event = bench
                .core
                .event_detail(row.event_id.as_deref().expect("an event's run"))
                .expect("event");
            gaps.push((run.steps[0].started_at - event.event.received_at) as f64);
        }
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(
        gaps.len(),
        seconds * RATE,
        "every event's run took its first step"
    );
    gaps.sort_by(f64::total_cmp);
    let at = |p: f64| gaps[((gaps.len() as f64 * p) as usize).min(gaps.len() - 1)];
    println!(
        "latency: {} events at {RATE}/s, stored → first step recorded (ms clock): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        gaps.len(),
        at(0.5),
        at(0.99),
        gaps.last().copied().unwrap_or_default()
    );
}

fn memory(bench: &Bench, runs: usize) {
    const ROUND: usize = 100_000;
    for round in 0..runs.div_ceil(ROUND) {
        let started = Instant::now();
        bench.receive(3_000_000_000 + round * ROUND, ROUND);
        bench.core.run_automations().expect("engine");
        println!(
            "memory: {} runs, resident {:.0} MiB ({:.0} events → runs/s this round)",
            (round + 1) * ROUND,
            resident_mib(),
            ROUND as f64 / started.elapsed().as_secs_f64()
        );
    }
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
            latency(&Bench::open(), 20);
        }
        Some("throughput") => throughput(&Bench::open(), number(&args, 1, 20_000)),
        Some("condition") => condition(number(&args, 1, 100_000)),
        Some("list") => list(
            &Bench::open(),
            number(&args, 1, 100_000),
            number(&args, 2, 200),
        ),
        Some("latency") => latency(&Bench::open(), number(&args, 1, 20)),
        Some("memory") => memory(&Bench::open(), number(&args, 1, 1_000_000)),
        Some(other) => {
            panic!("unknown mode `{other}`: throughput, condition, list, latency or memory")
        }
    }
}
