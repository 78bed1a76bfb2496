//! The arguments of `automations …`, `runs …` and `tasks …`.

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
    /// Starts a manual automation now with the input in FILE (`-` reads stdin; default `{}`).
    Run {
        id: String,
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Runs now the events kept while the automation is paused for an unhealthy connection.
    Drain {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Drops the events kept while the automation is paused for an unhealthy connection.
    Discard {
        id: String,
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
    /// Retries a failed run (from the failed step, reusing what the steps before it recorded)
    /// — or, with `--automation`/`--all` instead of an ID, every failed run they select.
    Retry {
        /// The run; leave it out with `--all` to retry every failed run of the scope (or of
        /// `--automation`).
        id: Option<String>,
        /// Every step again, not from the failed one.
        #[arg(long)]
        from_start: bool,
        /// failed (the version the run failed with) | current
        #[arg(long, default_value = "failed")]
        version: String,
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        automation: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Cancels a running or waiting run.
    Cancel {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum TasksCommand {
    /// Human tasks, oldest first (pending ones by default: the inbox).
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        /// pending | completed | expired | cancelled | all
        #[arg(long, default_value = "pending")]
        status: String,
        #[arg(long)]
        json: bool,
    },
    /// Completes a pending task with the JSON object in FILE (`-` reads stdin), checked
    /// against the task's schema.
    Complete {
        id: String,
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
        #[arg(long)]
        json: bool,
    },
}
