//! `sgen-bench-deliveries`: the delivery engine end to end against sandbox vendors on loopback
//! that answer 200 at once, every attempt durably logged. Issue 4's targets on this 2-core
//! machine:
//!
//! * `throughput [N] [URL]`: N events queued, then delivered — ≥ 2,000 deliveries/s; prints
//!   the queueing and delivery rates apart and end to end, and CPU per delivery. With URL, to a
//!   webhook connection at that receiver (signed as Standard Webhooks; it must answer 2xx to
//!   the test message), so another system can be measured delivering to the very same one.
//! * `fairness [N]`: N events over 10 destinations, all healthy, then with one failing (503)
//!   and with one slow (2 s) — the other nine's throughput drops by at most 10 %.
//! * `latency [RATE] [SECONDS]`: the app's continuous worker while events are sent at RATE/s —
//!   p99 enqueue-to-attempt ≤ 50 ms at 500/s.
//! * `memory [TOTAL]`: TOTAL deliveries in rounds of 100,000 — resident memory stays flat.
//! * `slow [CONNECTIONS] [MS]`: CONNECTIONS vendors each answering in MS ms (default 50 and
//!   2,000) — throughput is what the per-connection cap allows (8 in flight each), not what a
//!   thread count does: 50 × 8 / 2 s = 200 deliveries/s.
//!
//! With no arguments: throughput 20000, fairness 20000, latency 500 10.
//!
//!     cargo run --release -p sgen-integrations-cli --bin sgen-bench-deliveries -- [MODE [ARGS]]

mod process;
mod site;

use process::{cpu_seconds, resident_mib};
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::delivery::enqueue::OutboundEvent;
use sgen_core::delivery::log::DeliveryQuery;
use sgen_core::{SandboxFaults, Secret, SystemClock};
use site::BenchSite;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

fn event(i: u64) -> OutboundEvent {
    OutboundEvent {
        originating_module: "bench".into(),
        event_identifier: format!("bench.event {i}"),
        payload: serde_json::json!({"templateId": 1, "params": {"n": i}}),
    }
}

fn connect(site: &BenchSite, n: u32) -> String {
    site.core
        .create_connection(&site.scope, site.brevo_account_request(n))
        .expect("connect")
        .row
        .record
        .id
}

fn queue(site: &BenchSite, connections: &[String], action: &str, from: u64, n: u64) {
    for i in from..from + n {
        let id = &connections[(i % connections.len() as u64) as usize];
        site.core.send_event(id, action, event(i)).expect("queue");
    }
}

/// Delivers everything due; returns (seconds, CPU seconds).
fn deliver_all(site: &BenchSite) -> (f64, f64) {
    let (cpu, started) = (cpu_seconds(), Instant::now());
    site.core.deliver_due(u32::MAX).expect("deliver");
    (started.elapsed().as_secs_f64(), cpu_seconds() - cpu)
}

/// A webhook connection to an outside receiver at `url` (its API address; the form's https
/// destination stands for it, as a test server does).
fn connect_webhook(site: &BenchSite, url: &str) -> String {
    let destination = "https://receiver.example/hooks";
    let request = NewConnectionRequest {
        connector_type: "webhook".into(),
        display_name: "Webhook (bench receiver)".into(),
        auth_flow: "signed_token".into(),
        fields: BTreeMap::from([("endpoint_url".to_string(), Secret::new(destination))]),
        api_base_override: Some(url.into()),
    };
    let issued = site
        .core
        .begin_signed_token(&site.scope, request)
        .expect("a webhook connection to the receiver");
    let detail = site
        .core
        .finish_signed_token(&issued.pending_id)
        .expect("the receiver accepts the test message");
    detail.row.record.id
}

