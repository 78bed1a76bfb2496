//! Automations (SPEC §7, seed 004): a trigger, conditions in CEL and ordered actions, run by the
//! engine while the app is open, each run journaled step by step.

pub mod condition;
pub mod definition;
mod delivery_step;
pub mod library;
pub mod on_demand;
pub mod posture;
pub mod run_control;
pub mod runs;
mod schedules;
pub mod stepping;
pub mod tasks;
pub mod triggering;
mod waiting;

/// Passes over due runs in one engine pass at most (each takes up to `RUNS_PER_PASS`).
const MAX_ADVANCE_PASSES: usize = 100;

/// The engine's own state: one pass at a time in a process (one process writes a data
/// directory), so no event starts its runs twice and no run moves on twice at once.
#[derive(Default)]
pub(crate) struct AutomationsState {
    pass: std::sync::Mutex<()>,
}

impl crate::Core {
    /// One pass of the engine: the events stored since the last start their runs, schedules
    /// that are due fire, then the runs that are due move on as far as they can.
    pub fn run_automations(&self) -> crate::CoreResult<()> {
        let _one_at_a_time = self
            .automations
            .pass
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        while self.start_runs_from_events()? > 0 {}
        self.start_scheduled_runs()?;
        // Full passes mean more are due; a bound keeps one run's trouble from holding the
        // engine here, and the next pass goes on.
        for _ in 0..MAX_ADVANCE_PASSES {
            if self.advance_runs()? < stepping::RUNS_PER_PASS as usize {
                break;
            }
        }
        Ok(())
    }
}
