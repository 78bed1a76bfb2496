//! Timing helpers shared by the benchmark binaries.
// Each benchmark binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Runs `run(i)` for i in 0..runs; returns each run's time and index, slowest last.
pub fn measure(runs: usize, mut run: impl FnMut(usize)) -> Vec<(Duration, usize)> {
    let mut times: Vec<(Duration, usize)> = (0..runs)
        .map(|i| {
            let started = Instant::now();
            run(i);
            (started.elapsed(), i)
        })
        .collect();
    times.sort();
    times
}

/// The `p` quantile (0–1) of sorted times, in milliseconds.
pub fn percentile_ms(sorted: &[(Duration, usize)], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
        .0
        .as_secs_f64()
        * 1000.0
}

/// The CLI built beside the benchmark, if it was.
pub fn cli_beside() -> Option<std::path::PathBuf> {
    let cli = std::env::current_exe()
        .expect("own path")
        .with_file_name("sgen-integrations-cli");
    if !cli.exists() {
        println!("whole process: skipped; build sgen-integrations-cli beside the bench first");
        return None;
    }
    Some(cli)
}

/// One CLI process on `data_dir`, which must succeed.
pub fn run_cli(cli: &std::path::Path, data_dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new(cli)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The CLI as a person runs it, `runs` times on `data_dir` (a new process each time), slowest
/// last; None when `sgen-integrations-cli` was not built beside the benchmark.
pub fn time_cli(
    data_dir: &std::path::Path,
    args: &[&str],
    runs: usize,
) -> Option<Vec<(Duration, usize)>> {
    let cli = cli_beside()?;
    Some(measure(runs, |_| run_cli(&cli, data_dir, args)))
}
