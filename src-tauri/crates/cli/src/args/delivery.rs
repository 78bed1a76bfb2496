//! The command line's grammar for the delivery log and the outbox: `deliveries …`, and the
//! log's filters that `query` and bulk `retry` share.

use crate::args::ScopeArgs;
use crate::time_bounds::{self, Now};
use clap::{Args, Subcommand};
use sgen_core::delivery::log::DeliveryQuery;
use sgen_core::delivery::triage::RetryFilter;
use sgen_core::CoreError;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum DeliveriesCommand {
    /// One page of the delivery log, with the same filters as the log view.
    Query(QueryArgs),
    /// Queue an event for a connection's action and make its first attempt now (later
    /// attempts are made by the open app on their schedule, or by `deliveries run`).
    Send {
        #[arg(long)]
        connection: String,
        /// The action's id in the connector's manifest, e.g. `send_transactional_email`.
        #[arg(long)]
        action: String,
        /// A JSON file with originating_module, event_identifier and payload; `-` for stdin.
        #[arg(long, value_name = "FILE")]
        event: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Retry deliveries now, with their own ids (their idempotency keys): one by id, or every
    /// delivery matching `--outcome failed` (dead letters, destinations gone) or `--outcome
    /// retried` (waiting for a scheduled retry) and the filters, with progress.
    Retry {
        /// The delivery's id; or omit it and give --outcome.
        delivery: Option<String>,
        /// Which deliveries (with --outcome failed or retried); since/until are when they were
        /// queued.
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// The triage queue: deliveries that stopped, with what to do about each.
    DeadLetters {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        json: bool,
    },
    /// Delete delivery-log attempts older than the retention setting now.
    Purge {
        #[arg(long)]
        json: bool,
    },
    /// Attempt every delivery that is due now, once.
    Run {
        #[arg(long)]
        json: bool,
    },
}

/// Which deliveries or attempts a command is about: the delivery log's filters.
#[derive(Args)]
pub struct FilterArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[arg(long)]
    pub connection: Option<String>,
    /// delivered | retried | failed
    #[arg(long)]
    pub outcome: Option<String>,
    /// A duration back from now (`7d`, `12h`, `30m`) or a date/time (`2026-11-01`, RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// A date/time (exclusive) or a duration back from now.
    #[arg(long)]
    pub until: Option<String>,
    /// Text the event identifier contains.
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// attempted_at | latency_ms | vendor_response_code | outcome | event_identifier | originating_module
    #[arg(long)]
    pub sort: Option<String>,
    /// Smallest/oldest first instead of largest/newest first.
    #[arg(long)]
    pub asc: bool,
    #[arg(long)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (same filters).
    #[arg(long)]
    pub cursor: Option<String>,
    #[arg(long)]
    pub json: bool,
}

impl FilterArgs {
    pub fn to_retry_filter(&self, outcome: &str, now: &Now) -> Result<RetryFilter, CoreError> {
        Ok(RetryFilter {
            outcome: outcome.to_string(),
            connection_id: self.connection.clone(),
            since: time_bounds::bound("since", &self.since, now)?,
            until: time_bounds::bound("until", &self.until, now)?,
            search: self.search.clone(),
        })
    }
}

impl QueryArgs {
    pub fn to_query(&self, now: &Now) -> Result<DeliveryQuery, CoreError> {
        let f = &self.filter;
        Ok(DeliveryQuery {
            connection_id: f.connection.clone(),
            outcome: f.outcome.clone(),
            since: time_bounds::bound("since", &f.since, now)?,
            until: time_bounds::bound("until", &f.until, now)?,
            search: f.search.clone(),
            sort: self.sort.clone(),
            descending: Some(!self.asc),
            limit: self.limit,
            cursor: self.cursor.clone(),
        })
    }
}
