//! Edit scopes (SPEC §4): an OAuth connection asks the vendor again, through the browser, for
//! the scopes the operator now picks. The new grant replaces the old one on the same
//! connection (same id, history and delivery log) only once its code is redeemed and the test
//! call connects; until then the old credential keeps working.

use crate::access::{self, Target};
use crate::connections::revocation::{GrantToken, RevocationEndpoint, RevocationReason};
use crate::kernel::connection_state::{Operation, Transition};
use crate::oauth;
use crate::oauth::authorization::{seal_grant, Granted};
use crate::oauth::connect::{AuthorizationStarted, Purpose};
use crate::{connections::detail::ConnectionDetail, Core, CoreError, CoreResult};
use sgen_catalog::AuthFlow;
use sgen_store::connections::ConnectionRecord;
use sgen_store::model::ConnectionState;
use sgen_store::{connection_credentials, connections};

impl Core {
    /// Starts an authorization for `scopes` on an existing OAuth connection; finish it with
    /// `finish_oauth` like a new one.
    pub fn begin_reauthorization(
        &self,
        connection_id: &str,
        scopes: Vec<String>,
    ) -> CoreResult<AuthorizationStarted> {
        self.authorize(
            access::Operation::EditScopes,
            Target::Connection(connection_id),
        )?;
        let record = self.record(connection_id)?;
        if record.auth_flow != AuthFlow::Oauth2.as_str() {
            return Err(CoreError::invalid(
                "only an OAuth connection has scopes to edit",
            ));
        }
        if scopes.is_empty() {
            return Err(CoreError::invalid("pick at least one scope"));
        }
        let manifest = self.manifest(&record.connector_type)?;
        let policies = self.oauth_policies(
            &self.site_of_environment(record.environment_id)?,
            record.base_url_override.as_deref(),
            record.oauth_server.as_ref(),
        )?;
        let authorization = self.prepare_authorization(
            manifest,
            record.base_url_override.clone(),
            record.oauth_server.as_ref(),
            &scopes,
            policies,
        )?;
        self.register_flow(
            Purpose::Reauthorize {
                connection_id: connection_id.to_string(),
            },
            authorization,
        )
    }

    /// The new grant on the existing connection, in one transaction. A vendor that sends no new
    /// refresh token leaves the old one in place.
    pub(crate) fn store_reauthorization(
        &self,
        id: &str,
        granted: Granted,
    ) -> CoreResult<ConnectionDetail> {
        let operator = self.authorize(access::Operation::EditScopes, Target::Connection(id))?;
        let record = self.record(id)?;
        let (sealed, key) = self.sealed_credentials(id)?;
        let now = self.now();
        // The person signed in to another account at the vendor: this connection stays the
        // one it was, rather than quietly becoming someone else's.
        if let (Some(was), Some(came)) = (&record.vendor_account_id, &granted.account_id) {
            if was != came {
                self.write(|tx| {
                    self.record_operation(
                        tx,
                        &record,
                        None,
                        Operation {
                            operator_id: Some(&operator.id),
                            action: "connection.reauthorize",
                            outcome: "rejected",
                            details: serde_json::json!({ "account": was, "signed_in_as": came }),
                            at: now,
                        },
                    )
                })?;
                return Err(CoreError::invalid(format!(
                    "the vendor signed in account `{came}`, but this connection is for `{was}`: sign in to `{was}`, or connect `{came}` as a new connection"
                )));
            }
        }
        let old_grant = self.old_grant_to_revoke(&record, &granted);
        let (blob, refresh_blob) = seal_grant(&key, id, &granted);
        let refresh_blob = refresh_blob.or(sealed.refresh_token_blob);
        let expires_at = oauth::expires_at(now, granted.expires_in_s);
        let added: Vec<&String> = granted
            .scopes
            .iter()
            .filter(|s| !record.scopes_granted.contains(s))
            .collect();
        let removed: Vec<&String> = record
            .scopes_granted
            .iter()
            .filter(|s| !granted.scopes.contains(s))
            .collect();
        let outcome = &granted.outcome;
        let pending = self.write(|tx| {
            key.still_current(tx)?;
            connection_credentials::set(tx, id, &blob, refresh_blob.as_deref(), expires_at, now)?;
            connections::set_grant(tx, id, &granted.scopes, granted.account_id.as_deref(), now)?;
            connections::record_test(tx, id, outcome.kind(), granted.account_id.as_deref(), now)?;
            let cause = format!(
                "re-authorized by {} with scopes {}; test call: {outcome}",
                operator.name,
                granted.scopes.join(" ")
            );
            // A paused connection stays paused: only resume ends a pause.
            let reactivated = (record.state != ConnectionState::Paused).then_some(Transition {
                to: ConnectionState::Active,
                cause: &cause,
            });
            self.record_operation(
                tx,
                &record,
                reactivated,
                Operation {
                    operator_id: Some(&operator.id),
                    action: "connection.reauthorize",
                    outcome: "success",
                    details: serde_json::json!({
                        "scopes_added": added,
                        "scopes_removed": removed,
                        "old_grant": match &old_grant {
                            OldGrant::Revoke(..) => "revocation requested",
                            OldGrant::Keep(why) => why,
                        },
                    }),
                    at: now,
                },
            )?;
            match old_grant {
                OldGrant::Revoke(endpoint, token) => Ok(Some(self.queue_revocation(
                    tx,
                    &record,
                    &endpoint,
                    token,
                    RevocationReason::Reauthorize,
                    &operator.id,
                )?)),
                OldGrant::Keep(_) => Ok(None),
            }
        })?;
        if let Some(pending) = pending {
            // Its result is the activity log's; the new grant is in place whatever it is.
            if let Err(e) = self.attempt_revocation(&pending) {
                tracing::warn!(connection = %id, error = %e, "recording the revocation failed");
            }
        }
        self.connection(id)
    }

    /// Whether the grant a re-authorization replaces is revoked at the vendor: only when the
    /// vendor issued a new refresh token (one that sends none keeps the old grant alive, in
    /// use) and revoking the old grant leaves the new one alone.
    fn old_grant_to_revoke(&self, record: &ConnectionRecord, granted: &Granted) -> OldGrant {
        let Some(new_token) = &granted.refresh_token else {
            return OldGrant::Keep("kept: the vendor sent no new refresh token");
        };
        let endpoint = match self.revocation_endpoint(record) {
            Ok(endpoint) if endpoint.revokes_every_grant => {
                return OldGrant::Keep(
                    "kept: the vendor revokes every grant at once, the new one included",
                )
            }
            Ok(endpoint) => endpoint,
            Err(_) => return OldGrant::Keep("kept: the vendor offers no revocation"),
        };
        match self.grant_token(record) {
            Some(old) if old.is_refresh_token_other_than(new_token) => {
                OldGrant::Revoke(endpoint, old)
            }
            _ => OldGrant::Keep("kept: no other refresh token to revoke"),
        }
    }
}

/// What becomes of the grant a re-authorization replaces.
enum OldGrant {
    Revoke(RevocationEndpoint, GrantToken),
    Keep(&'static str),
}
