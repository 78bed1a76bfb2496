//! A credential store that is there but refuses every operation, as the Secret Service does
//! when the login keyring is locked: for tests of the "secure storage unavailable" paths.

use keyring_core::api::{Credential, CredentialApi, CredentialStoreApi};
use keyring_core::Entry;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug)]
struct LockedStore;

#[derive(Debug)]
struct LockedCredential;

fn refused() -> keyring_core::Error {
    keyring_core::Error::NoStorageAccess("the collection is locked".into())
}

/// A store whose every entry refuses access.
pub fn locked_store() -> Arc<keyring_core::CredentialStore> {
    Arc::new(LockedStore)
}

impl CredentialApi for LockedCredential {
    fn set_secret(&self, _: &[u8]) -> keyring_core::Result<()> {
        Err(refused())
    }
    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        Err(refused())
    }
    fn delete_credential(&self) -> keyring_core::Result<()> {
        Err(refused())
    }
    fn get_credential(&self) -> keyring_core::Result<Option<Arc<Credential>>> {
        Err(refused())
    }
    fn get_specifiers(&self) -> Option<(String, String)> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl CredentialStoreApi for LockedStore {
    fn vendor(&self) -> String {
        "sgen locked test store".into()
    }
    fn id(&self) -> String {
        "locked".into()
    }
    fn build(
        &self,
        _: &str,
        _: &str,
        _: Option<&HashMap<&str, &str>>,
    ) -> keyring_core::Result<Entry> {
        Ok(Entry::new_with_credential(Arc::new(LockedCredential)))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
