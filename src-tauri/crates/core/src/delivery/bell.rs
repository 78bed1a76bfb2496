//! Wakes the delivery worker when an event is queued, so a delivery is attempted within
//! milliseconds of being sent rather than at the worker's next tick.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

#[derive(Default)]
pub(crate) struct DeliveryBell {
    rung: Mutex<bool>,
    ringing: Condvar,
}

impl DeliveryBell {
    pub(crate) fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.ringing.notify_all();
    }

    /// Returns once the bell has rung since the last wait, or after `at_most`.
    pub(crate) fn wait(&self, at_most: Duration) {
        let rung = self.rung.lock().unwrap_or_else(|p| p.into_inner());
        let (mut rung, _) = self
            .ringing
            .wait_timeout_while(rung, at_most, |rung| !*rung)
            .unwrap_or_else(|p| p.into_inner());
        *rung = false;
    }
}
