//! Activity-log retention, a setting of its own: keep forever (the default) or a number of
//! days. It is the only way a row leaves the log, and the schema enforces that: a row newer
//! than the cutoff retention stored cannot be deleted.

use crate::access::{self, Target};
use crate::kernel::activity::log_app_setting;
use crate::{Core, CoreError, CoreResult};
use sgen_store::{activity, settings};

pub(crate) const RETENTION_KEY: &str = "activity_retention_days";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Core {
    /// Days the activity log keeps a row; None keeps every row forever.
    pub fn activity_retention_days(&self) -> CoreResult<Option<u32>> {
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, RETENTION_KEY)?))?;
        Ok(stored.and_then(|v| v.parse().ok()))
    }

    /// None keeps forever; otherwise 30 to 3,650 days (a month at least, so an audit trail
    /// is never cut to nothing by a slip).
    pub fn set_activity_retention_days(&self, days: Option<u32>) -> CoreResult<Option<u32>> {
        let operator = self.authorize(access::Operation::SetActivityRetention, Target::App)?;
        if let Some(days) = days {
            if !(30..=3650).contains(&days) {
                return Err(CoreError::invalid(
                    "the activity-log retention must be 30 to 3650 days, or forever",
                ));
            }
        }
        let before = self.activity_retention_days()?;
        let now = self.now();
        self.write(|tx| {
            match days {
                Some(days) => settings::set(tx, RETENTION_KEY, &days.to_string())?,
                None => settings::remove(tx, RETENTION_KEY)?,
            }
            log_app_setting(
                tx,
                now,
                &operator.id,
                access::Operation::SetActivityRetention.name(),
                before.into(),
                days.into(),
            )
        })?;
        Ok(days)
    }

    /// Deletes the rows older than the retention (none while it keeps forever); returns how
    /// many. The app runs it with the delivery log's.
    pub fn purge_activity_log(&self) -> CoreResult<u64> {
        let Some(days) = self.activity_retention_days()? else {
            return Ok(0);
        };
        let cutoff = self.now() - i64::from(days) * DAY_MS;
        let purged =
            self.write(|tx| Ok::<_, CoreError>(activity::purge_older_than(tx, cutoff)?))?;
        Ok(purged as u64)
    }
}
