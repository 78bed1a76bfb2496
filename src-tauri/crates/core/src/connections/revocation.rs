//! Giving up a grant at the vendor (SPEC §4): RFC 7009 revocation at the server the
//! connection was authorized at, when it is disconnected and, for the old grant, when it is
//! re-authorized. It never fails the operation that asks for it.
//!
//! The token moves, sealed, from the connection to `pending_revocations` in the transaction
//! that takes it off the connection, and is attempted right after that commits; a vendor that
//! cannot be reached gets it again on a schedule (`retry_due_revocations`, a background task).
//! The final result, either way, is an activity-log row. A kill at any moment leaves the token
//! on the connection or in the pending row, never nowhere.

use crate::connections::lifecycle::Revocation;
use crate::kernel::activity::{self, Activity};
use crate::kernel::ids::{random_bits, time_ordered_id};
use crate::kernel::vendor_http::ACCESS_TOKEN;
use crate::kernel::write::Tx;
use crate::oauth::authorization::REFRESH_TOKEN;
use crate::oauth::{self, Endpoints, Revocable, TokenError};
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_catalog::AuthFlow;
use sgen_store::connections::ConnectionRecord;
use sgen_store::pending_revocations::{self, PendingRevocation};
use sgen_vault::{Binding, Secret, SecretFields};

/// The waits after each failed attempt; after the last, the revocation is given up (about
/// two days after the first attempt).
const RETRY_AFTER_MS: [i64; 7] = [
    60_000,
    5 * 60_000,
    30 * 60_000,
    2 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    24 * 3_600_000,
];

/// How many due revocations one round attempts.
const ROUND: u32 = 50;

/// Why a grant is given up.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RevocationReason {
    Disconnect,
    /// Replaced by the grant a re-authorization brought.
    Reauthorize,
}

impl RevocationReason {
    fn as_str(self) -> &'static str {
        match self {
            RevocationReason::Disconnect => "disconnect",
            RevocationReason::Reauthorize => "reauthorize",
        }
    }
}

/// Where a connection's grant is revoked.
pub(crate) struct RevocationEndpoint {
    /// None: the app's own sandbox vendor, looked up at each attempt (its port is the
    /// running app's).
    url: Option<String>,
    client_id: String,
    /// Revoking one token ends every grant the account gave the app (Google).
    pub(crate) revokes_every_grant: bool,
}

/// A token of the grant: its refresh token where it has one, else its access token.
pub(crate) struct GrantToken {
    kind: &'static str,
    token: Secret,
}

impl GrantToken {
    pub(crate) fn refresh(token: Secret) -> Self {
        GrantToken {
            kind: REFRESH_TOKEN,
            token,
        }
    }

    /// A refresh token, and not `other`: a grant other than the one `other` belongs to.
    pub(crate) fn is_refresh_token_other_than(&self, other: &Secret) -> bool {
        self.kind == REFRESH_TOKEN && &self.token != other
    }
}

/// What a round of due revocations did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RevocationRound {
    pub revoked: usize,
    pub retrying: usize,
    pub given_up: usize,
}

impl Core {
    /// Where `record`'s grant is revoked, or what to report when it cannot be.
    pub(crate) fn revocation_endpoint(
        &self,
        record: &ConnectionRecord,
    ) -> Result<RevocationEndpoint, Revocation> {
        if record.auth_flow != AuthFlow::Oauth2.as_str() {
            return Err(Revocation::Unsupported);
        }
        let manifest = self
            .manifest(&record.connector_type)
            .map_err(|_| Revocation::Failed)?;
        let (url, revokes_every_grant) = match (
            &record.oauth_server,
            record.base_url_override.as_deref(),
            &manifest.revocation,
        ) {
            (Some(server), _, _) => match &server.revoke_url {
                Some(url) => (Some(url.clone()), false),
                None => return Err(Revocation::Unsupported),
            },
            // A sandbox vendor offers what the real one offers, and no more.
            (None, _, sgen_catalog::Revocation::Unsupported { .. }) => {
                return Err(Revocation::Unsupported)
            }
            // The sandbox vendor answers RFC 7009 for a vendor with a call of its own too.
            (None, Some(SANDBOX_ENDPOINT), revocation) => (None, revokes_every_grant(revocation)),
            (None, _, revocation @ sgen_catalog::Revocation::Rfc7009 { url, .. }) => {
                (Some(url.clone()), revokes_every_grant(revocation))
            }
            _ => return Err(Revocation::Unsupported),
        };
        let Endpoints { client_id, .. } = self
            .oauth_endpoints(
                manifest,
                record.base_url_override.as_deref(),
                record.oauth_server.as_ref(),
            )
            .map_err(|_| Revocation::Failed)?;
        Ok(RevocationEndpoint {
            url,
            client_id,
            revokes_every_grant,
        })
    }

