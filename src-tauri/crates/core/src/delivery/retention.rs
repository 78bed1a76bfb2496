//! Delivery-log retention (SPEC §6, §8): a setting, 90 days unless an Administrator changes
//! it, enforced by a background job (the app runs it hourly; the CLI on request).

use crate::access::{self, Target};
use crate::kernel::activity::log_app_setting;
use crate::{Core, CoreError, CoreResult};
use sgen_store::{retention, settings};

pub const DEFAULT_RETENTION_DAYS: u32 = 90;
pub(crate) const RETENTION_KEY: &str = "delivery_log_retention_days";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Attempts deleted per transaction.
const PURGE_BATCH: u32 = 5_000;

impl Core {
    pub fn delivery_log_retention_days(&self) -> CoreResult<u32> {
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, RETENTION_KEY)?))?;
        Ok(stored
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Administrators only; 1 to 3,650 days.
    pub fn set_delivery_log_retention_days(&self, days: u32) -> CoreResult<u32> {
        let operator = self.authorize(access::Operation::SetDeliveryRetention, Target::App)?;
        if !(1..=3650).contains(&days) {
            return Err(CoreError::invalid(
                "the delivery-log retention must be 1 to 3650 days",
            ));
        }
        let before = self.delivery_log_retention_days()?;
        let now = self.now();
        self.write(|tx| {
            settings::set(tx, RETENTION_KEY, &days.to_string())?;
            log_app_setting(
                tx,
                now,
                &operator.id,
                "settings.delivery_log_retention",
                before.into(),
                days.into(),
            )
        })?;
        Ok(days)
    }

    /// Deletes every attempt older than the retention, a batch per transaction; returns how
    /// many.
    pub fn purge_delivery_log(&self) -> CoreResult<u64> {
        let before = self.now() - i64::from(self.delivery_log_retention_days()?) * DAY_MS;
        let mut purged = 0u64;
        loop {
            let n = self.write(|tx| {
                Ok::<_, CoreError>(retention::purge_attempts_before(tx, before, PURGE_BATCH)?)
            })?;
            purged += n as u64;
            if n < PURGE_BATCH as usize {
                return Ok(purged);
            }
        }
    }
}
