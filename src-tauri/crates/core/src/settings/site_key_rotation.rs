//! Rotating a site's encryption key (SPEC §8, Settings): a new data key in the keyring, every
//! sealed secret of the site (credentials, refresh tokens, vendors' signing secrets, tokens
//! waiting to be revoked) re-encrypted under it in one transaction, and the old key removed
//! after the commit. A kill at any point leaves every secret readable: until the commit the
//! database names the old key (the new one is a keyring entry nothing uses), from it the new
//! one (the old is an entry nothing uses, removed at the end or by the next rotation).

use crate::access::{Operation, Target};
use crate::kernel::activity::{self, Activity};
use crate::kernel::events::CoreEvent;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::site_keys::{self, BlobKind};
use sgen_vault::{Binding, SecretFields};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeyRotation {
    pub site_id: String,
    /// The keyring entry that holds the site's key now (a reference, never the key).
    pub key_reference: String,
    /// Secrets re-encrypted.
    #[ts(type = "number")]
    pub resealed: u64,
}

fn binding(kind: BlobKind, id: &str) -> Binding<'_> {
    match kind {
        BlobKind::Credential => Binding::credential(id),
        BlobKind::RefreshToken => Binding::refresh_token(id),
        BlobKind::EventSecrets => Binding::event_secrets(id),
        BlobKind::PendingRevocation => Binding::pending_revocation(id),
    }
}

impl Core {
    pub fn rotate_site_key(&self, site_id: &str) -> CoreResult<KeyRotation> {
        let operator = self.authorize(Operation::RotateSiteKey, Target::App)?;
        if !self.sites()?.iter().any(|s| s.id == site_id) {
            return Err(CoreError::NotFound {
                what: "site",
                id: site_id.into(),
            });
        }
        let vault = self.vault()?;
        let from = self.key_generation(site_id)?;
        let to = from + 1;
        let old = self.site_key(site_id)?;
        let new = vault.new_site_key(site_id, to)?;
        fail::fail_point!("rotate_key.after_new_key");
        let (before, after) = (vault.reference(site_id, from), vault.reference(site_id, to));
        let now = self.now();
        let resealed = self.write(|tx| {
            // Writes are serialized: only another rotation could have moved it meanwhile.
            if site_keys::generation(tx, site_id)? != from {
                return Err(CoreError::invalid(
                    "the site's key was rotated meanwhile; nothing was changed",
                ));
            }
            let blobs = site_keys::sealed_blobs(tx, site_id)?;
            for blob in &blobs {
                let fresh = old.reseal(&new, binding(blob.kind, &blob.id), &blob.blob)?;
                site_keys::replace_blob(tx, blob.kind, &blob.id, &fresh)?;
            }
            site_keys::set_generation(tx, site_id, to)?;
            activity::log(
                tx,
                &Activity {
                    at: now,
                    operator_id: &operator.id,
                    site_id: Some(site_id),
                    environment_id: None,
                    connection_id: None,
                    action: Operation::RotateSiteKey.name(),
                    outcome: "success",
                    details: serde_json::json!({
                        "before": { "key": before },
                        "after": { "key": after },
                        "resealed": blobs.len(),
                    }),
                },
            )?;
            tx.publish(CoreEvent::SettingsChanged {
                setting: "site_key".into(),
            });
            fail::fail_point!("rotate_key.before_commit");
            Ok(blobs.len() as u64)
        })?;
        fail::fail_point!("rotate_key.after_commit");
        // Every older key goes (one a killed rotation left behind included); a keyring that
        // refuses now leaves an entry nothing uses, which the next rotation removes.
        for generation in 0..to {
            if let Err(e) = vault.delete_site_key(site_id, generation) {
                tracing::warn!(error = %e, generation, "an old site key stays in the keyring");
            }
        }
        Ok(KeyRotation {
            site_id: site_id.into(),
            key_reference: after,
            resealed,
        })
    }
}

impl Core {
    /// Opens every sealed secret of the site with the key the database names (the secrets
    /// themselves stay in memory, wiped after); returns how many. A secret that does not open
    /// is an error naming where it is.
    pub fn verify_site_secrets(&self, site_id: &str) -> CoreResult<u64> {
        Ok(self.open_site_secrets(site_id)?.len() as u64)
    }

    /// Every sealed secret of the site, opened: what it is, whose, and its fields.
    pub(crate) fn open_site_secrets(
        &self,
        site_id: &str,
    ) -> CoreResult<Vec<(BlobKind, String, SecretFields)>> {
        let (blobs, key) =
            self.with_site_key(site_id, |conn| Ok(site_keys::sealed_blobs(conn, site_id)?))?;
        let Some(key) = key.filter(|_| !blobs.is_empty()) else {
            return match blobs.is_empty() {
                true => Ok(Vec::new()),
                false => Err(sgen_vault::VaultError::KeyMissing.into()),
            };
        };
        blobs
            .into_iter()
            .map(|blob| {
                let fields = key
                    .open(binding(blob.kind, &blob.id), &blob.blob)
                    .map_err(|e| {
                        CoreError::Internal(format!(
                            "{:?} of {} does not open: {e}",
                            blob.kind, blob.id
                        ))
                    })?;
                Ok((blob.kind, blob.id, fields))
            })
            .collect()
    }
}
