//! Edit scopes (SPEC §4): an OAuth connection asks the vendor again, through the browser, for
//! the scopes the operator now picks. The new grant replaces the old one on the same
//! connection (same id, history and delivery log) only once its code is redeemed and the test
//! call connects; until then the old credential keeps working.

use crate::kernel::connection_state::{Operation, Transition};
use crate::oauth;
use crate::oauth::authorization::{seal_grant, Granted};
use crate::oauth::connect::{AuthorizationStarted, Purpose};
use crate::{connections::detail::ConnectionDetail, Core, CoreError, CoreResult};
use sgen_catalog::AuthFlow;
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
        let record = self.record(id)?;
        let (sealed, key) = self.sealed_credentials(id)?;
        let operator = self.active_operator()?;
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
        self.write(|tx| {
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
                    details: serde_json::json!({ "scopes_added": added, "scopes_removed": removed }),
                    at: now,
                },
            )
        })?;
        self.connection(id)
    }
}
