//! The arguments of `events …` and `sandbox emit`: inbound vendor events.

use crate::args::ScopeArgs;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum EventsCommand {
    /// A connection's event source: how its events are verified, the public address its
    /// vendor signs, how many secrets are active (never the secrets). `--public-url` sets the
    /// address.
    Source {
        #[arg(long)]
        connection: String,
        #[arg(long, value_name = "URL", conflicts_with = "clear_public_url")]
        public_url: Option<String>,
        #[arg(long)]
        clear_public_url: bool,
        #[arg(long)]
        json: bool,
    },
    /// Receive vendor events on 127.0.0.1 until stdin closes (what `stripe listen
    /// --forward-to` or a tunnel points at): `/in/{connection}` on the set port, or --port.
    Listen {
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        json: bool,
    },
    /// The event log, newest first (vendors' events and the app's connection-state events).
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        connection: Option<String>,
        /// Exactly this type, e.g. `payment_intent.succeeded`.
        #[arg(long = "type")]
        event_type: Option<String>,
        /// pushed | pulled | app
        #[arg(long)]
        arrival: Option<String>,
        /// An event id (the app's or the vendor's) or the start of a type.
        #[arg(long)]
        search: Option<String>,
        /// `7d`, `12h`, a date or an RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        /// The `next_cursor` of the page before.
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One event: its headers (redacted), payload and how it was verified.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Requests the listener refused, newest first, with the step that failed.
    Rejected {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        connection: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        cursor: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Fetch what the vendors' events APIs list since each connection's cursor (Stripe), and
    /// store what the app did not have: the events missed while it was closed.
    Reconcile {
        #[command(flatten)]
        scope: ScopeArgs,
        /// Only this connection (otherwise every one whose vendor has an events API).
        #[arg(long)]
        connection: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Check a refused request again with the connection's secrets as they are now; one that
    /// passes is recorded as its events.
    Recheck {
        seq: i64,
        #[arg(long)]
        json: bool,
    },
    /// Set the vendor's signing secret for a connection's events, from stdin or a prompt
    /// (never an argument). `--keep-previous` keeps the one before valid while the vendor
    /// rotates.
    Secret {
        #[arg(long)]
        connection: String,
        #[arg(long)]
        keep_previous: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct EmitArgs {
    #[arg(long)]
    pub connection: String,
    /// One of the vendor's event types, e.g. `payment_intent.succeeded`.
    #[arg(long = "type")]
    pub event_type: String,
    /// The event as JSON (default: the vendor's example).
    #[arg(long, value_name = "FILE")]
    pub payload: Option<std::path::PathBuf>,
    /// Sign it at this time (`10m` back, a date, RFC 3339): shows a clock-skew refusal.
    #[arg(long)]
    pub at: Option<String>,
    /// Send it twice: shows deduplication.
    #[arg(long)]
    pub twice: bool,
    /// Sign it with a secret that is not the connection's: shows a refusal.
    #[arg(long)]
    pub wrong_secret: bool,
    /// The vendor keeps it in its events API but does not send it, as while the app was
    /// closed: `events reconcile` finds it.
    #[arg(long, conflicts_with_all = ["twice", "wrong_secret"])]
    pub missed: bool,
    #[arg(long)]
    pub json: bool,
}
