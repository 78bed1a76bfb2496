//! A stored connection's sealed blobs together with the site key that opens them: the one way
//! every use of a credential (test, refresh, renewal, revocation) gets at it.

use crate::kernel::site_keys::SiteKey;
use crate::{Core, CoreError, CoreResult};
use sgen_store::connection_credentials::{self, SealedCredentials};

impl Core {
    pub(crate) fn sealed_credentials(&self, id: &str) -> CoreResult<(SealedCredentials, SiteKey)> {
        let site_id = self
            .store
            .read(|conn| Ok::<_, CoreError>(connection_credentials::get(conn, id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "connection",
                id: id.to_string(),
            })?
            .site_id;
        let (sealed, key) = self.with_site_key(&site_id, |conn| {
            connection_credentials::get(conn, id)?.ok_or_else(|| CoreError::NotFound {
                what: "connection",
                id: id.to_string(),
            })
        })?;
        Ok((sealed, key.ok_or(sgen_vault::VaultError::KeyMissing)?))
    }
}
