//! The arguments of `automations …` and `runs …`.

use crate::args::ScopeArgs;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum AutomationsCommand {
    /// Automations of a site environment.
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        json: bool,
    },
    /// One automation: its definition, its conditions as CEL, the connections it depends on.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Saves an automation from a JSON file in seed 004's shape (`-` reads stdin); with
    /// `--id`, as a new version of that automation.
    Import {
        file: PathBuf,
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The automation as JSON, for `import`.
    Export { id: String },
    /// The JSON Schema automations are checked against.
    Schema,
    Activate {
        id: String,
        #[arg(long)]
        json: bool,
    },
    Pause {
        id: String,
        #[arg(long)]
        json: bool,
    },
    Archive {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Runs it now against the event in FILE, doing nothing: each step records what it would
    /// have done.
    DryRun {
        id: String,
        #[arg(long, value_name = "FILE")]
        event: PathBuf,
        /// The connection the event is from (default: the trigger's).
        #[arg(long)]
        connection: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum RunsCommand {
    /// Runs, newest first.
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        automation: Option<String>,
        /// running | waiting | completed | failed | cancelled | skipped
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One run: each step's input, output and error; why its conditions did not pass.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}
