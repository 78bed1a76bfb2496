//! `sgen-bench-access`: issue 15's targets on this 2-core machine.
//!
//! * `check [N]`: the capability check every operation makes, N times: the decision alone
//!   (the role's capabilities against the table) and the whole `Core::authorize` as an
//!   operation calls it (who acts, their role and the family gates read from SQLite) —
//!   target < 10 µs.
//! * `activity [ROWS] [QUERIES]`: ROWS activity rows (1,000,000 by default) over 10 operators,
//!   the demo's connections, 30 actions and 100 days; the first page with each single filter,
//!   QUERIES times — target p95 ≤ 20 ms; the CSV export of every row — target ≤ 10 s; and
//!   `activity query --json` as a whole process.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-access -- [MODE [ARGS]]

mod site;
mod stats;

use sgen_core::access::authorize::check;
use sgen_core::access::{Capability, Operation, Target};
use sgen_core::activity_log::{ActivityFilters, ActivityQuery};
use sgen_core::SystemClock;
use site::BenchSite;
use stats::{measure, percentile_ms};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| {
        args.get(i)
            .map(|v| v.parse().expect("a number"))
            .unwrap_or(default)
    };
    match args.first().map(String::as_str) {
        Some("check") => bench_check(number(1, 1_000_000)),
        Some("activity") => bench_activity(number(1, 1_000_000), number(2, 200) as usize),
        None => {
            bench_check(1_000_000);
            bench_activity(1_000_000, 200);
        }
        Some(other) => panic!("unknown mode {other}: check | activity"),
    }
}

fn micros(d: Duration, n: u64) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn bench_check(n: u64) {
    println!("capability check, {n} times");
    let editor = sgen_core::access::roles::built_in("editor").expect("editor");
    let payment = Some(("payment_platforms", Capability::ManagePaymentCredentials));
    let started = Instant::now();
    let mut allowed = 0u64;
    for i in 0..n {
        let operation = Operation::ALL[i as usize % Operation::ALL.len()];
        allowed += u64::from(check(operation, std::hint::black_box(editor), payment).is_ok());
    }
    println!(
        "  the decision alone: {:.4} µs per check ({allowed} allowed)",
        micros(started.elapsed(), n)
    );

    let site = BenchSite::open(Arc::new(SystemClock));
    let core = site.core;
    let stripe = core
        .connections(&site.scope, &Default::default())
        .expect("connections")
        .rows
        .into_iter()
        .find(|c| c.record.connector_type == "stripe")
        .expect("stripe")
        .record
        .id;
    for (label, operation, target) in [
        (
            "Core::authorize, an ungated operation",
            Operation::SetRetrySchedule,
            Target::App,
        ),
        (
            "Core::authorize, a gated one on Stripe (reads its family)",
            Operation::DisconnectConnection,
            Target::Connection(&stripe),
        ),
    ] {
        let rounds = n.min(200_000);
        let times = measure(rounds as usize, |_| {
            core.authorize(operation, target)
                .expect("the Administrator may");
        });
        let mean = times.iter().map(|(d, _)| d.as_secs_f64()).sum::<f64>() * 1e6 / rounds as f64;
        println!(
            "  {label}: mean {mean:.2} µs, p50 {:.2} µs, p99 {:.2} µs (target < 10 µs)",
            percentile_ms(&times, 0.5) * 1000.0,
            percentile_ms(&times, 0.99) * 1000.0
        );
    }
}

