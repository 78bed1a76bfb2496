//! The command line's grammar.

pub mod access;
pub mod automation;
pub mod delivery;
pub mod event;
pub mod support;

use clap::{Args, Parser, Subcommand};
use delivery::DeliveriesCommand;
use event::{EmitArgs, EventsCommand};
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::model::EnvironmentName;
use sgen_core::{Core, CoreError};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "sgen-integrations-cli",
    version,
    about = "SGEN Integrations Desktop, headless"
)]
pub struct Cli {
    /// Data directory (default: $SGEN_DATA_DIR, then the desktop app's own).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The profile to act as (default: the OS user's own). A profile with a passphrase asks
    /// for it on the terminal, or reads it from the first line of stdin.
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// The connector catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Administrator settings: the outbound allow-list, the delivery-log retention.
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// Sites in the data directory.
    Sites {
        #[command(subcommand)]
        command: SitesCommand,
    },
    /// The demo site.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// The delivery log.
    Deliveries {
        #[command(subcommand)]
        command: DeliveriesCommand,
    },
    /// Connections: create, test, pause, resume, disconnect.
    Connections {
        #[command(subcommand)]
        command: ConnectionsCommand,
    },
    /// The app's background work without its window — refreshing tokens, delivering due
    /// events, purging the log past its retention — until stdin closes.
    Work {
        #[arg(long)]
        json: bool,
    },
    /// Simulated vendors on this computer.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Vendor events coming in: each connection's event source.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Automations: a trigger, conditions and actions, saved from JSON.
    Automations {
        #[command(subcommand)]
        command: automation::AutomationsCommand,
    },
    /// Automation runs, newest first.
    Runs {
        #[command(subcommand)]
        command: automation::RunsCommand,
    },
    /// Human tasks automations wait on: the inbox, and completing one.
    Tasks {
        #[command(subcommand)]
        command: automation::TasksCommand,
    },
    /// Operator profiles: who may act.
    Operators {
        #[command(subcommand)]
        command: access::OperatorsCommand,
    },
    /// Roles and their capabilities, and per-family overrides.
    Roles {
        #[command(subcommand)]
        command: access::RolesCommand,
    },
    /// The activity log: who did what, when, and how it went.
    Activity {
        #[command(subcommand)]
        command: access::ActivityCommand,
    },
    /// Support bundles: export a site, open one as a support workspace, replay a delivery
    /// offline.
    Bundle {
        #[command(subcommand)]
        command: support::BundleCommand,
    },
    /// Is everything healthy? The database, the keyring, connections, the outbox, background
    /// work, the disk. Exits non-zero, naming the problem, when anything is not.
    Health {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
pub enum ConnectionsCommand {
    /// Connections of a site environment.
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        /// Only connections in this state.
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Connect a connector. Keys: secret fields are read from stdin (one line each, in the
    /// manifest's order) or prompted for, never taken from arguments. OAuth: prints the address
    /// to open in a browser and waits (up to 5 minutes) for the vendor to send it back.
    Create {
        #[command(flatten)]
        scope: ScopeArgs,
        /// Catalog slug, e.g. `brevo`.
        #[arg(long)]
        connector: String,
        /// Display name of the connection.
        #[arg(long)]
        name: String,
        /// Auth flow (default: the connector's first).
        #[arg(long)]
        flow: Option<String>,
        /// A non-secret credential field, NAME=VALUE (repeatable).
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// OAuth: a scope to ask for (repeatable; default: every scope the connector lists).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// The vendor's API address, when not the catalog's (a sandbox vendor, an instance).
        #[arg(long, value_name = "URL")]
        api_base: Option<String>,
        #[command(flatten)]
        oauth_server: OAuthServerArgs,
        #[arg(long)]
        json: bool,
    },
    /// A read-only call to the vendor with the stored credential.
    Test {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// OAuth: refresh the access token now (the refresh token rotates), then test.
    Refresh {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Set how an action's request is made from an event: `--field TARGET=SOURCE` for each
    /// field (dotted paths; a "quoted" source is a constant). No --field clears the mapping.
    Map {
        id: String,
        #[arg(long)]
        action: String,
        #[arg(long = "field", value_name = "TARGET=SOURCE")]
        fields: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Webhook connections: a new signing secret (printed once, on stderr); the old one keeps
    /// signing for a day. `--finish` drops the old one now.
    RotateSecret {
        id: String,
        #[arg(long)]
        finish: bool,
        #[arg(long)]
        json: bool,
    },
    /// Stop deliveries; keep the credential.
    Pause {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Test, then resume (a failed test leaves the connection in `error`).
    Resume {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke at the vendor where possible, then remove the connection and its credential.
    Disconnect {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

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

/// OAuth: another authorization server than the catalog's (an instance, a test server, or the
/// vendor's own with a client you registered there).
#[derive(clap::Args)]
pub struct OAuthServerArgs {
    #[arg(long, value_name = "URL", requires_all = ["token_url", "client_id"])]
    pub authorize_url: Option<String>,
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub token_url: Option<String>,
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub revoke_url: Option<String>,
    /// The `iss` the server sends on its callbacks, when it does.
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub issuer: Option<String>,
    #[arg(long, requires = "authorize_url")]
    pub client_id: Option<String>,
}

impl OAuthServerArgs {
    pub fn server(self) -> Option<sgen_core::OAuthServer> {
        Some(sgen_core::OAuthServer {
            authorize_url: self.authorize_url?,
            token_url: self.token_url?,
            revoke_url: self.revoke_url,
            issuer: self.issuer,
            client_id: self.client_id?,
        })
    }
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Every connector in the built-in catalog.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check a directory of connector manifests (*.json) against the schema and rules.
    Validate { dir: PathBuf },
}

#[derive(Subcommand)]
pub enum SitesCommand {
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a site of your own (not a demo): its connections reach real vendors.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        domain: String,
        #[arg(long)]
        json: bool,
    },
}

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

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Create the demo site "Acme Outdoor" in an empty data directory.
    Seed {
        /// Delivery attempts in the generated history.
        #[arg(long, default_value_t = sgen_core::demo::DEFAULT_DELIVERY_ATTEMPTS)]
        deliveries: u64,
        /// Seed of the deterministic generator.
        #[arg(long, default_value_t = sgen_core::demo::DEFAULT_SEED)]
        seed: u64,
        /// Leave the connections without credentials (no keyring needed, no sandbox started).
        #[arg(long)]
        no_credentials: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct ScopeArgs {
    /// Site id (default: the only, or first, site).
    #[arg(long)]
    pub site: Option<String>,
    #[arg(long, default_value = "live", value_parser = parse_environment)]
    pub environment: EnvironmentName,
}

impl ScopeArgs {
    pub fn resolve(&self, core: &Core) -> Result<SiteEnvironment, CoreError> {
        let site_id = match &self.site {
            Some(site) => site.clone(),
            None => core
                .sites()?
                .into_iter()
                .next()
                .map(|s| s.id)
                .ok_or_else(|| {
                    CoreError::invalid("the data directory has no site; run `demo seed` first")
                })?,
        };
        Ok(SiteEnvironment {
            site_id,
            environment: self.environment,
        })
    }
}

fn parse_environment(text: &str) -> Result<EnvironmentName, String> {
    EnvironmentName::parse(text)
        .ok_or_else(|| format!("expected one of {}", EnvironmentName::choices()))
}
