//! The core's way to the vault: the credential store the caller configured (the keyring-core
//! mock in tests), or the OS keyring, connected on first use, with key entries filed under this
//! data directory's own id. A failure is not remembered, so unlocking the keyring and trying
//! again works without a restart.

use crate::{Core, CoreError, CoreResult};
use sgen_store::{settings, Access};
use sgen_vault::{os_credential_store, Vault};
use std::sync::Arc;

/// Set once this data directory's sites have their keys under its own id.
const KEYS_NAMESPACED: &str = "keyring_entries_namespaced";

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
        let (namespace, namespaced) = self.store.read(|conn| {
            Ok::<_, CoreError>((
                settings::get(conn, "data_dir_id")?,
                settings::get(conn, KEYS_NAMESPACED)?.is_some(),
            ))
        })?;
        let namespace =
            namespace.ok_or_else(|| CoreError::Internal("the data directory has no id".into()))?;
        let opened = Vault::new(store, &namespace);
        if !namespaced && self.access == Access::ReadWrite {
            self.adopt_shared_keys(&opened)?;
        }
        Ok(vault.insert(Arc::new(opened)).clone())
    }

    /// An earlier build filed every data directory's key for a site under one shared name;
    /// each site's is copied under this directory's id once, so deleting or replacing it here
    /// can no longer break another directory's credentials.
    fn adopt_shared_keys(&self, vault: &Vault) -> CoreResult<()> {
        let mut adopted = 0;
        for site in self.sites()? {
            adopted += usize::from(vault.adopt_shared_key(&site.id)?);
        }
        self.store
            .write(|tx| Ok::<_, CoreError>(settings::set(tx, KEYS_NAMESPACED, "1")?))?;
        if adopted > 0 {
            tracing::info!(adopted, "site keys filed under this data directory's id");
        }
        Ok(())
    }
}
