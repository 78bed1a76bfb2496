//! Rotating a webhook connection's signing secret (SPEC §6): the app makes a new secret and
//! shows it once; for a day after, every delivery carries two signatures — the new secret's and
//! the old one's — so the receiver keeps accepting whichever it holds while its operator
//! installs the new one. Finishing the rotation (or the day passing) drops the old secret.

use crate::access::{self, Target};
use crate::connections::signed_token::SIGNING_SECRET;
use crate::kernel::connection_state::Operation;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_catalog::AuthFlow;
use sgen_store::connection_credentials;
use sgen_vault::webhook_signing::generate_signing_secret;
use sgen_vault::{Binding, Secret, SecretFields};
use ts_rs::TS;

/// The secret being rotated out, and until when (ms since the epoch) it still signs.
pub(crate) const PREVIOUS_SIGNING_SECRET: &str = "previous_signing_secret";
pub(crate) const PREVIOUS_SIGNS_UNTIL: &str = "previous_signs_until";
/// How long both secrets sign.
const OVERLAP_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RotatedSigningSecret {
    /// `whsec_…`, shown this once.
    pub signing_secret: String,
    /// Until when deliveries are signed with the old secret as well.
    #[ts(type = "number")]
    pub previous_signs_until: i64,
}

/// The secrets a delivery sent at `now_ms` is signed with: the current one, and the previous
/// one while its overlap lasts.
pub(crate) fn signing_secrets(fields: &SecretFields, now_ms: i64) -> Vec<&Secret> {
    let previous = fields.get(PREVIOUS_SIGNING_SECRET).filter(|_| {
        fields
            .get(PREVIOUS_SIGNS_UNTIL)
            .and_then(|until| until.expose().parse::<i64>().ok())
            .is_some_and(|until| now_ms < until)
    });
    fields
        .get(SIGNING_SECRET)
        .into_iter()
        .chain(previous)
        .collect()
}

impl Core {
    /// A new signing secret for a webhook connection; the old one keeps signing for a day.
    pub fn rotate_signing_secret(&self, connection_id: &str) -> CoreResult<RotatedSigningSecret> {
        let new_secret = generate_signing_secret();
        // Wall-clock time, like the signatures' own `webhook-timestamp`: the overlap is a
        // matter between the signer and the receiver, not of the app's schedule.
        let until = chrono::Utc::now().timestamp_millis() + OVERLAP_MS;
        self.change_signing_secrets(connection_id, "connection.rotate_secret", |fields| {
            let current = fields.get(SIGNING_SECRET).cloned().ok_or_else(|| {
                CoreError::Internal("a webhook connection without a secret".into())
            })?;
            fields.insert(PREVIOUS_SIGNING_SECRET, current);
            fields.insert(PREVIOUS_SIGNS_UNTIL, Secret::new(until.to_string()));
            fields.insert(SIGNING_SECRET, new_secret.clone());
            Ok(serde_json::json!({ "previous_signs_until": until }))
        })?;
        Ok(RotatedSigningSecret {
            signing_secret: new_secret.expose().to_string(),
            previous_signs_until: until,
        })
    }

    /// Drops the previous secret now: deliveries carry the new secret's signature only.
    pub fn finish_signing_secret_rotation(&self, connection_id: &str) -> CoreResult<()> {
        self.change_signing_secrets(
            connection_id,
            "connection.finish_secret_rotation",
            |fields| {
                if fields.get(PREVIOUS_SIGNING_SECRET).is_none() {
                    return Err(CoreError::invalid("no signing secret is being rotated out"));
                }
                fields.remove(PREVIOUS_SIGNING_SECRET);
                fields.remove(PREVIOUS_SIGNS_UNTIL);
                Ok(serde_json::json!({}))
            },
        )
    }

    /// Opens the connection's sealed fields, lets `change` edit them, and seals them again in
    /// one transaction with an activity row (which names no secret). Administrators only.
    fn change_signing_secrets(
        &self,
        connection_id: &str,
        action: &str,
        change: impl FnOnce(&mut SecretFields) -> CoreResult<serde_json::Value>,
    ) -> CoreResult<()> {
        let operator = self.authorize(
            access::Operation::RotateSigningSecret,
            Target::Connection(connection_id),
        )?;
        let record = self.record(connection_id)?;
        if record.auth_flow != AuthFlow::SignedToken.as_str() {
            return Err(CoreError::invalid(
                "only a webhook connection (signed token) has a signing secret",
            ));
        }
        let (sealed, key) = self.sealed_credentials(connection_id)?;
        let blob = sealed.credential_blob.ok_or_else(|| {
            CoreError::invalid("the connection holds no credential; connect it again")
        })?;
        let mut fields = key.open(Binding::credential(connection_id), &blob)?;
        let details = change(&mut fields)?;
        let blob = key.seal(Binding::credential(connection_id), &fields);
        let now = self.now();
        self.write(|tx| {
            key.still_current(tx)?;
            connection_credentials::set(tx, connection_id, &blob, None, None, now)?;
            self.record_operation(
                tx,
                &record,
                None,
                Operation::succeeded(&operator.id, action, details, now),
            )?;
            Ok(())
        })
    }
}
