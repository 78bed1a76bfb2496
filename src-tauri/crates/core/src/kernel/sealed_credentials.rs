//! A stored connection's sealed blobs together with the site key that opens them: the one way
//! every use of a credential (test, refresh, renewal, revocation) gets at it.

use crate::{Core, CoreError, CoreResult};
use sgen_store::connection_credentials::{self, SealedCredentials};
use sgen_vault::DataKey;

impl Core {
    pub(crate) fn sealed_credentials(&self, id: &str) -> CoreResult<(SealedCredentials, DataKey)> {
        let sealed = self
            .store
            .read(|conn| Ok::<_, CoreError>(connection_credentials::get(conn, id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "connection",
                id: id.to_string(),
            })?;
        let key = self.vault()?.existing_site_key(&sealed.site_id)?;
        Ok((sealed, key))
    }
}