/// Writes `rows` activity rows straight into the database file in a few transactions.
fn seed_activity(
    path: &std::path::Path,
    site_id: &str,
    rows: u64,
    now: i64,
) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(path).expect("the database");
    let operators: Vec<String> = {
        let mut statement = db.prepare("SELECT id FROM operators").expect("operators");
        statement
            .query_map([], |row| row.get(0))
            .expect("operators")
            .collect::<Result<_, _>>()
            .expect("operators")
    };
    let connections: Vec<String> = {
        let mut statement = db
            .prepare("SELECT id FROM connections")
            .expect("connections");
        statement
            .query_map([], |row| row.get(0))
            .expect("connections")
            .collect::<Result<_, _>>()
            .expect("connections")
    };
    let actions: Vec<String> = [
        "connection",
        "settings",
        "automation",
        "run",
        "delivery",
        "event",
    ]
    .iter()
    .flat_map(|family| (0..5).map(move |i| format!("{family}.action_{i}")))
    .collect();
    let outcomes = ["success", "failure", "refused", "error", "connected"];
    let mut left = rows;
    let mut n = 0u64;
    while left > 0 {
        let batch = left.min(100_000);
        let tx = db.unchecked_transaction().expect("tx");
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO activity_log (at, operator_id, site_id, environment_id, connection_id, action, outcome, details, catalog_version)
                     VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, '1.2.0')",
                )
                .expect("insert");
            for _ in 0..batch {
                // Spread over 100 days, oldest first, as the log grows.
                let at = now - 100 * DAY_MS + (n as i64 * 100 * DAY_MS) / rows as i64;
                let connection = (!n.is_multiple_of(3))
                    .then(|| &connections[(n as usize / 3) % connections.len()]);
                insert
                    .execute(rusqlite::params![
                        at,
                        operators[(n as usize * 7) % operators.len()],
                        site_id,
                        connection,
                        actions[(n as usize * 13) % actions.len()],
                        outcomes[(n as usize * 11) % outcomes.len()],
                        format!(
                            "{{\"before\":{{\"n\":{}}},\"after\":{{\"n\":{}}}}}",
                            n,
                            n + 1
                        ),
                    ])
                    .expect("row");
                n += 1;
            }
        }
        tx.commit().expect("commit");
        left -= batch;
    }
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    connections
        .into_iter()
        .zip(operators.into_iter().cycle())
        .collect()
}

fn bench_activity(rows: u64, queries: usize) {
    let site = BenchSite::open(Arc::new(SystemClock));
    let data_dir = site.core.data_dir().to_path_buf();
    let site_id = site.scope.site_id.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let pairs = seed_activity(
        &data_dir.join(sgen_core::DATABASE_FILE),
        &site_id,
        rows,
        now,
    );
    println!(
        "activity log: {rows} rows seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let core = site.core;
    let (connection, operator) = pairs[0].clone();
    let base = ActivityFilters {
        site_id: site_id.clone(),
        ..Default::default()
    };
    let cases: Vec<(&str, ActivityFilters)> = vec![
        ("no filter", base.clone()),
        (
            "by connection",
            ActivityFilters {
                connection_id: Some(connection),
                ..base.clone()
            },
        ),
        (
            "by operator",
            ActivityFilters {
                operator_id: Some(operator),
                ..base.clone()
            },
        ),
        (
            "by action",
            ActivityFilters {
                action: Some("settings.action_3".into()),
                ..base.clone()
            },
        ),
        (
            "by kind of action",
            ActivityFilters {
                action: Some("automation.".into()),
                ..base.clone()
            },
        ),
        (
            "by outcome",
            ActivityFilters {
                outcome: Some("refused".into()),
                ..base.clone()
            },
        ),
        (
            "by date range (a week, 30 days back)",
            ActivityFilters {
                since: Some(now - 37 * DAY_MS),
                until: Some(now - 30 * DAY_MS),
                ..base.clone()
            },
        ),
    ];
    for (label, filters) in &cases {
        for ascending in [false, true] {
            let times = measure(queries, |_| {
                let page = core
                    .activity(&ActivityQuery {
                        filters: filters.clone(),
                        ascending,
                        cursor: None,
                        page_size: Some(50),
                    })
                    .expect("a page");
                assert_eq!(page.rows.len(), 50, "{label}");
            });
            println!(
                "  first page, {label}, {}: p50 {:.2} ms, p95 {:.2} ms (target p95 ≤ 20 ms)",
                if ascending {
                    "oldest first"
                } else {
                    "newest first"
                },
                percentile_ms(&times, 0.5),
                percentile_ms(&times, 0.95)
            );
        }
    }
    let out = data_dir.join("activity.csv");
    let started = Instant::now();
    let written = core
        .export_activity_csv(
            &base,
            std::fs::File::create(&out).expect("csv file"),
            |_, _| {},
        )
        .expect("export");
    println!(
        "  CSV export of {written} rows: {:.2} s, {:.0} MiB (target ≤ 10 s)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&out).map_or(0, |m| m.len()) as f64 / 1_048_576.0
    );
    drop(core);
    whole_process(&data_dir);
}

/// `activity query` as a person runs it: a new process each time, opening the file read-only.
fn whole_process(data_dir: &std::path::Path) {
    let args = [
        "activity",
        "query",
        "--outcome",
        "refused",
        "--limit",
        "50",
        "--json",
    ];
    if let Some(times) = stats::time_cli(data_dir, &args, 21) {
        println!(
            "  whole process, `activity query --outcome refused --limit 50 --json`, 21 runs: median {:.1} ms, p95 {:.1} ms",
            percentile_ms(&times, 0.5),
            percentile_ms(&times, 0.95)
        );
    }
}
