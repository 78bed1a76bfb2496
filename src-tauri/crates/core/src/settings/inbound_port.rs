//! The inbound listener's port as a setting (SPEC §8): fixed by default so a forwarder or a
//! tunnel is pointed at it once; the running listener moves to a new one at once.

use crate::access::{self, Target};
use crate::inbound::listener::DEFAULT_PORT;
use crate::kernel::activity::log_app_setting;
use crate::{Core, CoreError, CoreResult};
use sgen_store::settings;

const KEY: &str = "inbound_port";
pub(crate) const SETTING: &str = "inbound_port";

impl Core {
    pub fn inbound_port(&self) -> CoreResult<u16> {
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, KEY)?))?;
        Ok(stored.and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT))
    }

    /// Administrators only: 1024 to 65535 (a lower port needs privileges the app does not have).
    pub fn set_inbound_port(&self, port: u16) -> CoreResult<u16> {
        let operator = self.authorize(access::Operation::SetInboundPort, Target::App)?;
        if port < 1024 {
            return Err(CoreError::invalid(format!(
                "port {port}: choose 1024 to 65535 (lower ports need system privileges)"
            )));
        }
        let before = self.inbound_port()?;
        let now = self.now();
        self.write(|tx| {
            settings::set(tx, KEY, &port.to_string())?;
            log_app_setting(
                tx,
                now,
                &operator.id,
                &format!("settings.{SETTING}"),
                serde_json::json!(before),
                serde_json::json!(port),
            )
        })?;
        Ok(port)
    }
}
