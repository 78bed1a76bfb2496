//! Arguments of `bundle …` and `health`.

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Export a site as one support bundle: its configuration without any secret, its
    /// delivery log with each attempt's redacted request and answer, events, runs, activity.
    Export {
        #[arg(long)]
        site: String,
        /// Only history since then: a duration back (7d, 12h), a date or an RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        /// Only this connection (repeat for more).
        #[arg(long = "connection", value_name = "ID")]
        connections: Vec<String>,
        /// The bundle file to write (it must not exist yet).
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Open a bundle as a new support workspace: `--data-dir DIR` (new or empty), or a new
    /// directory beside the app's own.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Replay a delivery of a bundle (or of a support workspace's directory) offline against
    /// its recorded answers, under this app's retry policy or the changes given.
    Replay {
        /// A bundle file, or a support workspace's data directory.
        file: PathBuf,
        #[arg(long)]
        delivery: String,
        /// A field mapping for the replayed request, as JSON: {"target.path": "source.path"},
        /// sources read from the recorded request's body, "\"text\"" for a constant.
        #[arg(long)]
        mapping: Option<String>,
        /// Waits between attempts in seconds, comma-separated, the first 0: `0,5,300`.
        #[arg(long, value_delimiter = ',')]
        retry_schedule: Option<Vec<u64>>,
        /// The connector's API address override: a server on this computer standing in for
        /// the vendor (`http://127.0.0.1:8080`), whose answers are used instead of the recording.
        #[arg(long)]
        api_base: Option<String>,
        #[arg(long)]
        json: bool,
    },
}
