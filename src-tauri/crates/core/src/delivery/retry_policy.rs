//! When a failed delivery is tried again (SPEC §6). The default schedule waits immediately, 5 s,
//! 5 min, 30 min, 2 h, 5 h, 10 h and 10 h between attempts, each ±20 % so a vendor's recovery is
//! not met by every retry at once. A 429 or a timeout waits at least a minute; a `Retry-After`
//! is honoured up to a day; 2xx ends the delivery, 410 ends it as gone, and a failure after the
//! last attempt makes it a dead letter.

use sgen_store::outbox::AfterAttempt;

pub(crate) const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
/// The longest `Retry-After` followed; a vendor asking for longer is retried after a day.
const MAX_RETRY_AFTER_MS: i64 = 24 * HOUR;

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptResult {
    /// An HTTP answer, with its `Retry-After` in milliseconds from now when it had one.
    Answered {
        status: u16,
        retry_after_ms: Option<i64>,
    },
    TimedOut,
    /// No answer: refused, reset, unresolvable.
    Unreachable,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetryPolicy {
    /// Wait before attempt n+1 (index 0 is the first attempt's, normally 0).
    pub(crate) delays_ms: Vec<i64>,
    /// Fraction each wait may be shortened or lengthened by.
    pub(crate) jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            delays_ms: vec![
                0,
                5 * SECOND,
                5 * MINUTE,
                30 * MINUTE,
                2 * HOUR,
                5 * HOUR,
                10 * HOUR,
                10 * HOUR,
            ],
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// Where attempt number `made` (1-based) leaves its delivery. `unit` is a random number in
    /// [0, 1) for the jitter.
    pub(crate) fn after(
        &self,
        made: u32,
        result: AttemptResult,
        now: i64,
        unit: f64,
    ) -> AfterAttempt {
        let (slow_down, retry_after) = match result {
            AttemptResult::Answered {
                status: 200..=299, ..
            } => return AfterAttempt::Delivered,
            AttemptResult::Answered { status: 410, .. } => return AfterAttempt::DestinationGone,
            AttemptResult::Answered {
                status,
                retry_after_ms,
            } => (status == 429, retry_after_ms),
            AttemptResult::TimedOut => (true, None),
            AttemptResult::Unreachable => (false, None),
        };
        let Some(&planned) = self.delays_ms.get(made as usize) else {
            return AfterAttempt::DeadLetter;
        };
        let jittered = (planned as f64 * (1.0 + self.jitter * (2.0 * unit - 1.0))) as i64;
        let mut wait = match retry_after {
            Some(asked) => asked.clamp(0, MAX_RETRY_AFTER_MS).max(jittered),
            None => jittered,
        };
        if slow_down {
            wait = wait.max(MINUTE);
        }
        AfterAttempt::RetryAt(now + wait)
    }
}

/// A `Retry-After` value (seconds, or an HTTP date) as milliseconds from `now`.
pub(crate) fn parse_retry_after(value: &str, now: i64) -> Option<i64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<i64>() {
        // Clamped before it is multiplied: a vendor's 2^63 must not overflow.
        return Some(seconds.clamp(0, MAX_RETRY_AFTER_MS / SECOND) * SECOND);
    }
    chrono::DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|at| (at.timestamp_millis() - now).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn failed(status: u16) -> AttemptResult {
        AttemptResult::Answered {
            status,
            retry_after_ms: None,
        }
    }

    #[test]
    fn a_retry_after_out_of_range_is_clamped_never_overflowed() {
        assert_eq!(parse_retry_after("120", NOW), Some(120 * SECOND));
        assert_eq!(parse_retry_after("-3", NOW), Some(0));
        assert_eq!(
            parse_retry_after("9223372036854775807", NOW),
            Some(MAX_RETRY_AFTER_MS)
        );
        assert_eq!(parse_retry_after("soon", NOW), None);
    }

    #[test]
    fn failures_wait_the_schedule_within_the_jitter_then_dead_letter() {
        let policy = RetryPolicy::default();
        for made in 1..policy.delays_ms.len() as u32 {
            let planned = policy.delays_ms[made as usize];
            for unit in [0.0, 0.5, 0.999] {
                let AfterAttempt::RetryAt(at) = policy.after(made, failed(503), NOW, unit) else {
                    panic!("attempt {made} was not retried");
                };
                let wait = (at - NOW) as f64;
                assert!(
                    wait >= planned as f64 * 0.8 - 1.0 && wait <= planned as f64 * 1.2,
                    "{made}: {wait}"
                );
            }
        }
        assert_eq!(
            policy.after(8, failed(503), NOW, 0.5),
            AfterAttempt::DeadLetter
        );
    }

    #[test]
    fn success_gone_rate_limits_and_retry_after() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.after(3, failed(201), NOW, 0.5),
            AfterAttempt::Delivered
        );
        assert_eq!(
            policy.after(1, failed(410), NOW, 0.5),
            AfterAttempt::DestinationGone
        );
        // After the first attempt the schedule says 5 s; a 429 or a timeout waits a minute.
        assert_eq!(
            policy.after(1, failed(429), NOW, 0.5),
            AfterAttempt::RetryAt(NOW + MINUTE)
        );
        assert_eq!(
            policy.after(1, AttemptResult::TimedOut, NOW, 0.5),
            AfterAttempt::RetryAt(NOW + MINUTE)
        );
        assert_eq!(
            policy.after(1, AttemptResult::Unreachable, NOW, 0.5),
            AfterAttempt::RetryAt(NOW + 5 * SECOND)
        );
        let asked = |ms| AttemptResult::Answered {
            status: 503,
            retry_after_ms: Some(ms),
        };
        assert_eq!(
            policy.after(1, asked(2 * HOUR), NOW, 0.5),
            AfterAttempt::RetryAt(NOW + 2 * HOUR)
        );
        assert_eq!(
            policy.after(1, asked(90 * HOUR), NOW, 0.5),
            AfterAttempt::RetryAt(NOW + 24 * HOUR)
        );
        // Never sooner than the schedule.
        assert_eq!(
            policy.after(2, asked(SECOND), NOW, 0.5),
            AfterAttempt::RetryAt(NOW + 5 * MINUTE)
        );
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(parse_retry_after("120", NOW), Some(120 * SECOND));
        let in_a_minute = chrono::DateTime::from_timestamp_millis(NOW + MINUTE)
            .unwrap()
            .to_rfc2822();
        assert_eq!(parse_retry_after(&in_a_minute, NOW), Some(MINUTE));
        assert_eq!(parse_retry_after("soon", NOW), None);
    }
}