    /// The grant's refresh token, else its access token, as stored on the connection.
    pub(crate) fn grant_token(&self, record: &ConnectionRecord) -> Option<GrantToken> {
        let (sealed, key) = self.sealed_credentials(&record.id).ok()?;
        if let Some(blob) = sealed.refresh_token_blob {
            if let Ok(fields) = key.open(Binding::refresh_token(&record.id), &blob) {
                return fields.get(REFRESH_TOKEN).cloned().map(GrantToken::refresh);
            }
        }
        let fields = key
            .open(
                Binding::credential(&record.id),
                sealed.credential_blob.as_deref()?,
            )
            .ok()?;
        fields.get(ACCESS_TOKEN).cloned().map(|token| GrantToken {
            kind: ACCESS_TOKEN,
            token,
        })
    }

    /// Seals `token` into a pending revocation of `record`'s grant, in the caller's
    /// transaction; attempt it with `attempt_revocation` once that commits.
    pub(crate) fn queue_revocation(
        &self,
        tx: &Tx<'_, '_>,
        record: &ConnectionRecord,
        endpoint: &RevocationEndpoint,
        token: GrantToken,
        reason: RevocationReason,
        operator_id: &str,
    ) -> CoreResult<PendingRevocation> {
        let now = self.now();
        let id = time_ordered_id("rvk", now, random_bits()?);
        let site_id = self.site_of_environment(record.environment_id)?;
        // Called inside the write that stores it, so no rotation can come between.
        let key = self.site_key(&site_id)?;
        let sealed = key.seal(
            Binding::pending_revocation(&id),
            &SecretFields::new().with(token.kind, token.token),
        );
        let pending = PendingRevocation {
            id,
            site_id,
            environment_id: record.environment_id,
            connection_id: record.id.clone(),
            connector_type: record.connector_type.clone(),
            display_name: record.display_name.clone(),
            operator_id: operator_id.to_string(),
            reason: reason.as_str().to_string(),
            revoke_url: endpoint.url.clone(),
            client_id: endpoint.client_id.clone(),
            token_kind: token.kind.to_string(),
            sealed_token: sealed,
            attempts_made: 0,
            due_at: now,
            last_error: None,
            created_at: now,
        };
        pending_revocations::insert(tx, &pending)?;
        Ok(pending)
    }

    /// Attempts every revocation that is due; the background task's round.
    pub fn retry_due_revocations(&self) -> CoreResult<RevocationRound> {
        let due = self
            .store
            .read(|conn| Ok::<_, CoreError>(pending_revocations::due(conn, self.now(), ROUND)?))?;
        let mut round = RevocationRound::default();
        for pending in due {
            match self.attempt_revocation(&pending)? {
                Revocation::Revoked => round.revoked += 1,
                Revocation::Pending => round.retrying += 1,
                _ => round.given_up += 1,
            }
        }
        Ok(round)
    }

