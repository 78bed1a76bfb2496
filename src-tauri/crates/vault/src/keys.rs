//! Per-site data keys in the OS keyring.

use crate::seal::{open, seal, Binding};
use crate::{SecretFields, VaultError};
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use keyring_core::{CredentialStore, Entry};
use std::fmt;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// The keyring service every entry of this app is filed under.
const SERVICE: &str = "com.sgen.integrations";
const KEY_LEN: usize = 32;

/// The platform's credential store: the Secret Service on Linux. Fails with
/// [`VaultError::Unavailable`] when there is none (no session bus, no keyring daemon).
pub fn os_credential_store() -> Result<Arc<CredentialStore>, VaultError> {
    #[cfg(target_os = "linux")]
    {
        let store =
            zbus_secret_service_keyring_store::Store::new().map_err(VaultError::from_keyring)?;
        Ok(store)
    }
    #[cfg(not(target_os = "linux"))]
    {
        Err(VaultError::Unavailable(
            "this build has no credential store for this operating system".into(),
        ))
    }
}

/// Site data keys, in the credential store it was given (the OS keyring in the app, the
/// keyring-core mock store in unit tests).
pub struct Vault {
    store: Arc<CredentialStore>,
    /// The data directory's own id: two data directories on one machine never share a key
    /// entry, even for sites with the same id.
    namespace: String,
    /// Serializes get-or-create, so two first uses cannot make two keys and lose one.
    creating: Mutex<()>,
}

impl Vault {
    pub fn new(store: Arc<CredentialStore>, namespace: &str) -> Self {
        Vault {
            store,
            namespace: namespace.to_string(),
            creating: Mutex::new(()),
        }
    }

    /// The site's data key of `generation` (0 until its first rotation), created and stored on
    /// first use.
    pub fn site_key(&self, site_id: &str, generation: u32) -> Result<DataKey, VaultError> {
        let _guard = self.creating.lock().unwrap_or_else(|p| p.into_inner());
        match self.existing_site_key(site_id, generation) {
            Err(VaultError::KeyMissing) => {}
            other => return other,
        }
        self.new_site_key(site_id, generation)
    }

    /// A fresh random key stored as the site's key of `generation`, replacing any there (a
    /// rotation that stopped before it committed leaves one nobody uses).
    pub fn new_site_key(&self, site_id: &str, generation: u32) -> Result<DataKey, VaultError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(key.as_mut_slice());
        self.keep(site_id, generation, key.as_slice())
    }

    /// Stores `key` as the site's and reads it back, so nothing is ever sealed under a key the
    /// keyring did not keep.
    fn keep(&self, site_id: &str, generation: u32, key: &[u8]) -> Result<DataKey, VaultError> {
        self.entry(site_id, generation)?
            .set_secret(key)
            .map_err(VaultError::from_keyring)?;
        let stored = self.existing_site_key(site_id, generation)?;
        if stored.0.as_slice() != key {
            return Err(VaultError::Unavailable(
                "the keyring did not keep the site's data key".into(),
            ));
        }
        Ok(stored)
    }

    /// The site's data key of `generation` if it exists; never creates one.
    pub fn existing_site_key(&self, site_id: &str, generation: u32) -> Result<DataKey, VaultError> {
        let bytes = Zeroizing::new(
            self.entry(site_id, generation)?
                .get_secret()
                .map_err(VaultError::from_keyring)?,
        );
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::KeyDamaged)?;
        Ok(DataKey(Zeroizing::new(key)))
    }

    /// Copies a key filed under the name every data directory used to share
    /// (`site-data-key/{site}`) to this directory's own name, unless it has one already;
    /// whether there was one to copy. The old entry stays: another data directory may still
    /// need it.
    pub fn adopt_shared_key(&self, site_id: &str) -> Result<bool, VaultError> {
        match self.existing_site_key(site_id, 0) {
            Err(VaultError::KeyMissing) => {}
            other => return other.map(|_| false),
        }
        let shared = self
            .store
            .build(SERVICE, &format!("site-data-key/{site_id}"), None)
            .map_err(VaultError::from_keyring)?;
        let key = match shared.get_secret() {
            Err(keyring_core::Error::NoEntry) => return Ok(false),
            read => Zeroizing::new(read.map_err(VaultError::from_keyring)?),
        };
        self.keep(site_id, 0, key.as_slice())?;
        Ok(true)
    }

    /// Removes the site's data key of `generation`; every credential sealed under it becomes
    /// unreadable.
    pub fn delete_site_key(&self, site_id: &str, generation: u32) -> Result<(), VaultError> {
        match self.entry(site_id, generation)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(VaultError::from_keyring(e)),
        }
    }

    fn entry(&self, site_id: &str, generation: u32) -> Result<Entry, VaultError> {
        self.store
            .build(SERVICE, &self.reference(site_id, generation), None)
            .map_err(VaultError::from_keyring)
    }

    /// The keyring entry's name: what the activity log records of a key (never the key).
    /// Generation 0 keeps the name keys had before rotation existed.
    pub fn reference(&self, site_id: &str, generation: u32) -> String {
        match generation {
            0 => format!("site-data-key/{}/{site_id}", self.namespace),
            n => format!("site-data-key/{}/{site_id}/{n}", self.namespace),
        }
    }
}

/// A site's data key, wiped from memory when dropped.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub fn seal(&self, binding: Binding<'_>, fields: &SecretFields) -> Vec<u8> {
        seal(&self.0, binding, &fields.to_plaintext())
    }

    /// The same secret sealed under `to` instead (a key rotation), never leaving plaintext
    /// behind: it is wiped when dropped.
    pub fn reseal(
        &self,
        to: &DataKey,
        binding: Binding<'_>,
        blob: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        let plaintext = open(&self.0, binding, blob)?;
        Ok(seal(&to.0, binding, &plaintext))
    }

    pub fn open(&self, binding: Binding<'_>, blob: &[u8]) -> Result<SecretFields, VaultError> {
        let plaintext = open(&self.0, binding, blob)?;
        // Authentic but not our format can only come from a bug, never from an attacker;
        // report it like any other blob that cannot be used.
        SecretFields::from_plaintext(&plaintext).ok_or(VaultError::Tampered)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}
