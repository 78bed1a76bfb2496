//! Timing helpers shared by the benchmark binaries.

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
