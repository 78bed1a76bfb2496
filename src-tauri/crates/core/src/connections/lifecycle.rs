//! The connection lifecycle (SPEC §4) for key-based flows: create (test first; a failed test
//! stores nothing), test, pause, resume (test first), disconnect. Every action is attributed to
//! the active operator, moves the state machine with a recorded cause, and appends an
//! activity-log row that names what happened and never a secret.

use crate::access::{self, Target};
use crate::connections::detail::ConnectionDetail;
use crate::connections::revocation::RevocationReason;
use crate::connections::test_outcome::TestOutcome;
use crate::kernel::connection_state::{Operation, Transition};
use crate::kernel::sites::SiteEnvironment;
use crate::oauth;
use crate::{kernel::vendor_http, Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_catalog::{AuthFlow, Manifest};
use sgen_store::connection_credentials;
use sgen_store::connections::{self, ConnectionRecord};
use sgen_store::model::ConnectionState;
use sgen_vault::{Binding, Secret, SecretFields};
use std::collections::BTreeMap;
use ts_rs::TS;

/// A new connection as the Connect form or the CLI submits it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewConnectionRequest {
    pub connector_type: String,
    pub display_name: String,
    pub auth_flow: String,
    /// Credential fields by name, secret or not; secrets are redacted wherever this prints.
    #[ts(type = "Record<string, string>")]
    pub fields: BTreeMap<String, Secret>,
    /// Where the vendor's API is, when not at the manifest's address: a Salesforce instance,
    /// a self-hosted Matomo, a sandbox vendor or a test server.
    #[serde(default)]
    pub api_base_override: Option<String>,
}

/// A resume: the test it made, and the connection after it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Resumed {
    pub outcome: TestOutcome,
    pub detail: ConnectionDetail,
}

/// What disconnecting did at the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Revocation {
    Revoked,
    /// The vendor could not be reached; the app tries again in the background and records
    /// the final result in the activity log.
    Pending,
    Failed,
    Unsupported,
}

impl Revocation {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Revocation::Revoked => "revoked",
            Revocation::Pending => "pending",
            Revocation::Failed => "failed",
            Revocation::Unsupported => "unsupported",
        }
    }
}

impl Core {
    /// Checks the form, makes the test call, and only if it connects stores the connection
    /// with its credential sealed under the site's key, in one transaction.
    pub fn create_connection(
        &self,
        scope: &SiteEnvironment,
        request: NewConnectionRequest,
    ) -> CoreResult<ConnectionDetail> {
        self.authorize(
            access::Operation::CreateConnection,
            Target::Connector(&request.connector_type),
        )?;
        let form = self.checked_form(scope, request)?;
        match form.flow {
            AuthFlow::Oauth2 => {
                return Err(CoreError::invalid(
                    "OAuth connections are made with begin_oauth/finish_oauth (the browser flow)",
                ))
            }
            AuthFlow::SignedToken => return Err(CoreError::invalid(
                "signed-token connections are made with begin_signed_token/finish_signed_token \
                     (the app makes the secret)",
            )),
            AuthFlow::ApiKey | AuthFlow::Basic | AuthFlow::ClientCredentials => {}
        }
        // The keyring first: without it nothing may be stored, so there is no point asking
        // the vendor.
        self.site_key(&scope.site_id)?;
        let mut fields = form.fields.clone();
        let mut expires_at = None;
        if form.flow == AuthFlow::ClientCredentials {
            let manifest = self.manifest(&form.connector_type)?;
            let (with_token, tokens) =
                self.fetch_client_token(manifest, form.api_base.as_deref(), &fields)?;
            fields = with_token;
            expires_at = oauth::expires_at(self.now(), tokens.expires_in_s);
        }
        self.test_and_store(scope, &form, fields, expires_at)
    }

    /// A read-only call to the vendor with the stored credential. Its result is recorded and
    /// moves the observed state (a paused connection stays paused: only resume ends a pause).
    pub fn test_connection(&self, id: &str) -> CoreResult<TestOutcome> {
        let operator = self.authorize(access::Operation::TestConnection, Target::Connection(id))?;
        self.run_test(id, &operator.id)
    }

