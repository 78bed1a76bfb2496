//! `sgen-integrations-cli`: the same core as the desktop app, for support staff, scripts and
//! benchmarks. Every failure prints one line to stderr and exits non-zero.

mod args;
mod connections_cmd;
mod output;
mod sandbox_cmd;
mod secret_input;
mod time_bounds;

use args::{CatalogCommand, Cli, Command, DeliveriesCommand, DemoCommand, SitesCommand};
use clap::Parser;
use sgen_core::demo::DemoOptions;
use sgen_core::{Access, Core, CoreConfig, CoreError};
use std::process::ExitCode;

/// An event from a JSON file, or stdin for `-`.
fn read_event(path: &std::path::Path) -> Result<sgen_core::outbound::OutboundEvent, CoreError> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| CoreError::invalid(format!("cannot read the event {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        CoreError::invalid(format!(
            "the event is not {{\"originating_module\", \"event_identifier\", \"payload\"}} JSON: {e}"
        ))
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => {
            // clap's message is several lines (usage, hints); the first one is the reason.
            let text = err.to_string();
            eprintln!("{}", text.lines().next().unwrap_or("invalid arguments"));
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SGEN_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error [{}]: {err}", err.code());
            if let CoreError::Internal(detail) = &err {
                tracing::error!(%detail, "internal error");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), CoreError> {
    let data_dir = sgen_core::resolve_data_dir(cli.data_dir);
    let open = |access| Core::open(CoreConfig::new(data_dir.clone(), access));
    match cli.command {
        Command::Catalog {
            command: CatalogCommand::List { json },
        } => output::catalog(&sgen_core::library::catalog_entries()?, json),
        Command::Catalog {
            command: CatalogCommand::Validate { dir },
        } => output::validated(&sgen_core::library::validate_dir(&dir)?),
        Command::Sites {
            command: SitesCommand::List { json },
        } => output::sites(&open(Access::ReadOnly)?.sites()?, json),
        Command::Demo {
            command:
                DemoCommand::Seed {
                    deliveries,
                    seed,
                    no_credentials,
                    json,
                },
        } => {
            let core = open(Access::ReadWrite)?;
            let options = DemoOptions {
                delivery_attempts: deliveries,
                seed,
                sandbox_credentials: !no_credentials,
            };
            let started = std::time::Instant::now();
            let summary = core.seed_demo(&options, |done, total| {
                if !json {
                    eprint!("\rwriting delivery history: {done}/{total}");
                }
            })?;
            if !json {
                eprintln!();
            }
            output::demo(&summary, started.elapsed(), json)
        }
        Command::Deliveries {
            command: DeliveriesCommand::Query(args),
        } => {
            let core = open(Access::ReadOnly)?;
            let scope = args.scope.resolve(&core)?;
            let query = args.to_query(&time_bounds::Now::system())?;
            output::deliveries(&core.deliveries(&scope, &query)?, args.json)
        }
        Command::Deliveries {
            command:
                DeliveriesCommand::Send {
                    connection,
                    action,
                    event,
                    json,
                },
        } => {
            let core = open(Access::ReadWrite)?;
            let event = read_event(&event)?;
            output::sent(&core.send_event_now(&connection, &action, event)?, json)
        }
        Command::Deliveries {
            command: DeliveriesCommand::Retry { delivery, json },
        } => {
            let core = open(Access::ReadWrite)?;
            output::delivery_round(&core.retry_delivery_now(&delivery)?, json)
        }
        Command::Deliveries {
            command: DeliveriesCommand::Run { json },
        } => {
            let core = open(Access::ReadWrite)?;
            let round = core.deliver_due(sgen_core::outbound::DELIVERIES_PER_PASS)?;
            output::delivery_round(&round, json)
        }
        Command::Connections { command } => connections_cmd::run(&data_dir, command),
        Command::Sandbox { command } => sandbox_cmd::run(command),
    }
}
