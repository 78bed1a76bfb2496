//! The command line's grammar.

pub mod access;
pub mod automation;
pub mod connections;
pub mod delivery;
pub mod event;
pub mod sandbox;
pub mod settings;
pub mod support;

use clap::{Args, Parser, Subcommand};
use connections::ConnectionsCommand;
use delivery::DeliveriesCommand;
use event::EventsCommand;
use sandbox::SandboxCommand;
use settings::SettingsCommand;
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
