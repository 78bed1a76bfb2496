//! Secrets at rest (SPEC §5). Each site has a random data key kept in the OS keyring (through
//! `keyring-core` and the platform store); credentials are sealed with XChaCha20-Poly1305 under
//! that key, bound to the connection and purpose they belong to, and only the ciphertext goes
//! to SQLite. There is no fallback: without a keyring nothing is stored.
//!
//! Secret values are [`Secret`]s, whose `Debug` and `Display` redact and which cannot be
//! serialized, so a secret cannot reach an IPC response, a log line or an error by accident.

mod error;
mod keys;
mod seal;
mod secret;
pub mod testing;
pub mod webhook_signing;

pub use error::VaultError;
pub use keyring_core::CredentialStore;
pub use keys::{os_credential_store, DataKey, Vault};
pub use seal::Binding;
pub use secret::{Secret, SecretFields};
