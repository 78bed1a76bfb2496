//! Logs go to stderr and to a daily-rotated file under `<data dir>/logs` (seven kept).

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

/// Installs the subscriber; the returned guard flushes the file when dropped at exit.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let filter = || EnvFilter::try_from_env("SGEN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let log_dir = data_dir.join("logs");
    // The appender lists this directory to prune old files, so it must exist first.
    let _ = std::fs::create_dir_all(&log_dir);
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("sgen-integrations")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&log_dir);
    let registry = tracing_subscriber::registry().with(
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter()),
    );
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            registry
                .with(
                    fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer)
                        .with_filter(filter()),
                )
                .init();
            Some(guard)
        }
        Err(e) => {
            registry.init();
            tracing::warn!(error = %e, "cannot write log files; logging to stderr only");
            None
        }
    }
}
