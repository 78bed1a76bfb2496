//! The connection lifecycle (SPEC §4) for key-based flows: create (test first; a failed test
//! stores nothing), test, pause, resume (test first), disconnect. Every action is attributed to
//! the active operator, moves the state machine with a recorded cause, and appends an
//! activity-log row that names what happened and never a secret.

use crate::activity_rows::{log, Activity};
use crate::api_address::checked_api_base;
use crate::connections::{insert_connection, ConnectionDetail, ConnectionSpec, Placement};
use crate::ids::random_bits;
use crate::sites::Scope;
use crate::test_outcome::TestOutcome;
use crate::{credentials, ids, vendor_http, Core, CoreError, CoreResult};
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
    Failed,
    Unsupported,
}

impl Revocation {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Revocation::Revoked => "revoked",
            Revocation::Failed => "failed",
            Revocation::Unsupported => "unsupported",
        }
    }
}

/// Flows created from a form (OAuth goes through the browser; signed tokens are not yet here).
const FORM_FLOWS: [AuthFlow; 3] = [
    AuthFlow::ApiKey,
    AuthFlow::Basic,
    AuthFlow::ClientCredentials,
];

impl Core {
    /// Checks the form, makes the test call, and only if it connects stores the connection
    /// with its credential sealed under the site's key, in one transaction.
    pub fn create_connection(
        &self,
        scope: &Scope,
        request: NewConnectionRequest,
    ) -> CoreResult<ConnectionDetail> {
        let manifest = self.manifest(&request.connector_type)?;
        let flow = AuthFlow::parse(&request.auth_flow)
            .filter(|flow| manifest.auth_flows.contains(flow))
            .ok_or_else(|| {
                let offered: Vec<&str> = manifest.auth_flows.iter().map(|f| f.as_str()).collect();
                CoreError::invalid(format!(
                    "{} connects with {}, not `{}`",
                    manifest.display_name,
                    offered.join(" or "),
                    request.auth_flow
                ))
            })?;
        if flow == AuthFlow::Oauth2 {
            return Err(CoreError::invalid(
                "OAuth connections are made with begin_oauth/finish_oauth (the browser flow)",
            ));
        }
        if !FORM_FLOWS.contains(&flow) {
            return Err(CoreError::invalid(format!(
                "connecting with {} is not available in this build yet",
                flow.as_str()
            )));
        }
        let display_name = request.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 120 {
            return Err(CoreError::invalid(
                "the display name must be 1 to 120 characters",
            ));
        }
        let api_base = checked_api_base(request.api_base_override.as_deref())?;
        let calls_go_to = self.api_base_for(&manifest.slug, api_base.as_deref())?;
        let mut fields = credentials::check(manifest, flow, request.fields)?;
        let environment_id = self.environment_id(scope)?;
        let operator = self.active_operator()?;
        // The keyring first: without it nothing may be stored, so there is no point asking
        // the vendor.
        let key = self.vault()?.site_key(&scope.site_id)?;
        let mut expires_at = None;
        if flow == AuthFlow::ClientCredentials {
            let (with_token, tokens) =
                self.fetch_client_token(manifest, api_base.as_deref(), &fields)?;
            fields = with_token;
            expires_at = tokens.expires_in_s.map(|s| self.now() + s * 1000);
        }
        let outcome = vendor_http::test_call(manifest, flow, &fields, calls_go_to.as_deref())?;
        let now = self.now();
        let TestOutcome::Connected { account_id } = &outcome else {
            self.store.write(|tx| {
                log(
                    tx,
                    &Activity {
                        at: now,
                        operator_id: &operator.id,
                        site_id: &scope.site_id,
                        environment_id,
                        connection_id: None,
                        action: "connection.create",
                        outcome: "rejected",
                        details: serde_json::json!({
                            "connector_type": manifest.slug,
                            "test_outcome": outcome,
                        }),
                    },
                )
            })?;
            return Err(CoreError::TestFailed(outcome));
        };
        let id = ids::time_ordered_id("con", now, random_bits()?);
        let blob = key.seal(Binding::credential(&id), &fields);
        self.store.write(|tx| {
            insert_connection(
                tx,
                &Placement {
                    id: &id,
                    site_id: &scope.site_id,
                    environment_id,
                    operator_id: &operator.id,
                    now,
                },
                &ConnectionSpec {
                    connector_type: &manifest.slug,
                    display_name,
                    state: ConnectionState::Active,
                    auth_flow: flow.as_str(),
                    vendor_account_id: account_id.as_deref(),
                    scopes_granted: Vec::new(),
                    expires_at,
                    last_test_outcome: Some(outcome.kind()),
                    base_url_override: api_base.as_deref(),
                    oauth_server: None,
                    field_mapping: serde_json::json!({}),
                    credential_blob: Some(&blob),
                },
                &format!(
                    "created by {} via {}; test call: {outcome}",
                    operator.name,
                    flow.as_str()
                ),
            )
        })?;
        self.connection(&id)
    }