    /// The test call itself, attributed to `operator_id` (a refresh tests with the new token as
    /// part of what its operator asked for).
    pub(crate) fn run_test(&self, id: &str, operator_id: &str) -> CoreResult<TestOutcome> {
        let (record, fields) = self.open_connection(id)?;
        let outcome = self.call_test(&record, &fields)?;
        let now = self.now();
        let cause = format!("test call: {outcome}");
        self.write(|tx| {
            connections::record_test(tx, id, outcome.kind(), account_of(&outcome), now)?;
            // A paused connection stays paused: only resume ends a pause.
            let observed = observed_state(&outcome)
                .filter(|_| record.state != ConnectionState::Paused)
                .map(|to| Transition { to, cause: &cause });
            self.record_operation(
                tx,
                &record,
                observed,
                Operation {
                    operator_id: Some(operator_id),
                    action: "connection.test",
                    outcome: outcome.kind(),
                    details: serde_json::json!({ "test_outcome": outcome }),
                    at: now,
                },
            )
        })?;
        Ok(outcome)
    }

    /// Stops deliveries to the connection; its credential is kept.
    pub fn pause_connection(&self, id: &str) -> CoreResult<ConnectionDetail> {
        let operator =
            self.authorize(access::Operation::PauseConnection, Target::Connection(id))?;
        let record = self.record(id)?;
        if record.state == ConnectionState::Paused {
            return Err(CoreError::invalid("the connection is already paused"));
        }
        let now = self.now();
        self.write(|tx| {
            self.record_operation(
                tx,
                &record,
                Some(Transition {
                    to: ConnectionState::Paused,
                    cause: &format!("paused by {}", operator.name),
                }),
                Operation::succeeded(&operator.id, "connection.pause", serde_json::json!({}), now),
            )
        })?;
        self.connection(id)
    }

    /// Tests first: a connection that passes is active again, one that fails is `error`.
    pub fn resume_connection(&self, id: &str) -> CoreResult<Resumed> {
        let operator =
            self.authorize(access::Operation::ResumeConnection, Target::Connection(id))?;
        let (record, fields) = self.open_connection(id)?;
        if record.state != ConnectionState::Paused {
            return Err(CoreError::invalid(
                "only a paused connection can be resumed",
            ));
        }
        let outcome = self.call_test(&record, &fields)?;
        let now = self.now();
        let (to, result) = match outcome {
            TestOutcome::Connected { .. } => (ConnectionState::Active, "success"),
            _ => (ConnectionState::Error, "failed"),
        };
        self.write(|tx| {
            connections::record_test(tx, id, outcome.kind(), account_of(&outcome), now)?;
            self.record_operation(
                tx,
                &record,
                Some(Transition {
                    to,
                    cause: &format!("resumed by {}; test call: {outcome}", operator.name),
                }),
                Operation {
                    operator_id: Some(&operator.id),
                    action: "connection.resume",
                    outcome: result,
                    details: serde_json::json!({ "test_outcome": outcome }),
                    at: now,
                },
            )
        })?;
        Ok(Resumed {
            outcome,
            detail: self.connection(id)?,
        })
    }

    /// Removes the connection and its sealed credential, and revokes its grant at the vendor
    /// where it can be (RFC 7009) whatever the vendor says: a vendor that cannot be reached
    /// gets the revocation again later (`connections::revocation`). Keys cannot be revoked
    /// from here (the vendor's console does that): their revocation is unsupported. Its
    /// undelivered deliveries end as failed, counted in the activity row.
    pub fn disconnect_connection(&self, id: &str) -> CoreResult<Revocation> {
        let operator = self.authorize(
            access::Operation::DisconnectConnection,
            Target::Connection(id),
        )?;
        let record = self.record(id)?;
        let endpoint = self.revocation_endpoint(&record);
        let token = self.grant_token(&record);
        let now = self.now();
        let pending = self.write(|tx| {
            let pending = match (&endpoint, token) {
                (Ok(endpoint), Some(token)) => Some(self.queue_revocation(
                    tx,
                    &record,
                    endpoint,
                    token,
                    RevocationReason::Disconnect,
                    &operator.id,
                )?),
                _ => None,
            };
            let revocation = match (&endpoint, &pending) {
                (_, Some(_)) => "requested",
                (Err(unrevocable), None) => unrevocable.as_str(),
                (Ok(_), None) => Revocation::Failed.as_str(),
            };
            let abandoned = sgen_store::outbox::abandon_for_connection(tx, id)?;
            self.record_operation(
                tx,
                &record,
                None,
                Operation::succeeded(
                    &operator.id,
                    "connection.disconnect",
                    serde_json::json!({
                        "connector_type": record.connector_type,
                        "display_name": record.display_name,
                        "revocation": revocation,
                        "deliveries_abandoned": abandoned,
                    }),
                    now,
                ),
            )?;
            connection_credentials::delete(tx, id)?;
            Ok(pending)
        })?;
        match (pending, endpoint) {
            // The disconnect has happened; the pending row is retried later if recording
            // this attempt failed.
            (Some(pending), _) => Ok(self.attempt_revocation(&pending).unwrap_or_else(|e| {
                tracing::warn!(connection = %id, error = %e, "recording the revocation failed");
                Revocation::Pending
            })),
            (None, Err(unrevocable)) => Ok(unrevocable),
            (None, Ok(_)) => Ok(Revocation::Failed),
        }
    }

