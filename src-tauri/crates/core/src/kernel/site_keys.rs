//! A site's data key as the core uses it: the generation the database names as current (0
//! until the first rotation), from the keyring. Whatever seals with it checks, in the
//! transaction that stores the blob, that no rotation replaced it meanwhile.

use crate::{Core, CoreError, CoreResult};
use sgen_store::{site_keys, Transaction};
use sgen_vault::{DataKey, VaultError};
use std::ops::Deref;

pub(crate) struct SiteKey {
    key: DataKey,
    site_id: String,
    generation: u32,
}

impl Deref for SiteKey {
    type Target = DataKey;
    fn deref(&self) -> &DataKey {
        &self.key
    }
}

impl SiteKey {
    /// Refuses to store a blob sealed under a key that a rotation replaced after it was read
    /// (the rotation re-sealed every blob there was; this one would be unreadable).
    pub(crate) fn still_current(&self, tx: &Transaction<'_>) -> CoreResult<()> {
        if site_keys::generation(tx, &self.site_id)? == self.generation {
            return Ok(());
        }
        Err(CoreError::invalid(
            "the site's encryption key was rotated while this ran; nothing was stored, try again",
        ))
    }
}

impl Core {
    /// The site's current data key, made and stored in the keyring on first use.
    pub(crate) fn site_key(&self, site_id: &str) -> CoreResult<SiteKey> {
        let generation = self.key_generation(site_id)?;
        let key = self.vault()?.site_key(site_id, generation)?;
        Ok(SiteKey {
            key,
            site_id: site_id.into(),
            generation,
        })
    }

    /// The data key of `generation`, which must exist. A rotation may have just replaced it:
    /// the caller read its blob before, so it reads both again once.
    pub(crate) fn existing_site_key(&self, site_id: &str, generation: u32) -> CoreResult<SiteKey> {
        let key = self.vault()?.existing_site_key(site_id, generation)?;
        Ok(SiteKey {
            key,
            site_id: site_id.into(),
            generation,
        })
    }

    /// The site's key as of the write transaction `tx`: no rotation can come between it and
    /// the commit, so what is sealed with it inside `tx` is always readable.
    pub(crate) fn site_key_in(&self, tx: &Transaction<'_>, site_id: &str) -> CoreResult<SiteKey> {
        let generation = site_keys::generation(tx, site_id)?;
        self.existing_site_key(site_id, generation)
    }

    pub(crate) fn key_generation(&self, site_id: &str) -> CoreResult<u32> {
        self.store
            .read(|conn| Ok::<_, CoreError>(site_keys::generation(conn, site_id)?))
    }

    /// Reads sealed blobs with the generation they were sealed under (one snapshot), then that
    /// key; if a rotation deleted the key in between, once more (the blobs are re-sealed by
    /// then). No key is None: a site that has sealed nothing yet has none, and the caller says
    /// whether that is an error.
    pub(crate) fn with_site_key<T>(
        &self,
        site_id: &str,
        read: impl Fn(&sgen_store::Connection) -> CoreResult<T>,
    ) -> CoreResult<(T, Option<SiteKey>)> {
        let attempt = || -> CoreResult<(T, SiteKey)> {
            let (value, generation) = self.store.read(|conn| {
                Ok::<_, CoreError>((read(conn)?, site_keys::generation(conn, site_id)?))
            })?;
            Ok((value, self.existing_site_key(site_id, generation)?))
        };
        match attempt() {
            Err(CoreError::Vault(VaultError::KeyMissing)) => match attempt() {
                Ok((value, key)) => Ok((value, Some(key))),
                Err(CoreError::Vault(VaultError::KeyMissing)) => {
                    let value = self.store.read(&read)?;
                    Ok((value, None))
                }
                Err(e) => Err(e),
            },
            other => other.map(|(value, key)| (value, Some(key))),
        }
    }
}