    /// A read-only call to the vendor with the stored credential. Its result is recorded and
    /// moves the observed state (a paused connection stays paused: only resume ends a pause).
    pub fn test_connection(&self, id: &str) -> CoreResult<TestOutcome> {
        let (record, fields) = self.open_connection(id)?;
        let outcome = self.call_test(&record, &fields)?;
        let operator = self.active_operator()?;
        let now = self.now();
        self.store.write(|tx| {
            connections::record_test(tx, id, outcome.kind(), account_of(&outcome), now)?;
            if record.state != ConnectionState::Paused {
                if let Some(to) = observed_state(&outcome) {
                    connections::transition(
                        tx,
                        id,
                        to,
                        &format!("test call: {outcome}"),
                        Some(&operator.id),
                        now,
                    )?;
                }
            }
            self.log_on(
                tx,
                &record,
                &operator.id,
                "connection.test",
                outcome.kind(),
                now,
                serde_json::json!({ "test_outcome": outcome }),
            )
        })?;
        Ok(outcome)
    }

    /// Stops deliveries to the connection; its credential is kept.
    pub fn pause_connection(&self, id: &str) -> CoreResult<ConnectionDetail> {
        let record = self.record(id)?;
        if record.state == ConnectionState::Paused {
            return Err(CoreError::invalid("the connection is already paused"));
        }
        let operator = self.active_operator()?;
        let now = self.now();
        self.store.write(|tx| {
            connections::transition(
                tx,
                id,
                ConnectionState::Paused,
                &format!("paused by {}", operator.name),
                Some(&operator.id),
                now,
            )?;
            self.log_on(
                tx,
                &record,
                &operator.id,
                "connection.pause",
                "success",
                now,
                serde_json::json!({}),
            )
        })?;
        self.connection(id)
    }

    /// Tests first: a connection that passes is active again, one that fails is `error`.
    pub fn resume_connection(&self, id: &str) -> CoreResult<Resumed> {
        let (record, fields) = self.open_connection(id)?;
        if record.state != ConnectionState::Paused {
            return Err(CoreError::invalid(
                "only a paused connection can be resumed",
            ));
        }
        let outcome = self.call_test(&record, &fields)?;
        let operator = self.active_operator()?;
        let now = self.now();
        let (to, result) = match outcome {
            TestOutcome::Connected { .. } => (ConnectionState::Active, "success"),
            _ => (ConnectionState::Error, "failed"),
        };
        self.store.write(|tx| {
            connections::record_test(tx, id, outcome.kind(), account_of(&outcome), now)?;
            connections::transition(
                tx,
                id,
                to,
                &format!("resumed by {}; test call: {outcome}", operator.name),
                Some(&operator.id),
                now,
            )?;
            self.log_on(
                tx,
                &record,
                &operator.id,
                "connection.resume",
                result,
                now,
                serde_json::json!({ "test_outcome": outcome }),
            )
        })?;
        Ok(Resumed {
            outcome,
            detail: self.connection(id)?,
        })
    }

    /// Revokes the grant at the vendor where it can be (RFC 7009), then removes the connection
    /// and its sealed credential whatever the vendor said. Keys cannot be revoked from here
    /// (the vendor's console does that): their revocation is recorded as unsupported.
    pub fn disconnect_connection(&self, id: &str) -> CoreResult<Revocation> {
        let record = self.record(id)?;
        let revocation = self.revoke_at_vendor(&record);
        let operator = self.active_operator()?;
        let now = self.now();
        self.store.write(|tx| {
            self.log_on(
                tx,
                &record,
                &operator.id,
                "connection.disconnect",
                "success",
                now,
                serde_json::json!({
                    "connector_type": record.connector_type,
                    "display_name": record.display_name,
                    "revocation": revocation.as_str(),
                }),
            )?;
            connection_credentials::delete(tx, id)?;
            Ok::<_, CoreError>(())
        })?;
        Ok(revocation)
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
        let flow = AuthFlow::parse(&record.auth_flow).ok_or_else(|| {
            CoreError::Internal(format!("unknown auth flow {}", record.auth_flow))
        })?;
        let api_base = self.api_base_for(&manifest.slug, record.base_url_override.as_deref())?;
        vendor_http::test_call(manifest, flow, fields, api_base.as_deref())
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
