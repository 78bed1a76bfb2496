//! What a role may do (SPEC §8): each capability, and sets of them as one bit each, so checking
//! one is a mask, not a search.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! capabilities {
    ($($variant:ident = $name:literal: $what:literal,)+) => {
        /// One thing a role may do. Its name is what custom roles store and refusals name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[ts(export)]
        pub enum Capability { $(#[serde(rename = $name)] $variant,)+ }

        impl Capability {
            pub const ALL: &'static [Capability] = &[$(Capability::$variant,)+];

            pub fn name(self) -> &'static str {
                match self { $(Capability::$variant => $name,)+ }
            }

            /// What it allows, in words (Settings → Roles shows it beside the tick box).
            pub fn description(self) -> &'static str {
                match self { $(Capability::$variant => $what,)+ }
            }

            pub fn from_name(name: &str) -> Option<Capability> {
                match name { $($name => Some(Capability::$variant),)+ _ => None }
            }
        }
    };
}

capabilities! {
    View = "view": "List connections, browse the library, the delivery log, events, automations and the activity log",
    TestConnections = "test_connections": "Test a connection",
    PauseConnections = "pause_connections": "Pause and resume a connection",
    RetryDeliveries = "retry_deliveries": "Retry failed deliveries",
    SendEvents = "send_events": "Send an event to a connection",
    RunAutomations = "run_automations": "Run automations, complete their tasks, retry and cancel runs",
    EditAutomations = "edit_automations": "Create, edit, activate and dry-run automations",
    HandleInboundEvents = "handle_inbound_events": "Re-check refused vendor events and catch up on missed ones",
    UseSandbox = "use_sandbox": "Drive the sandbox vendors: faults and emitted events",
    CreateConnections = "create_connections": "Create a connection",
    EditScopes = "edit_scopes": "Edit a connection's scopes",
    RefreshCredentials = "refresh_credentials": "Refresh a connection's credentials by hand",
    DisconnectConnections = "disconnect_connections": "Disconnect a connection (revoking it at the vendor)",
    RotateCredentials = "rotate_credentials": "Rotate a connection's signing secrets",
    ConfigureConnections = "configure_connections": "Change a connection's field mapping and event address",
    ManageSettings = "manage_settings": "Settings: sites, encryption keys, retention, allow-list, retry schedule, listener port",
    ManageAccess = "manage_access": "Operators, roles and per-family overrides",
    ManagePaymentCredentials = "manage_payment_credentials": "Credential authority over connector families gated by it (payment platforms by default)",
}

/// A set of capabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities(u32);

impl Capabilities {
    pub fn of(list: &[Capability]) -> Self {
        Self(list.iter().fold(0, |bits, c| bits | Self::bit(*c)))
    }

    pub fn all() -> Self {
        Self::of(Capability::ALL)
    }

    fn bit(capability: Capability) -> u32 {
        1 << (capability as u32)
    }

    pub fn contains(self, capability: Capability) -> bool {
        self.0 & Self::bit(capability) != 0
    }

    pub fn list(self) -> Vec<Capability> {
        Capability::ALL
            .iter()
            .copied()
            .filter(|c| self.contains(*c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_fit_the_bits() {
        assert!(Capability::ALL.len() <= 32);
        for capability in Capability::ALL {
            assert_eq!(Capability::from_name(capability.name()), Some(*capability));
            assert_eq!(
                serde_json::to_value(capability).unwrap(),
                serde_json::json!(capability.name())
            );
        }
        let set = Capabilities::of(&[Capability::View, Capability::ManageAccess]);
        assert!(set.contains(Capability::ManageAccess));
        assert!(!set.contains(Capability::EditScopes));
        assert_eq!(set.list(), vec![Capability::View, Capability::ManageAccess]);
    }
}
