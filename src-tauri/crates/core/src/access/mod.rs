//! Who is acting, and what their role lets them do (SPEC §8, seed 002 "Permissions"): operator
//! profiles and the session's acting one, roles built in and custom, per-family overrides, and
//! the one check every operation that changes something makes first.

pub mod authorize;
pub mod capabilities;
pub mod family_gates;
pub mod operations;
pub mod operators;
pub mod overview;
pub mod passphrase;
pub mod roles;
pub mod session;

pub use authorize::Target;
pub use capabilities::{Capabilities, Capability};
pub use operations::Operation;

/// The session's acting operator: the app's window and a CLI process each have their own.
#[derive(Default)]
pub(crate) struct AccessState {
    acting: std::sync::Mutex<Option<String>>,
    /// The acting profile's grant, kept between checks (see `authorize::grant_of`).
    grant: std::sync::Mutex<authorize::KeptGrant>,
    /// Connection id → its connector's family, for the family gates.
    families: std::sync::Mutex<std::collections::HashMap<String, String>>,
}
