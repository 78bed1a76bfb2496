//! The core's way to the vault: the credential store the caller configured (the keyring-core
//! mock in tests), or the OS keyring, connected on first use. A failure is not remembered, so
//! unlocking the keyring and trying again works without a restart.

use crate::{Core, CoreResult};
use sgen_vault::{os_credential_store, Vault};
use std::sync::Arc;

impl Core {
    pub(crate) fn vault(&self) -> CoreResult<Arc<Vault>> {
        let mut vault = self.vault.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(vault) = vault.as_ref() {
            return Ok(vault.clone());
        }
        let store = match &self.credential_store {
            Some(store) => store.clone(),
            None => os_credential_store()?,
        };
        Ok(vault.insert(Arc::new(Vault::new(store))).clone())
    }
}
