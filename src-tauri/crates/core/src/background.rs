//! The work the app does while it is open (SPEC §4, §6, §7): keeping OAuth connections fresh,
//! delivering due events, purging the delivery log past its retention, retrying
//! revocations a vendor did not confirm, and catching up on vendors' events. Each is a task on
//! the core's runtime under the supervisor; the desktop app and the CLI's long-running
//! commands start them the same way, with `Core::start_background`.

use crate::kernel::events::CoreEvent;
use crate::kernel::supervisor::{blocking, Supervisor, TaskRun, TaskStatus, FIRST_BACKOFF};
use crate::{Core, CoreResult};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often each task looks for work.
#[derive(Debug, Clone)]
pub struct Cadences {
    /// Tokens are refreshed within 15 minutes of expiry, so a minute is ample.
    pub refresh_every: Duration,
    /// How often the delivery worker looks for due retries; a newly queued event wakes it at
    /// once.
    pub deliver_every: Duration,
    pub purge_every: Duration,
    /// How often revocations a vendor did not confirm are looked at; their own schedule
    /// starts at a minute.
    pub revoke_every: Duration,
    /// How often events are fetched from the vendors' events APIs (also once soon after the
    /// start, for what was missed while the app was closed).
    pub catch_up_every: Duration,
    /// How often the automation engine looks for due runs when nothing wakes it.
    pub automations_every: Duration,
    /// How often the WAL is copied into the database beside the writer.
    pub checkpoint_every: Duration,
}

impl Default for Cadences {
    fn default() -> Self {
        Self {
            refresh_every: Duration::from_secs(60),
            deliver_every: Duration::from_secs(1),
            purge_every: Duration::from_secs(60 * 60),
            revoke_every: Duration::from_secs(30),
            catch_up_every: Duration::from_secs(15 * 60),
            automations_every: Duration::from_millis(500),
            checkpoint_every: CHECKPOINT_EVERY,
        }
    }
}

impl Cadences {
    /// Every task an hour apart: for a process that runs the inbound listener beside them and
    /// little else (`events listen`, benchmarks, tests).
    pub fn idle() -> Self {
        let hour = Duration::from_secs(60 * 60);
        Self {
            refresh_every: hour,
            deliver_every: hour,
            purge_every: hour,
            revoke_every: hour,
            catch_up_every: hour,
            automations_every: hour,
            // Not work but upkeep: a listener's writes need it as much as the app's.
            checkpoint_every: CHECKPOINT_EVERY,
        }
    }
}

const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// How long shutdown waits for the tasks to finish what they are doing: longer than a slow
/// vendor's answer, shorter than anyone waits for a window to close.
pub const SHUTDOWN_WITHIN: Duration = Duration::from_secs(10);

impl Core {
    /// Starts the token refresher, the delivery worker, the log-retention job and the
    /// revocation retries. Stop them
    /// with `Supervisor::shutdown`.
    pub fn start_background(self: &Arc<Self>, cadences: Cadences) -> CoreResult<Supervisor> {
        // Each change of a task's status is announced, so the window shows it as it happens.
        let core = Arc::downgrade(self);
        let announce = Arc::new(move |status: &TaskStatus| {
            if let Some(core) = core.upgrade() {
                core.events.publish(vec![CoreEvent::BackgroundChanged {
                    status: status.clone(),
                }]);
            }
        });
        let supervisor = Supervisor::new(self.runtime.handle()?.clone(), FIRST_BACKOFF, announce);
        let cancel = supervisor.cancellation();

        // A support workspace is a copy to look at: nothing in it is refreshed, delivered,
        // purged or run, and no vendor is called.
        if self.support_workspace()?.is_none() {
            self.supervise_work(&supervisor, &cancel, &cadences);
        }
        let (core, stop, every) = (self.clone(), cancel.clone(), cadences.checkpoint_every);
        supervisor.supervise("checkpoint", move || {
            let (core, stop) = (core.clone(), stop.clone());
            Box::pin(async move {
                loop {
                    let store = core.clone();
                    blocking(move || Ok(store.store.checkpoint_beside_writer()?)).await?;
                    tokio::select! {
                        _ = stop.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(every) => {}
                    }
                }
            })
        });
        Ok(supervisor)
    }