fn throughput(n: u64, receiver: Option<&str>) {
    let site = BenchSite::open(Arc::new(SystemClock));
    let (id, action, to) = match receiver {
        Some(url) => (connect_webhook(&site, url), "post_event", url.to_string()),
        None => (
            connect(&site, 0),
            "send_transactional_email",
            "the sandbox vendor (in this process)".to_string(),
        ),
    };
    let (cpu_before, started) = (cpu_seconds(), Instant::now());
    queue(&site, std::slice::from_ref(&id), action, 0, n);
    let queued_s = started.elapsed().as_secs_f64();
    let (secs, cpu) = deliver_all(&site);
    let delivered = delivered_count(&site, &id);
    let total_cpu = cpu_seconds() - cpu_before;
    println!(
        "throughput to {to}: queued {n} events in {queued_s:.2} s ({:.0}/s, one transaction each); delivered {delivered} in {secs:.2} s ({:.0}/s, {:.0} µs CPU per delivery); end to end {:.0}/s, {:.0} µs CPU per event; target ≥ 2,000/s delivering",
        n as f64 / queued_s,
        delivered as f64 / secs,
        cpu * 1e6 / delivered.max(1) as f64,
        delivered as f64 / (queued_s + secs),
        total_cpu * 1e6 / n.max(1) as f64,
    );
}

/// Every row of the delivery log that `query` selects, page by page.
fn log_rows(site: &BenchSite, query: DeliveryQuery) -> Vec<sgen_core::delivery::log::AttemptRow> {
    let mut rows = Vec::new();
    let mut query = DeliveryQuery {
        limit: Some(500),
        ..query
    };
    loop {
        let page = site.core.deliveries(&site.scope, &query).expect("log");
        rows.extend(page.rows);
        match page.next_cursor {
            Some(next) => query.cursor = Some(next),
            None => return rows,
        }
    }
}

/// Attempts that delivered, for one connection (the log's count, not the engine's word).
fn delivered_count(site: &BenchSite, connection: &str) -> u64 {
    let query = DeliveryQuery {
        connection_id: Some(connection.into()),
        outcome: Some("delivered".into()),
        ..Default::default()
    };
    log_rows(site, query).len() as u64
}

fn fairness(n: u64) {
    let mut healthy_rate = None;
    for (label, faults) in [
        ("all ten healthy", None),
        (
            "one failing (503)",
            Some(SandboxFaults {
                status: Some(503),
                ..Default::default()
            }),
        ),
        (
            "one slow (2 s per answer)",
            Some(SandboxFaults {
                latency_ms: 2_000,
                ..Default::default()
            }),
        ),
    ] {
        let site = Arc::new(BenchSite::open(Arc::new(SystemClock)));
        let connections: Vec<String> = (0..10).map(|i| connect(&site, i)).collect();
        if let Some(faults) = faults {
            site.core
                .set_sandbox_faults(&connections[0], faults)
                .expect("fault");
        }
        queue(&site, &connections, "send_transactional_email", 0, n);
        // The app's worker, until the nine healthy destinations have all their deliveries:
        // the tenth may still be working through its own.
        let expected = n - n / 10;
        let started = Instant::now();
        let (worker, running) = start_worker(&site);
        let others = loop {
            std::thread::sleep(Duration::from_millis(100));
            let others: u64 = connections[1..]
                .iter()
                .map(|c| delivered_count(&site, c))
                .sum();
            if others >= expected {
                break others;
            }
        };
        let secs = started.elapsed().as_secs_f64();
        running.store(false, Ordering::Relaxed);
        worker.join().expect("worker thread");
        let rate = others as f64 / secs;
        let drop = healthy_rate.map_or(String::new(), |h: f64| {
            format!(", {:+.1} % against all healthy", (rate / h - 1.0) * 100.0)
        });
        println!(
            "fairness, {label}: the other nine delivered {others} in {secs:.2} s: {rate:.0}/s{drop}"
        );
        healthy_rate.get_or_insert(rate);
    }
}

/// The app's continuous delivery worker on a thread, until the flag is cleared.
fn start_worker(site: &Arc<BenchSite>) -> (std::thread::JoinHandle<()>, Arc<AtomicBool>) {
    let running = Arc::new(AtomicBool::new(true));
    let worker = {
        let (site, running) = (site.clone(), running.clone());
        std::thread::spawn(move || {
            site.core
                .deliver_continuously(Duration::from_secs(1), &|| running.load(Ordering::Relaxed))
                .expect("worker");
        })
    };
    (worker, running)
}

