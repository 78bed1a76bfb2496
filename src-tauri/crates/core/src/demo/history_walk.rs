//! The demo's delivery history written over its period: deliveries chosen by the connections'
//! weights, each with its attempts (`history`), in time order, in batches.

use super::history::{self, Target};
use super::rng::DemoRng;
use crate::delivery::log::import_history;
use crate::CoreResult;
use sgen_store::Transaction;

const BATCH_DELIVERIES: usize = 20_000;
/// A slight overestimate of the attempts one step of the walk yields (a delivery averages ~1.2
/// attempts; some steps yield none), so one pass covers the whole period and a short second
/// pass tops up the count.
const ATTEMPTS_PER_STEP: f64 = 1.25;

/// The delivery history: the period walked forward in even steps with jitter, so it is written
/// in time order. A step whose chosen connection sent nothing then is skipped; if the period
/// runs out before the requested count, another pass fills the rest. Returns (deliveries,
/// attempts).
pub(super) fn write_history(
    tx: &Transaction<'_>,
    rng: &mut DemoRng,
    targets: &[Target<'_>],
    wanted: u64,
    now: i64,
    progress: &mut impl FnMut(u64, u64),
) -> CoreResult<(u64, u64)> {
    let weights: Vec<u32> = targets.iter().map(|t| t.plan.weight).collect();
    let total_weight: u32 = weights.iter().sum();
    let first = targets.iter().map(|t| t.created_at).min().unwrap_or(now);
    let steps = (wanted as f64 / ATTEMPTS_PER_STEP) as i64 + 1;
    let step_ms = ((now - first) as f64 / steps as f64).max(1.0);
    let (mut generated, mut step) = (0u64, 0i64);
    let (mut deliveries, mut attempts) = (0u64, 0u64);
    import_history(
        tx,
        || {
            if generated >= wanted {
                return None;
            }
            let mut batch = Vec::with_capacity(BATCH_DELIVERIES);
            while batch.len() < BATCH_DELIVERIES && generated < wanted {
                let at = first + ((step % steps) as f64 * step_ms + rng.unit() * step_ms) as i64;
                step += 1;
                let target = &targets[weighted(rng, &weights, total_weight)];
                let Some(delivery) = history::delivery(rng, target, at, now) else {
                    continue;
                };
                generated += delivery.attempts.len() as u64;
                batch.push(delivery);
            }
            Some(batch)
        },
        |written| {
            deliveries += written.len() as u64;
            attempts += written.iter().map(|d| d.attempts.len() as u64).sum::<u64>();
            progress(attempts.min(wanted), wanted);
        },
    )?;
    Ok((deliveries, attempts))
}

fn weighted(rng: &mut DemoRng, weights: &[u32], total: u32) -> usize {
    let mut roll = rng.below(u64::from(total)) as u32;
    for (index, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    weights.len() - 1
}