    /// The background work proper: refreshing, delivering, purging, retrying revocations,
    /// catching up on events, running automations.
    fn supervise_work(
        self: &Arc<Self>,
        supervisor: &Supervisor,
        cancel: &CancellationToken,
        cadences: &Cadences,
    ) {
        supervisor.supervise(
            "token refresher",
            periodically(self, cancel, cadences.refresh_every, |core| {
                let round = core.refresh_due(4)?;
                if round.due > 0 {
                    tracing::info!(?round, "background refresh");
                }
                Ok(())
            }),
        );

        let (core, stop, every) = (self.clone(), cancel.clone(), cadences.deliver_every);
        supervisor.supervise("delivery worker", move || {
            let (core, stop) = (core.clone(), stop.clone());
            Box::pin(async move {
                // Not while the app is starting: its window comes first.
                tokio::select! {
                    _ = stop.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(every) => {}
                }
                // Returns once told to stop (in-flight attempts recorded, leases given back),
                // or when recording fails (the disk is full), which the supervisor restarts.
                blocking(move || core.deliver_continuously(every, &|| !stop.is_cancelled()))
                    .await
                    .map(|_| ())
            })
        });

        supervisor.supervise(
            "log retention",
            periodically(self, cancel, cadences.purge_every, |core| {
                let purged = core.purge_delivery_log()?;
                if purged > 0 {
                    tracing::info!(purged, "delivery log retention");
                }
                let purged = core.purge_activity_log()?;
                if purged > 0 {
                    tracing::info!(purged, "activity log retention");
                }
                Ok(())
            }),
        );

        supervisor.supervise(
            "revocation retries",
            periodically(self, cancel, cadences.revoke_every, |core| {
                let round = core.retry_due_revocations()?;
                if round != Default::default() {
                    tracing::info!(?round, "revocation retries");
                }
                Ok(())
            }),
        );
        let (core, stop, every) = (self.clone(), cancel.clone(), cadences.catch_up_every);
        supervisor.supervise("event catch-up", move || {
            let (core, stop) = (core.clone(), stop.clone());
            Box::pin(async move {
                // Soon after the start (the window first), then on the schedule.
                let mut wait = CATCH_UP_AFTER_START.min(every);
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(wait) => {}
                    }
                    let core = core.clone();
                    let round = blocking(move || core.catch_up_all(None)).await?;
                    for failed in round.iter().filter(|r| r.error.is_some()) {
                        tracing::warn!(connection = %failed.connection_id, error = ?failed.error, "event catch-up failed");
                    }
                    wait = every;
                }
            })
        });
        let (core, stop, every) = (self.clone(), cancel.clone(), cadences.automations_every);
        supervisor.supervise("automations", move || {
            let (core, stop) = (core.clone(), stop.clone());
            Box::pin(async move {
                // Woken by anything the core announces (events recorded, deliveries done, runs
                // started), and on its tick for delays.
                let mut announced = core.events.subscribe();
                loop {
                    let pass = core.clone();
                    blocking(move || pass.run_automations()).await?;
                    tokio::select! {
                        _ = stop.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(every) => {}
                        _ = announced.recv() => {}
                    }
                }
            })
        });
    }
}

/// How long after the start the first catch-up waits.
const CATCH_UP_AFTER_START: Duration = Duration::from_secs(10);

/// A task that does `work` every `period` (first after one period) until `stop` is cancelled.
fn periodically(
    core: &Arc<Core>,
    stop: &CancellationToken,
    period: Duration,
    work: fn(&Core) -> CoreResult<()>,
) -> impl Fn() -> TaskRun + Send + Sync + 'static {
    let (core, stop) = (core.clone(), stop.clone());
    move || {
        let (core, stop) = (core.clone(), stop.clone());
        Box::pin(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(period) => {}
                }
                let core = core.clone();
                blocking(move || work(&core)).await?;
            }
        })
    }
}
