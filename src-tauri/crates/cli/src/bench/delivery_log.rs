//! `sgen-bench`: the delivery-log benchmark of issue 2. Seeds a real database file with the
//! demo site and N delivery attempts through the core (timed), then runs each log query many
//! times with varied parameters and prints p50/p95 per query against its target.
//!
//! Then, as a person runs it, the whole `sgen-integrations-cli deliveries query` process on that
//! file (target median ≤ 20 ms), which needs the CLI built beside the bench:
//!
//!     cargo build --release -p sgen-integrations-cli
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench -- [ATTEMPTS] [RUNS]

use sgen_core::delivery::log::DeliveryQuery;
use sgen_core::demo::DemoOptions;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::model::EnvironmentName;
use sgen_core::{Access, Core, CoreConfig};
mod stats;

use stats::{measure, percentile_ms};
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let attempts: u64 = args
        .next()
        .map_or(1_000_000, |a| a.parse().expect("ATTEMPTS is a number"));
    let runs: usize = args
        .next()
        .map_or(200, |a| a.parse().expect("RUNS is a number"));
    let dir = tempfile::tempdir().expect("temp dir");
    let core = Core::open(CoreConfig::new(dir.path(), Access::ReadWrite)).expect("open");

    let started = Instant::now();
    let summary = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: attempts,
                ..DemoOptions::default()
            },
            |_, _| {},
        )
        .expect("seed");
    let seed_time = started.elapsed();
    let mib = |file: &str| {
        std::fs::metadata(dir.path().join(file)).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
    };
    println!(
        "seed: {} attempts ({} deliveries) through the core in {:.2} s (target ≤ 20 s for 1,000,000); database {:.0} MiB, its WAL {:.1} MiB",
        summary.delivery_attempts,
        summary.deliveries,
        seed_time.as_secs_f64(),
        mib(sgen_core::DATABASE_FILE),
        mib(&format!("{}-wal", sgen_core::DATABASE_FILE)),
    );

    let scope = SiteEnvironment {
        site_id: summary.site_id.clone(),
        environment: EnvironmentName::Live,
    };
    let (connections, connection_names): (Vec<String>, Vec<String>) = core
        .connections(
            &scope,
            &sgen_core::connections::detail::ConnectionQuery {
                page_size: Some(200),
                ..Default::default()
            },
        )
        .expect("connections")
        .rows
        .into_iter()
        .map(|r| (r.record.id, r.record.display_name))
        .unzip();
    let now = chrono::Utc::now().timestamp_millis();
    let outcomes = ["delivered", "retried", "failed"];
    let searches = [
        "ord_4821",
        "order.paid",
        "cus_1093",
        "subscriber",
        "usr_77",
        "payment",
    ];

    type MakeQuery<'a> = Box<dyn Fn(usize) -> DeliveryQuery + 'a>;
    let global: Vec<(&str, f64, MakeQuery)> = vec![
        (
            "newest first, outcome filter, 7-day range",
            15.0,
            Box::new(|i| DeliveryQuery {
                outcome: Some(outcomes[i % 3].into()),
                since: Some(now - 7 * DAY_MS - (i as i64 % 5) * DAY_MS),
                ..Default::default()
            }),
        ),
        (
            "sorted by latency, outcome filter",
            30.0,
            Box::new(|i| DeliveryQuery {
                outcome: Some(outcomes[i % 3].into()),
                sort: Some("latency_ms".into()),
                descending: Some(i % 2 == 0),
                ..Default::default()
            }),
        ),
        (
            "free-text search on event identifiers",
            50.0,
            Box::new(|i| DeliveryQuery {
                search: Some(searches[i % searches.len()].into()),
                ..Default::default()
            }),
        ),
    ];

    println!("\nquery (first page of 50)                           scope           p50 ms   p95 ms   target p95");
    for (name, target, make) in &global {
        let times = measure(runs, |i| {
            core.deliveries(
                &scope,
                &DeliveryQuery {
                    limit: Some(50),
                    ..make(i)
                },
            )
            .expect("query");
        });
        report(name, "global", &times, *target);
        let times = measure(runs, |i| {
            let query = DeliveryQuery {
                connection_id: Some(connections[i % connections.len()].clone()),
                limit: Some(50),
                ..make(i)
            };
            core.deliveries(&scope, &query).expect("query");
        });
        report(name, "per connection", &times, 10.0);
        print_slowest(&times, |i| {
            let query = make(i);
            let what = query.search.or(query.outcome).unwrap_or_default();
            format!("{} · {what}", connection_names[i % connections.len()])
        });
    }
    drop(core);
    whole_process_queries(dir.path(), 21);
}

/// `deliveries query` as a person runs it: a new process each time, opening the file read-only.
fn whole_process_queries(data_dir: &std::path::Path, runs: usize) {
    let args = ["deliveries", "query", "--limit", "50", "--json"];
    if let Some(times) = stats::time_cli(data_dir, &args, runs) {
        println!(
            "\nwhole process, `deliveries query --limit 50 --json`, {runs} runs: median {:.1} ms, p95 {:.1} ms (target median ≤ 20 ms)",
            percentile_ms(&times, 0.5),
            percentile_ms(&times, 0.95)
        );
    }
}

/// Where the time goes: the three slowest runs, described.
fn print_slowest(sorted: &[(Duration, usize)], describe: impl Fn(usize) -> String) {
    for (time, i) in sorted.iter().rev().take(3) {
        println!(
            "    slowest {:>7.2} ms: {}",
            time.as_secs_f64() * 1000.0,
            describe(*i)
        );
    }
}

fn report(name: &str, scope: &str, sorted: &[(Duration, usize)], target_ms: f64) {
    let pct = |p: f64| percentile_ms(sorted, p);
    let p95 = pct(0.95);
    let verdict = if p95 <= target_ms { "ok" } else { "MISSED" };
    println!(
        "{name:<50} {scope:<15} {:>7.2} {:>8.2}   ≤ {target_ms} ms {verdict}",
        pct(0.5),
        p95
    );
}
