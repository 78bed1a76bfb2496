//! `sandbox …`: the sandbox vendors started, given secrets and faults, and made to emit.

use crate::args::event::EmitArgs;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Start sandbox vendors and serve until stdin closes; prints each vendor's API address.
    Start {
        /// Connectors to start (default: all).
        connectors: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Give a running sandbox webhook receiver a signing secret (read from stdin or a prompt),
    /// as an operator would paste it into their endpoint.
    RegisterSecret {
        /// The receiver's address as `sandbox start` printed it.
        #[arg(long, value_name = "URL")]
        vendor: String,
    },
    /// Send a connection on a sandbox site an event of its vendor's, signed as the vendor
    /// signs it, to the listener (the app's, or `events listen`'s).
    Emit(EmitArgs),
    /// Set the faults of one account at a running sandbox vendor (replacing earlier ones).
    Fault {
        /// The vendor's address as `sandbox start` printed it.
        #[arg(long, value_name = "URL")]
        vendor: String,
        /// The account, as a test call reports it; `*` for every account without faults of
        /// its own (vendors whose answers name no account).
        #[arg(long)]
        account: String,
        #[arg(long)]
        revoked: bool,
        #[arg(long)]
        token_expired: bool,
        /// Answer every call with this HTTP status (5xx, 429, 401, 403).
        #[arg(long)]
        status: Option<u16>,
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// A scope the vendor no longer grants (repeatable).
        #[arg(long = "drop-scope")]
        dropped_scopes: Vec<String>,
        /// Refreshes send no new refresh token (a vendor that does not rotate them).
        #[arg(long)]
        keeps_refresh_token: bool,
    },
}
