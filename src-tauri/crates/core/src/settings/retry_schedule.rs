//! The retry schedule as a setting (SPEC §8): each attempt's wait in seconds, the first 0.
//! Every delivery pass reads it, so a change applies to the next attempt scheduled.

use crate::access::{self, Target};
use crate::delivery::retry_policy::{RetryPolicy, SECOND};
use crate::kernel::activity::log_app_setting;
use crate::{Core, CoreError, CoreResult};
use sgen_store::settings;

pub(crate) const KEY: &str = "retry_schedule_s";
const MAX_ATTEMPTS: usize = 20;
const MAX_WAIT_S: u64 = 7 * 24 * 60 * 60;

impl Core {
    /// Each attempt's wait after the one before, in seconds (the first attempt's is 0).
    pub fn retry_schedule(&self) -> CoreResult<Vec<u64>> {
        Ok(self
            .retry_policy()?
            .delays_ms
            .iter()
            .map(|ms| (ms / SECOND) as u64)
            .collect())
    }

    /// Administrators only: 1 to 20 attempts, the first immediate, none more than a week
    /// after the one before. Deliveries already waiting keep the time they were given.
    pub fn set_retry_schedule(&self, waits_s: Vec<u64>) -> CoreResult<Vec<u64>> {
        let operator = self.authorize(access::Operation::SetRetrySchedule, Target::App)?;
        check(&waits_s)?;
        let text =
            serde_json::to_string(&waits_s).map_err(|e| CoreError::Internal(e.to_string()))?;
        let before = self.retry_schedule()?;
        let now = self.now();
        self.write(|tx| {
            settings::set(tx, KEY, &text)?;
            log_app_setting(
                tx,
                now,
                &operator.id,
                "settings.retry_schedule",
                serde_json::json!(before),
                serde_json::json!(waits_s),
            )
        })?;
        Ok(waits_s)
    }

    pub(crate) fn retry_policy(&self) -> CoreResult<RetryPolicy> {
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, KEY)?))?;
        Ok(stored
            .as_deref()
            .map_or_else(RetryPolicy::default, policy_from))
    }
}

/// 1 to 20 attempts, the first immediate, none more than a week after the one before.
fn check(waits_s: &[u64]) -> CoreResult<()> {
    if waits_s.is_empty() || waits_s.len() > MAX_ATTEMPTS {
        return Err(CoreError::invalid(format!(
            "the retry schedule has 1 to {MAX_ATTEMPTS} attempts"
        )));
    }
    if waits_s[0] != 0 {
        return Err(CoreError::invalid(
            "the first attempt is made immediately: the schedule starts with 0",
        ));
    }
    if waits_s.iter().any(|&w| w > MAX_WAIT_S) {
        return Err(CoreError::invalid(
            "no wait in the retry schedule may be longer than 7 days",
        ));
    }
    Ok(())
}

/// The policy of a schedule an operator gives (an offline replay's changed schedule), checked
/// as a saved one would be.
pub(crate) fn checked_policy(waits_s: &[u64]) -> CoreResult<RetryPolicy> {
    check(waits_s)?;
    Ok(RetryPolicy {
        delays_ms: waits_s.iter().map(|s| *s as i64 * SECOND).collect(),
        ..RetryPolicy::default()
    })
}

/// The stored schedule, when it is one `set_retry_schedule` would accept; anything else (a
/// file edited by hand, damaged, or from a build with other rules) gives the default rather
/// than waits that overflow or never end.
fn policy_from(stored: &str) -> RetryPolicy {
    match serde_json::from_str::<Vec<u64>>(stored).map(|waits| checked_policy(&waits)) {
        Ok(Ok(policy)) => policy,
        _ => {
            tracing::warn!(
                "the stored retry schedule is not one the app accepts; using the default"
            );
            RetryPolicy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the settings table holds, the policy made from it has 1 to 20 attempts,
        /// each wait within a week (so no schedule arithmetic can overflow).
        #[test]
        fn fuzz_a_stored_schedule_gives_a_bounded_policy(
            stored in r"\[[0-9, -]{0,120}\]|.{0,60}|\[(0|18446744073709551615|9223372036854775807|604800|604801)(, ?[0-9]{1,20}){0,25}\]",
        ) {
            let policy = policy_from(&stored);
            prop_assert!((1..=MAX_ATTEMPTS).contains(&policy.delays_ms.len()));
            prop_assert!(policy.delays_ms.iter().all(|&ms| (0..=MAX_WAIT_S as i64 * SECOND).contains(&ms)));
        }
    }
}
