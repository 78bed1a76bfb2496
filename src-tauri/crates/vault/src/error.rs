/// What went wrong with secure storage. Messages never carry secret material: keyring errors
/// that hold the stored bytes are reduced to what kind of failure they were.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No keyring, a locked one, or a store that refused access: nothing was stored.
    #[error("secure storage unavailable: {0}")]
    Unavailable(String),
    /// The site's data key is not in the keyring (deleted, or another machine's data).
    #[error(
        "the site's data key is missing from the OS keyring, so its credentials cannot be read"
    )]
    KeyMissing,
    /// The keyring holds something under our name that is not a data key.
    #[error("the OS keyring entry for the site's data key is not a data key")]
    KeyDamaged,
    /// Authentication failed: the ciphertext was altered, or it was sealed for another
    /// connection, purpose or key.
    #[error("a stored credential failed its integrity check and was not used")]
    Tampered,
}

impl VaultError {
    pub(crate) fn from_keyring(err: keyring_core::Error) -> Self {
        use keyring_core::Error as K;
        match err {
            K::NoEntry => VaultError::KeyMissing,
            K::BadEncoding(_) | K::BadDataFormat(..) => VaultError::KeyDamaged,
            K::PlatformFailure(e) | K::NoStorageAccess(e) => VaultError::Unavailable(e.to_string()),
            K::NoDefaultStore => {
                VaultError::Unavailable("no credential store is configured".into())
            }
            other => VaultError::Unavailable(other.to_string()),
        }
    }

    /// A stable code for the IPC and CLI error surfaces.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::Unavailable(_) => "secure_storage_unavailable",
            VaultError::KeyMissing => "data_key_missing",
            VaultError::KeyDamaged => "data_key_damaged",
            VaultError::Tampered => "credential_tampered",
        }
    }
}
