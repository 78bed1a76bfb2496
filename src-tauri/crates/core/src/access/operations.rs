//! The one table of what each operation needs (SPEC §8): every operation an operator can ask of
//! the core that changes something, the capability it needs, and whether its connector family
//! can gate it further (payment platforms need `manage_payment_credentials` besides). Each of
//! those core methods starts with `self.authorize(Operation::…)`; the test
//! `access_matrix` runs every one of them under every role and compares with this table.

use crate::access::capabilities::Capability;
use serde::Serialize;

macro_rules! operations {
    ($($variant:ident = $name:literal => $capability:ident $(, $gated:ident)?;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Operation { $(#[serde(rename = $name)] $variant,)+ }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)+];

            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $name,)+ }
            }

            /// The capability the operator's role must hold.
            pub fn capability(self) -> Capability {
                match self { $(Operation::$variant => Capability::$capability,)+ }
            }

            /// Whether a connector family's override (SPEC §8) adds its capability to this one.
            pub fn family_gated(self) -> bool {
                match self { $(Operation::$variant => operations!(@gated $($gated)?),)+ }
            }
        }
    };
    (@gated family) => { true };
    (@gated) => { false };
}

operations! {
    // Connections: credential authority, which a family's override gates further.
    CreateConnection = "connection.create" => CreateConnections, family;
    EditScopes = "connection.edit_scopes" => EditScopes, family;
    RefreshCredentials = "connection.refresh" => RefreshCredentials, family;
    DisconnectConnection = "connection.disconnect" => DisconnectConnections, family;
    RotateSigningSecret = "connection.rotate_signing_secret" => RotateCredentials, family;
    SetEventSecret = "connection.event_secret" => RotateCredentials, family;
    // Connections: day-to-day work and configuration.
    TestConnection = "connection.test" => TestConnections;
    PauseConnection = "connection.pause" => PauseConnections;
    ResumeConnection = "connection.resume" => PauseConnections;
    SetFieldMapping = "connection.field_mapping" => ConfigureConnections;
    SetEventPublicUrl = "connection.event_public_url" => ConfigureConnections;
    // Deliveries.
    SendEvent = "delivery.send" => SendEvents;
    RetryDelivery = "delivery.retry" => RetryDeliveries;
    RetryDeliveries = "delivery.retry_bulk" => RetryDeliveries;
    // Inbound events.
    RecheckRejection = "event.recheck" => HandleInboundEvents;
    CatchUpEvents = "event.catch_up" => HandleInboundEvents;
    // The sandbox vendors.
    SetSandboxFaults = "sandbox.faults" => UseSandbox;
    SetSandboxOffline = "sandbox.offline" => UseSandbox;
    EmitSandboxEvent = "sandbox.emit" => UseSandbox;
    // Automations.
    SaveAutomation = "automation.save" => EditAutomations;
    SetAutomationStatus = "automation.status" => EditAutomations;
    DryRunAutomation = "automation.dry_run" => EditAutomations;
    RunAutomation = "automation.run" => RunAutomations;
    HandleHeldRuns = "automation.held_runs" => RunAutomations;
    RetryRun = "run.retry" => RunAutomations;
    RetryRuns = "run.retry_bulk" => RunAutomations;
    CancelRun = "run.cancel" => RunAutomations;
    CompleteTask = "task.complete" => RunAutomations;
    // Support.
    ExportSupportBundle = "support.export_bundle" => View;
    ReplayDelivery = "support.replay" => View;
    OpenSupportBundle = "support.open_bundle" => View;
    RemoveSupportWorkspace = "support.remove_workspace" => View;
    // What anyone may do to their own view of things.
    MarkNotificationsRead = "notifications.read" => View;
    // Settings.
    CreateSite = "site.create" => ManageSettings;
    SetAllowList = "settings.allow_list" => ManageSettings;
    SetRetrySchedule = "settings.retry_schedule" => ManageSettings;
    SetDeliveryRetention = "settings.retention" => ManageSettings;
    SetActivityRetention = "settings.activity_retention" => ManageSettings;
    SetInboundPort = "settings.inbound_port" => ManageSettings;
    RotateSiteKey = "settings.rotate_site_key" => ManageSettings;
    // Who may do what.
    SaveOperator = "operator.save" => ManageAccess;
    RemoveOperator = "operator.remove" => ManageAccess;
    SaveRole = "role.save" => ManageAccess;
    RemoveRole = "role.remove" => ManageAccess;
    SetFamilyGates = "settings.family_gates" => ManageAccess;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_serialize_as_themselves() {
        let names: std::collections::BTreeSet<_> =
            Operation::ALL.iter().map(|o| o.name()).collect();
        assert_eq!(names.len(), Operation::ALL.len());
        for operation in Operation::ALL {
            assert_eq!(
                serde_json::to_value(operation).unwrap(),
                serde_json::json!(operation.name())
            );
        }
    }
}
