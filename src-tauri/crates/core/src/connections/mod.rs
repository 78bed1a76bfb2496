//! Connections (SPEC §4): the library of connectors, the connect forms and their test calls,
//! signed-token webhooks and their secret rotation, the lifecycle (test, pause, resume,
//! disconnect with revocation), and the list and detail views.

pub(crate) mod api_address;
pub(crate) mod connect_steps;
pub(crate) mod credential_form;
pub mod detail;
pub mod library;
pub mod lifecycle;
pub mod revocation;
pub mod signed_token;
pub mod signing_secret_rotation;
pub mod test_outcome;

/// What the connections domain keeps between calls.
#[derive(Default)]
pub(crate) struct ConnectionsState {
    /// Signing secrets shown to the operator, waiting for their endpoint to accept them.
    pub(crate) signed_tokens:
        std::sync::Mutex<std::collections::HashMap<String, signed_token::PendingSignedToken>>,
}
