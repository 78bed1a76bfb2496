//! `sgen-integrations-cli`: the same core as the desktop app, for support staff, scripts and
//! benchmarks. Every failure prints one line to stderr and exits non-zero.

mod args;
mod commands;
mod output;
mod secret_input;
mod time_bounds;

use args::{CatalogCommand, Cli, Command, DemoCommand, SitesCommand};
use clap::Parser;
use sgen_core::demo::DemoOptions;
use sgen_core::{Access, Core, CoreConfig, CoreError};
use std::process::ExitCode;

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
    let given_data_dir = cli.data_dir.clone();
    let data_dir = sgen_core::resolve_data_dir(cli.data_dir);
    let operator = cli.operator;
    let open = |access| open_as(&data_dir, operator.as_deref(), access);
    match cli.command {
        Command::Catalog {
            command: CatalogCommand::List { json },
        } => output::catalog(&sgen_core::connections::library::catalog_entries()?, json),
        Command::Catalog {
            command: CatalogCommand::Validate { dir },
        } => output::validated(&sgen_core::connections::library::validate_dir(&dir)?),
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
                automations: !no_credentials,
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
        Command::Deliveries { command } => commands::deliveries::run(open, command),
        Command::Settings { command } => commands::settings::run(open, command),
        Command::Sites {
            command: SitesCommand::Create { name, domain, json },
        } => output::sites(
            &[open(Access::ReadWrite)?.create_site(&name, &domain)?],
            json,
        ),
        Command::Connections { command } => commands::connections::run(open, command),
        Command::Sandbox { command } => commands::sandbox::run(open, command),
        Command::Events { command } => commands::events::run(open, command),
        Command::Automations { command } => commands::automations::run(open, command),
        Command::Runs { command } => commands::automations::runs(open, command),
        Command::Tasks { command } => commands::automations::tasks(open, command),
        Command::Work { json } => commands::work::run(open(Access::ReadWrite)?, json),
        Command::Operators { command } => commands::access::operators(&open, command),
        Command::Roles { command } => commands::access::roles(&open, command),
        Command::Activity { command } => commands::access::activity(&open, command),
        Command::Bundle { command } => commands::support::bundle(&open, given_data_dir, command),
        Command::Health { json } => commands::support::health(&open, json),
    }
}

/// Opens the data directory acting as `operator` (a profile's name or id), or as the OS user's
/// own profile. Reading needs no one in particular (every role may look), so only a
/// read-write open switches, asking for the profile's passphrase if it has one.
fn open_as(
    data_dir: &std::path::Path,
    operator: Option<&str>,
    access: Access,
) -> Result<Core, CoreError> {
    let core = Core::open(CoreConfig::new(data_dir, access))?;
    let Some(name) = operator.filter(|_| access == Access::ReadWrite) else {
        return Ok(core);
    };
    let profile = core
        .operators()?
        .into_iter()
        .find(|o| o.id == name || o.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| CoreError::NotFound {
            what: "operator profile",
            id: name.into(),
        })?;
    let passphrase = match profile.has_passphrase {
        true => Some(secret_input::read_secret(&format!(
            "{}'s passphrase",
            profile.name
        ))?),
        false => None,
    };
    core.switch_operator(&profile.id, passphrase.as_ref().map(|p| p.expose()))?;
    Ok(core)
}