fn latency(rate: u64, seconds: u64) {
    let site = Arc::new(BenchSite::open(Arc::new(SystemClock)));
    let id = connect(&site, 0);
    let (worker, running) = start_worker(&site);
    let started = Instant::now();
    let total = rate * seconds;
    // Two senders, each on its own schedule, since one queueing transaction takes about as
    // long as the gap between events at 500/s.
    let queued_at: HashMap<String, i64> = std::thread::scope(|scope| {
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let (site, id) = (&site, &id);
                scope.spawn(move || {
                    let mut mine = HashMap::new();
                    for i in (p..total).step_by(2) {
                        let due = started + Duration::from_secs_f64(i as f64 / rate as f64);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let now_ms = SystemTime::now()
                            .duration_since(SystemTime::UNIX_EPOCH)
                            .expect("clock")
                            .as_millis() as i64;
                        let queued = site
                            .core
                            .send_event(id, "send_transactional_email", event(i))
                            .expect("queue");
                        mine.insert(queued.delivery_id, now_ms);
                    }
                    mine
                })
            })
            .collect();
        producers
            .into_iter()
            .flat_map(|p| p.join().expect("producer"))
            .collect()
    });
    let sent_rate = total as f64 / started.elapsed().as_secs_f64();
    // Let the last ones through, then stop the worker.
    std::thread::sleep(Duration::from_millis(500));
    running.store(false, Ordering::Relaxed);
    worker.join().expect("worker thread");
    let query = DeliveryQuery {
        connection_id: Some(id.clone()),
        ..Default::default()
    };
    let mut waits: Vec<i64> = log_rows(&site, query)
        .iter()
        .filter_map(|row| Some(row.attempted_at - queued_at.get(&row.delivery_id)?))
        .collect();
    waits.sort_unstable();
    let pct = |p: f64| waits[((waits.len() - 1) as f64 * p) as usize];
    println!(
        "latency at {sent_rate:.0} events/s for {seconds} s: {} of {total} attempted; enqueue to attempt recorded p50 {} ms, p99 {} ms, max {} ms; target p99 ≤ 50 ms",
        waits.len(),
        pct(0.5),
        pct(0.99),
        waits.last().copied().unwrap_or(0)
    );
}

fn memory(total: u64) {
    let site = BenchSite::open(Arc::new(SystemClock));
    let id = connect(&site, 0);
    const ROUND: u64 = 100_000;
    let mut done = 0;
    while done < total {
        let n = ROUND.min(total - done);
        queue(
            &site,
            std::slice::from_ref(&id),
            "send_transactional_email",
            done,
            n,
        );
        let (secs, _) = deliver_all(&site);
        done += n;
        println!(
            "memory: {done} deliveries, last round {:.0}/s, resident {:.1} MiB",
            n as f64 / secs,
            resident_mib()
        );
    }
}

fn slow(connections: u32, latency_ms: u64) {
    const PER_CONNECTION_CAP: u64 = 8;
    // Five waves of the cap per connection, so the run is long enough to measure.
    let per_connection = 5 * PER_CONNECTION_CAP;
    let site = BenchSite::open(Arc::new(SystemClock));
    let ids: Vec<String> = (0..connections).map(|i| connect(&site, i)).collect();
    for id in &ids {
        let faults = SandboxFaults {
            latency_ms,
            ..Default::default()
        };
        site.core.set_sandbox_faults(id, faults).expect("fault");
    }
    let n = per_connection * u64::from(connections);
    queue(&site, &ids, "send_transactional_email", 0, n);
    let (secs, cpu) = deliver_all(&site);
    let delivered: u64 = ids.iter().map(|c| delivered_count(&site, c)).sum();
    let bound = (u64::from(connections) * PER_CONNECTION_CAP) as f64 / (latency_ms as f64 / 1e3);
    println!(
        "slow vendors: {connections} connections answering in {latency_ms} ms, {delivered} of {n} delivered in {secs:.2} s: {:.0}/s ({:.0} µs CPU per delivery); the per-connection cap allows {bound:.0}/s",
        delivered as f64 / secs,
        cpu * 1e6 / delivered.max(1) as f64,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| {
        args.get(i)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    match args.first().map(String::as_str) {
        Some("throughput") => throughput(number(1, 20_000), args.get(2).map(String::as_str)),
        Some("fairness") => fairness(number(1, 20_000)),
        Some("latency") => latency(number(1, 500), number(2, 10)),
        Some("memory") => memory(number(1, 1_000_000)),
        Some("slow") => slow(number(1, 50) as u32, number(2, 2_000)),
        Some(other) => {
            panic!("unknown mode {other}: throughput | fairness | latency | memory | slow")
        }
        None => {
            throughput(20_000, None);
            fairness(20_000);
            latency(500, 10);
        }
    }
}
