//! What the CLI prints: JSON with `--json`, otherwise aligned text for a person. Every line
//! goes through `out!`, so a closed stdout (`… | head -3`) ends the command quietly, as it
//! does for git and ripgrep, instead of a panic and a backtrace.

use std::io::Write;

/// `println!` for the command's output; see [`line`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::line(format_args!($($arg)*)) };
}
pub(crate) use out;

/// Writes one line to stdout. Whoever reads it may stop early: the command's work is done by
/// the time it prints, so it exits at once and quietly. Any other write error is said on stderr.
pub fn line(text: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(text)
        .and_then(|()| stdout.write_all(b"\n"));
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error [io]: cannot write the output: {e}");
            std::process::exit(1);
        }
    }
}

use serde::Serialize;
use sgen_core::connections::library::ConnectorSummary;
use sgen_core::delivery::log::DeliveryPage;
use sgen_core::demo::DemoSummary;
use sgen_core::CoreError;

pub fn json(value: &impl Serialize) -> Result<(), CoreError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| CoreError::Internal(e.to_string()))?;
    out!("{text}");
    Ok(())
}

pub fn catalog(entries: &[ConnectorSummary], as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(&entries);
    }
    for c in entries {
        out!(
            "{:<26} {:<26} {:<24} {}",
            c.slug,
            c.display_name,
            c.family_label,
            c.auth_flows.join(", ")
        );
    }
    Ok(())
}

pub fn validated(count: &usize) -> Result<(), CoreError> {
    out!("{count} manifest(s) valid");
    Ok(())
}

pub fn sites(sites: &[sgen_core::kernel::sites::Site], as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(&sites);
    }
    for s in sites {
        out!(
            "{}  {}  ({}){}",
            s.id,
            s.name,
            s.domain,
            if s.demo { "  [demo]" } else { "" }
        );
    }
    Ok(())
}

pub fn demo(
    summary: &DemoSummary,
    took: std::time::Duration,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(summary);
    }
    out!(
        "demo site {} created: {} connections ({} connected to sandbox vendors), {} deliveries, {} attempts in {:.1} s",
        summary.site_id,
        summary.connections,
        summary.connections_with_credentials,
        summary.deliveries,
        summary.delivery_attempts,
        took.as_secs_f64()
    );
    Ok(())
}

/// A time as people read it in a log, UTC.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

pub fn deliveries(page: &DeliveryPage, as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(page);
    }
    for r in &page.rows {
        out!(
            "{}  {:<9} {:>4} {:>6} ms  {:<14} {}",
            time(r.attempted_at),
            r.outcome.as_str(),
            r.vendor_response_code
                .map_or("—".to_string(), |c| c.to_string()),
            r.latency_ms,
            r.originating_module,
            r.event_identifier
        );
    }
    if let Some(cursor) = &page.next_cursor {
        out!("more: --cursor {cursor}");
    }
    Ok(())
}

pub fn connections(
    page: &sgen_core::connections::detail::ConnectionPage,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(page);
    }
    for row in &page.rows {
        let r = &row.record;
        out!(
            "{}  {:<14} {:<20} {}",
            r.id,
            r.state.as_str(),
            row.connector_name,
            r.display_name
        );
    }
    Ok(())
}

pub fn connection(
    detail: &sgen_core::connections::detail::ConnectionDetail,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(detail);
    }
    let r = &detail.row.record;
    out!(
        "{}  {}  {}  account {}",
        r.id,
        r.state.as_str(),
        r.display_name,
        r.vendor_account_id.as_deref().unwrap_or("—")
    );
    Ok(())
}

pub fn test_outcome(
    outcome: &sgen_core::connections::test_outcome::TestOutcome,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(outcome);
    }
    out!("{}: {outcome}", outcome.kind());
    Ok(())
}

pub fn disconnected(
    id: &str,
    revocation: sgen_core::connections::lifecycle::Revocation,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(&serde_json::json!({ "id": id, "revocation": revocation }));
    }
    out!("{id} disconnected; vendor-side revocation: {revocation:?}");
    Ok(())
}

#[derive(Serialize)]
pub struct SandboxVendor {
    pub connector: String,
    pub vendor: String,
    pub api_base: String,
}

pub fn sandbox_vendors(vendors: &[SandboxVendor], as_json: bool) -> Result<(), CoreError> {
    if as_json {
        json(&vendors)?;
    } else {
        for v in vendors {
            out!("{:<26} {}  (API {})", v.connector, v.vendor, v.api_base);
        }
    }
    // A script waits for this line before it uses the addresses.
    use std::io::Write;
    std::io::stdout()
        .flush()
        .map_err(|e| CoreError::Internal(e.to_string()))
}

pub fn sent(sent: &sgen_core::delivery::enqueue::Sent, as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(sent);
    }
    let queued = &sent.queued;
    let held = if queued.held {
        " (held: the connection is paused)"
    } else {
        ""
    };
    out!("queued {}{held}", queued.delivery_id);
    delivery_round(&sent.round, false)
}

pub fn delivery_round(
    round: &sgen_core::delivery::enqueue::WorkerReport,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(round);
    }
    out!(
        "attempted {}: {} delivered, {} to retry, {} dead-lettered, {} destination gone",
        round.attempted,
        round.delivered,
        round.retrying,
        round.dead_lettered,
        round.gone
    );
    Ok(())
}

pub fn bulk_retry(
    bulk: &sgen_core::delivery::triage::BulkRetry,
    round: &sgen_core::delivery::enqueue::WorkerReport,
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(&serde_json::json!({ "retry": bulk, "attempts": round }));
    }
    out!(
        "{} matched, {} re-queued; attempted {}: {} delivered, {} to retry, {} dead-lettered, {} destination gone",
        bulk.matched,
        bulk.requeued,
        round.attempted,
        round.delivered,
        round.retrying,
        round.dead_lettered,
        round.gone
    );
    Ok(())
}

pub fn triage(
    items: &[sgen_core::delivery::triage::TriageItem],
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(&items);
    }
    if items.is_empty() {
        out!("no delivery is waiting for an operator");
    }
    for item in items {
        let d = &item.delivery;
        let last = match (d.last_response_code, &d.last_error_class) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(class)) => class.clone(),
            _ => "-".into(),
        };
        out!(
            "{}  {:<11} {:<28} {:<32} {:<10} {}",
            d.delivery_id,
            d.status.as_str(),
            d.connection_display_name
                .as_deref()
                .unwrap_or(&d.connection_id),
            d.event_identifier,
            last,
            item.next_step
        );
    }
    Ok(())
}

/// How each background task ended (`work`).
pub fn tasks(
    tasks: &[sgen_core::kernel::supervisor::TaskStatus],
    as_json: bool,
) -> Result<(), CoreError> {
    if as_json {
        return json(&tasks);
    }
    for task in tasks {
        let failure = task.last_failure.as_deref().unwrap_or("");
        out!(
            "{:<16} {:<10} restarts {:<3} {failure}",
            task.name,
            task.state.as_str(),
            task.restarts
        );
    }
    Ok(())
}
