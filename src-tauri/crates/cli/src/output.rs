//! What the CLI prints: JSON with `--json`, otherwise aligned text for a person.

use serde::Serialize;
use sgen_core::deliveries::DeliveryPage;
use sgen_core::demo::DemoSummary;
use sgen_core::library::ConnectorSummary;
use sgen_core::CoreError;

fn json(value: &impl Serialize) -> Result<(), CoreError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| CoreError::Internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

pub fn catalog(entries: &[ConnectorSummary], as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(&entries);
    }
    for c in entries {
        println!(
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
    println!("{count} manifest(s) valid");
    Ok(())
}

pub fn sites(sites: &[sgen_core::sites::Site], as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(&sites);
    }
    for s in sites {
        println!(
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
    println!(
        "demo site {} created: {} connections, {} deliveries, {} attempts in {:.1} s",
        summary.site_id,
        summary.connections,
        summary.deliveries,
        summary.delivery_attempts,
        took.as_secs_f64()
    );
    Ok(())
}

pub fn deliveries(page: &DeliveryPage, as_json: bool) -> Result<(), CoreError> {
    if as_json {
        return json(page);
    }
    for r in &page.rows {
        let when = chrono::DateTime::from_timestamp_millis(r.attempted_at)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        println!(
            "{}  {:<9} {:>4} {:>6} ms  {:<14} {}",
            when.unwrap_or_default(),
            r.outcome.as_str(),
            r.vendor_response_code
                .map_or("—".to_string(), |c| c.to_string()),
            r.latency_ms,
            r.originating_module,
            r.event_identifier
        );
    }
    if let Some(cursor) = &page.next_cursor {
        println!("more: --cursor {cursor}");
    }
    Ok(())
}
