//! `settings …`: a site's delivery settings, its key, the retention, the inbound port.

use crate::args::ScopeArgs;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Show the site's outbound allow-list, or replace it with --host (repeatable; none
    /// clears it). Hosts listed may receive webhooks the SSRF policy would otherwise refuse.
    AllowList {
        #[command(flatten)]
        scope: ScopeArgs,
        /// Replace the list with these hosts.
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// Empty the list.
        #[arg(long, conflicts_with = "hosts")]
        clear: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the retry schedule (each attempt's wait after the one before, in seconds), or
    /// set it: `settings retry-schedule 0 5 300 1800`.
    RetrySchedule {
        waits: Vec<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Show the inbound listener's port, or set it (1024 to 65535; a running app moves to it).
    InboundPort {
        port: Option<u16>,
        #[arg(long)]
        json: bool,
    },
    /// Show the delivery-log retention in days, or set it.
    Retention {
        days: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// A new encryption key for the site: every sealed secret re-encrypted under it in one
    /// transaction, the old key removed from the keyring after.
    RotateKey {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        json: bool,
    },
}
