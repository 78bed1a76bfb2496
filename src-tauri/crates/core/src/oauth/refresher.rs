//! The background refresher (SPEC §4): OAuth connections whose access token expires within
//! the refresh margin are refreshed before anyone needs them, several at a time. A connection
//! whose refresh failed at the vendor or on the network keeps its credentials and is tried
//! again after a backoff that doubles from one minute to an hour; one the vendor refused
//! (`invalid_grant`) is `auth_expired` and waits for a person.

use crate::oauth::refresh::{Refresh, REFRESH_MARGIN_MS};
use crate::{Core, CoreError, CoreResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const FIRST_BACKOFF_MS: i64 = 60_000;
const MAX_BACKOFF_MS: i64 = 3_600_000;

/// What one round did (for the log and the benchmark).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshRound {
    pub due: u32,
    pub refreshed: u32,
    pub refused: u32,
    pub failed: u32,
}

/// When each connection whose refresh failed may be tried again, and how often it failed.
#[derive(Default)]
pub(crate) struct Backoff(Mutex<HashMap<String, (i64, u32)>>);

impl Backoff {
    fn waiting(&self, id: &str, now: i64) -> bool {
        self.lock().get(id).is_some_and(|(next, _)| *next > now)
    }

    fn failed(&self, id: &str, now: i64) {
        let mut map = self.lock();
        let failures = map.get(id).map_or(0, |(_, n)| *n) + 1;
        let delay = (FIRST_BACKOFF_MS << (failures - 1).min(10)).min(MAX_BACKOFF_MS);
        map.insert(id.to_string(), (now + delay, failures));
    }

    fn succeeded(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, u32)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Core {
    /// Refreshes every OAuth connection that is due, on `workers` threads.
    pub fn refresh_due(&self, workers: usize) -> CoreResult<RefreshRound> {
        let now = self.now();
        let due: Vec<String> = self
            .store
            .read(|conn| {
                Ok::<_, CoreError>(sgen_store::connections::due_for_refresh(
                    conn,
                    now + REFRESH_MARGIN_MS,
                )?)
            })?
            .into_iter()
            .filter(|id| !self.oauth.refresh_backoff.waiting(id, now))
            .collect();
        let next = AtomicUsize::new(0);
        let counts: Mutex<RefreshRound> = Mutex::new(RefreshRound {
            due: due.len() as u32,
            ..Default::default()
        });
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1).min(due.len().max(1)) {
                scope.spawn(|| {
                    while let Some(id) = due.get(next.fetch_add(1, Ordering::SeqCst)) {
                        let result = self.refresh_if_due(id, false);
                        let mut counts = counts.lock().unwrap_or_else(|p| p.into_inner());
                        match result {
                            Ok(Refresh::Refreshed) => {
                                counts.refreshed += 1;
                                self.oauth.refresh_backoff.succeeded(id);
                            }
                            Ok(Refresh::GrantRefused) => counts.refused += 1,
                            Ok(Refresh::NotDue) => {}
                            Err(e) => {
                                tracing::warn!(connection = %id, error = %e, "background refresh failed");
                                counts.failed += 1;
                                self.oauth.refresh_backoff.failed(id, now);
                            }
                        }
                    }
                });
            }
        });
        Ok(counts.into_inner().unwrap_or_else(|p| p.into_inner()))
    }
}
