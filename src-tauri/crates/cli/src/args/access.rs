//! Arguments of `operators …`, `roles …` and `activity …`.

use crate::args::ScopeArgs;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum OperatorsCommand {
    /// The profiles, with their roles (and whether each has a passphrase).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a profile (Administrators). With --passphrase, the passphrase is read from stdin or
    /// prompted for, never taken from an argument.
    Add {
        #[arg(long)]
        name: String,
        /// A role's id: administrator, editor, viewer, or a custom role's.
        #[arg(long)]
        role: String,
        #[arg(long)]
        passphrase: bool,
        #[arg(long)]
        json: bool,
    },
    /// Change a profile's name, role or passphrase (Administrators).
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        role: Option<String>,
        /// Set a new passphrase (read from stdin or prompted for).
        #[arg(long, conflicts_with = "clear_passphrase")]
        passphrase: bool,
        #[arg(long)]
        clear_passphrase: bool,
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile (not the last Administrator, not the one acting).
    Remove {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum RolesCommand {
    /// Built-in and custom roles with their capabilities, and every capability.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a custom role, or change one with --id (built-in roles are copied, not edited).
    Save {
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        name: String,
        /// A capability it grants (repeatable); `roles list` names them.
        #[arg(long = "capability", value_name = "CAPABILITY")]
        capabilities: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a custom role no profile has held.
    Remove {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Which capability a connector family requires besides the operation's own, for
    /// create, edit scopes, refresh, disconnect and rotate (`none` lifts the gate).
    Gate {
        /// A family id: payment_platforms, crm, …
        family: String,
        capability: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
pub enum ActivityCommand {
    /// The activity log of a site, newest first: who did what to which connection, and how it
    /// went. With --csv, every row the filters select goes to FILE (`-` for stdout).
    Query {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        connection: Option<String>,
        /// A profile's id or name.
        #[arg(long)]
        operator: Option<String>,
        /// An action (`connection.disconnect`) or a kind of them ending in a dot (`connection.`).
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        outcome: Option<String>,
        /// From (7d, 12h, a date or an RFC 3339 time).
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
        /// Oldest first.
        #[arg(long)]
        asc: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// One row in full: what changed, the catalog version, the vendor's response code.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Keep activity rows for DAYS (30 to 3650), or `forever` (the default).
    Retention {
        days: Option<String>,
        #[arg(long)]
        json: bool,
    },
}