    pub(crate) fn manifest(&self, slug: &str) -> CoreResult<&Manifest> {
        self.catalog.get(slug).ok_or_else(|| CoreError::NotFound {
            what: "connector",
            id: slug.to_string(),
        })
    }

    pub(crate) fn record(&self, id: &str) -> CoreResult<ConnectionRecord> {
        self.store
            .read(|conn| Ok::<_, CoreError>(connections::get(conn, id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "connection",
                id: id.to_string(),
            })
    }

    /// The connection and its credential fields, opened with the site's key.
    pub(crate) fn open_connection(&self, id: &str) -> CoreResult<(ConnectionRecord, SecretFields)> {
        // A token about to expire is refreshed before it is used. If that fails the old one is
        // tried anyway: the vendor's answer to it is the honest test result.
        if let Err(e) = self.refresh_if_due(id, false) {
            tracing::warn!(connection = id, error = %e, "refresh before use failed");
        }
        let record = self.record(id)?;
        let (sealed, key) = self.sealed_credentials(id)?;
        let blob = sealed.credential_blob.ok_or_else(|| {
            CoreError::invalid("the connection holds no credential; connect it again")
        })?;
        let fields = key.open(Binding::credential(id), &blob)?;
        Ok((record, fields))
    }

    pub(crate) fn call_test(
        &self,
        record: &ConnectionRecord,
        fields: &SecretFields,
    ) -> CoreResult<TestOutcome> {
        let manifest = self.manifest(&record.connector_type)?;
        let flow = self.flow_of(record)?;
        let api_base = self.calls_go_to(record, flow, fields)?;
        let policy = self.send_policy(record)?;
        vendor_http::test_call(manifest, flow, fields, api_base.as_deref(), policy.as_ref())
    }

    pub(crate) fn flow_of(&self, record: &ConnectionRecord) -> CoreResult<AuthFlow> {
        AuthFlow::parse(&record.auth_flow)
            .ok_or_else(|| CoreError::Internal(format!("unknown auth flow {}", record.auth_flow)))
    }

    /// Where the connection's calls go (see `api_base_for`). A real receiver keeps the signing
    /// secret it was given across our restarts; the sandbox receiver lives in this process, so
    /// it is given it again.
    pub(crate) fn calls_go_to(
        &self,
        record: &ConnectionRecord,
        flow: AuthFlow,
        fields: &SecretFields,
    ) -> CoreResult<Option<String>> {
        let slug = &record.connector_type;
        if flow == AuthFlow::SignedToken
            && record.base_url_override.as_deref() == Some(crate::SANDBOX_ENDPOINT)
        {
            if let Some(secret) = fields.get(crate::connections::signed_token::SIGNING_SECRET) {
                self.register_with_sandbox_receiver(slug, secret)?;
            }
        }
        self.api_base_for(slug, record.base_url_override.as_deref())
    }
}

/// The state a test result shows the connection to be in; None when it says nothing about the
/// credential (the vendor or the network failed, not the connection).
pub(crate) fn observed_state(outcome: &TestOutcome) -> Option<ConnectionState> {
    match outcome {
        TestOutcome::Connected { .. } => Some(ConnectionState::Active),
        TestOutcome::CredentialExpired => Some(ConnectionState::AuthExpired),
        TestOutcome::CredentialRevoked => Some(ConnectionState::AuthRevoked),
        TestOutcome::ScopeInsufficient { .. } => Some(ConnectionState::Error),
        TestOutcome::VendorError { .. } | TestOutcome::NetworkError { .. } => None,
    }
}

pub(crate) fn account_of(outcome: &TestOutcome) -> Option<&str> {
    match outcome {
        TestOutcome::Connected { account_id } => account_id.as_deref(),
        _ => None,
    }
}