    /// One attempt at a pending revocation, and what it leaves: revoked and gone, pending with
    /// its next attempt scheduled, or given up (failed) and gone.
    pub(crate) fn attempt_revocation(&self, pending: &PendingRevocation) -> CoreResult<Revocation> {
        let attempt = self.send_revocation(pending);
        let attempts = pending.attempts_made + 1;
        let now = self.now();
        let retry_after = RETRY_AFTER_MS.get(pending.attempts_made as usize);
        match (&attempt, retry_after) {
            (Err(failure), Some(wait)) if failure.transient => {
                tracing::info!(revocation = %pending.id, error = %failure.reason, attempts, "revocation will be retried");
                self.write(|tx| {
                    Ok(pending_revocations::reschedule(
                        tx,
                        &pending.id,
                        attempts,
                        now + wait,
                        &failure.reason,
                    )?)
                })?;
                return Ok(Revocation::Pending);
            }
            _ => {}
        }
        let (outcome, error) = match &attempt {
            Ok(()) => (Revocation::Revoked, None),
            Err(failure) => {
                tracing::warn!(revocation = %pending.id, error = %failure.reason, attempts, "revocation failed");
                (Revocation::Failed, Some(failure.reason.as_str()))
            }
        };
        self.write(|tx| {
            pending_revocations::remove(tx, &pending.id)?;
            activity::log(
                tx,
                &Activity {
                    at: now,
                    operator_id: &pending.operator_id,
                    site_id: Some(&pending.site_id),
                    environment_id: Some(pending.environment_id),
                    connection_id: Some(&pending.connection_id),
                    action: "connection.revoke",
                    outcome: match outcome {
                        Revocation::Revoked => "success",
                        _ => "failure",
                    },
                    details: serde_json::json!({
                        "connector_type": pending.connector_type,
                        "display_name": pending.display_name,
                        "reason": pending.reason,
                        "attempts": attempts,
                        "error": error,
                    }),
                },
            )
        })?;
        Ok(outcome)
    }

    /// The revocation request itself.
    fn send_revocation(&self, pending: &PendingRevocation) -> Result<(), Failure> {
        let url = match &pending.revoke_url {
            Some(url) => url.clone(),
            None => {
                self.sandbox_oauth(&pending.connector_type)
                    .map_err(|e| Failure::lasting(e.to_string()))?
                    .revoke_url
            }
        };
        let policy = self
            .policy_for(&pending.site_id, pending.revoke_url.is_none())
            .map_err(|e| Failure::lasting(e.to_string()))?;
        // A keyring that is locked now may be open at the next attempt.
        let generation = self
            .key_generation(&pending.site_id)
            .map_err(|e| Failure::transient(e.to_string()))?;
        let key = self
            .existing_site_key(&pending.site_id, generation)
            .map_err(|e| Failure::transient(e.to_string()))?;
        let fields = key
            .open(
                Binding::pending_revocation(&pending.id),
                &pending.sealed_token,
            )
            .map_err(|e| {
                // A rotation re-sealed it since it was read: the next attempt reads it again.
                match self.key_generation(&pending.site_id) {
                    Ok(now) if now != generation => Failure::transient(e.to_string()),
                    _ => Failure::lasting(e.to_string()),
                }
            })?;
        let token = fields
            .get(&pending.token_kind)
            .ok_or_else(|| Failure::lasting("the kept token is missing".into()))?;
        let revocable = match pending.token_kind.as_str() {
            REFRESH_TOKEN => Revocable::RefreshToken(token),
            _ => Revocable::AccessToken(token),
        };
        oauth::revoke(&url, &pending.client_id, revocable, policy.as_ref()).map_err(|e| Failure {
            transient: is_transient(&e),
            reason: e.to_string(),
        })
    }
}

fn revokes_every_grant(revocation: &sgen_catalog::Revocation) -> bool {
    matches!(
        revocation,
        sgen_catalog::Revocation::Rfc7009 {
            revokes_every_grant: true,
            ..
        }
    )
}

/// Why an attempt failed, and whether another could go differently.
struct Failure {
    transient: bool,
    reason: String,
}

impl Failure {
    fn transient(reason: String) -> Self {
        Failure {
            transient: true,
            reason,
        }
    }

    fn lasting(reason: String) -> Self {
        Failure {
            transient: false,
            reason,
        }
    }
}

/// RFC 7009 §2.2.1: 503 means "try again later"; so do other server failures, rate limits
/// and a vendor that could not be reached. A refusal by name (`unsupported_token_type`), a
/// redirect, or an address the policy refuses will answer the same next time.
fn is_transient(e: &TokenError) -> bool {
    match e {
        TokenError::Network(_) => true,
        TokenError::Vendor(status) => *status == 0 || *status == 429 || *status >= 500,
        _ => false,
    }
}
