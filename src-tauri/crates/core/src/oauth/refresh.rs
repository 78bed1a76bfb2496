//! Keeping OAuth connections fresh (SPEC §4): a refresh when the access token is within 15
//! minutes of expiry (before the connection is used) or when asked. One refresh at a time per
//! connection: a second caller waits, then finds the token fresh and does nothing. The rotated
//! refresh token is stored in the same transaction as the new access token; a response without
//! one keeps the old. `invalid_grant` moves the connection to `auth_expired` (authorize again);
//! a vendor or network failure keeps everything as it was.

use crate::access::{self, Target};
use crate::connections::test_outcome::TestOutcome;
use crate::kernel::connection_state::{Operation, Transition};
use crate::kernel::vendor_http::ACCESS_TOKEN;
use crate::oauth::authorization::REFRESH_TOKEN;
use crate::oauth::{self, TokenError};
use crate::{Core, CoreError, CoreResult};
use sgen_catalog::AuthFlow;
use sgen_store::connection_credentials;
use sgen_store::model::ConnectionState;
use sgen_vault::{Binding, SecretFields};
use std::sync::{Arc, Mutex};

/// Refresh this long before the access token expires.
pub(crate) const REFRESH_MARGIN_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refresh {
    NotDue,
    Refreshed,
    /// The vendor refused the grant; the connection is now `auth_expired`.
    GrantRefused,
}

impl Core {
    /// Refreshes now, then tests with the new token.
    pub fn refresh_connection(&self, id: &str) -> CoreResult<TestOutcome> {
        let operator = self.authorize(
            access::Operation::RefreshCredentials,
            Target::Connection(id),
        )?;
        let record = self.record(id)?;
        let token_flows = [
            AuthFlow::Oauth2.as_str(),
            AuthFlow::ClientCredentials.as_str(),
        ];
        if !token_flows.contains(&record.auth_flow.as_str()) {
            return Err(CoreError::invalid(
                "only OAuth and client-credentials connections have tokens to refresh",
            ));
        }
        match self.refresh_if_due(id, true) {
            Ok(Refresh::GrantRefused) => {
                return Err(CoreError::TokenEndpoint(
                    "the vendor refused the refresh token (invalid_grant): authorize the connection again"
                        .into(),
                ))
            }
            Ok(_) => {}
            Err(RefreshFailure::Core(e)) => return Err(e),
            Err(other) => return Err(CoreError::TokenEndpoint(other.to_string())),
        }
        self.run_test(id, &operator.id)
    }

    /// Refreshes an OAuth connection whose token is due (or any, with `force`).
    pub(crate) fn refresh_if_due(&self, id: &str, force: bool) -> Result<Refresh, RefreshFailure> {
        let lock = self.refresh_lock(id);
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        // Read after taking the lock: whoever held it may have refreshed already.
        let record = self.record(id)?;
        let now = self.now();
        let due = record
            .expires_at
            .is_some_and(|expires| expires - now <= REFRESH_MARGIN_MS);
        if !(force || due) {
            return Ok(Refresh::NotDue);
        }
        if record.auth_flow == AuthFlow::ClientCredentials.as_str() {
            return self.renew_client_token(&record, now);
        }
        if record.auth_flow != AuthFlow::Oauth2.as_str() {
            return Ok(Refresh::NotDue);
        }
        let (sealed, key) = self.sealed_credentials(id)?;
        let refresh_blob = sealed
            .refresh_token_blob
            .ok_or(RefreshFailure::NoRefreshToken)?;
        let refresh_fields = key.open(Binding::refresh_token(id), &refresh_blob)?;
        let refresh_token = refresh_fields
            .get(REFRESH_TOKEN)
            .ok_or(RefreshFailure::NoRefreshToken)?;
        let manifest = self.manifest(&record.connector_type)?;
        let endpoints = self.oauth_endpoints(
            manifest,
            record.base_url_override.as_deref(),
            record.oauth_server.as_ref(),
        )?;
        // A refresh asked for is the acting operator's; a due one is the app's own.
        let operator_id = if force { self.acting_id() } else { None };
        let operation = |outcome: &'static str, details: serde_json::Value| Operation {
            operator_id: operator_id.as_deref(),
            action: "connection.refresh",
            outcome,
            details,
            at: now,
        };
        let policy = self.token_policy(&record)?;
        match oauth::refresh(
            &endpoints.token_url,
            &endpoints.client_id,
            refresh_token,
            policy.as_ref(),
        ) {
            Ok(tokens) => {
                // The vendor has rotated the refresh token; a crash here leaves the old one
                // stored (see the crash tests).
                fail::fail_point!("refresh.after_token_response");
                let credential = SecretFields::new().with(ACCESS_TOKEN, tokens.access_token);
                let rotated = tokens.refresh_token.is_some();
                let expires_at = oauth::expires_at(now, tokens.expires_in_s);
                self.write(|tx| {
                    // Sealed in the transaction that stores them: the vendor has already
                    // rotated the refresh token, so a key rotation meanwhile must not lose it.
                    let key = self.site_key_in(tx, &sealed.site_id)?;
                    let blob = key.seal(Binding::credential(id), &credential);
                    let new_refresh_blob = match tokens.refresh_token {
                        Some(token) => key.seal(
                            Binding::refresh_token(id),
                            &SecretFields::new().with(REFRESH_TOKEN, token),
                        ),
                        // Kept, sealed again under the key of this transaction.
                        None => key.seal(Binding::refresh_token(id), &refresh_fields),
                    };
                    connection_credentials::set(
                        tx,
                        id,
                        &blob,
                        Some(&new_refresh_blob),
                        expires_at,
                        now,
                    )?;
                    let restored =
                        (record.state == ConnectionState::AuthExpired).then_some(Transition {
                            to: ConnectionState::Active,
                            cause: "token refreshed",
                        });
                    self.record_operation(
                        tx,
                        &record,
                        restored,
                        operation(
                            "success",
                            serde_json::json!({ "refresh_token_rotated": rotated }),
                        ),
                    )
                })?;
                Ok(Refresh::Refreshed)
            }
            Err(TokenError::InvalidGrant) => {
                self.write(|tx| {
                    connection_credentials::forget_refresh_token(tx, id, now)?;
                    self.record_operation(
                        tx,
                        &record,
                        Some(Transition {
                            to: ConnectionState::AuthExpired,
                            cause: "refresh refused by the vendor (invalid_grant): authorize again",
                        }),
                        operation("invalid_grant", serde_json::json!({})),
                    )
                })?;
                Ok(Refresh::GrantRefused)
            }
            Err(other) => {
                self.write(|tx| {
                    self.record_operation(
                        tx,
                        &record,
                        None,
                        operation("failed", serde_json::json!({ "reason": other.to_string() })),
                    )
                })?;
                Err(RefreshFailure::Token(other))
            }
        }
    }

    /// Client credentials: a new access token from the stored id and secret, in place of the
    /// old one. If the vendor refuses the client, the error is returned and nothing changes;
    /// the next test call says what the vendor thinks of the old token.
    fn renew_client_token(
        &self,
        record: &sgen_store::connections::ConnectionRecord,
        now: i64,
    ) -> Result<Refresh, RefreshFailure> {
        let (sealed, key) = self.sealed_credentials(&record.id)?;
        let blob = sealed
            .credential_blob
            .ok_or(RefreshFailure::NoRefreshToken)?;
        let fields = key.open(Binding::credential(&record.id), &blob)?;
        let manifest = self.manifest(&record.connector_type)?;
        let (renewed, tokens) =
            self.fetch_client_token(manifest, record.base_url_override.as_deref(), &fields)?;
        let expires_at = oauth::expires_at(now, tokens.expires_in_s);
        self.write(|tx| {
            let new_blob = self
                .site_key_in(tx, &sealed.site_id)?
                .seal(Binding::credential(&record.id), &renewed);
            connection_credentials::set(tx, &record.id, &new_blob, None, expires_at, now)?;
            Ok(())
        })?;
        Ok(Refresh::Refreshed)
    }

    fn refresh_lock(&self, id: &str) -> Arc<Mutex<()>> {
        self.oauth
            .refresh_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_string())
            .or_default()
            .clone()
    }
}

/// Why a refresh did not happen; the stored credentials are unchanged.
#[derive(Debug)]
pub(crate) enum RefreshFailure {
    NoRefreshToken,
    Token(TokenError),
    Core(CoreError),
}

impl From<CoreError> for RefreshFailure {
    fn from(e: CoreError) -> Self {
        RefreshFailure::Core(e)
    }
}

impl From<sgen_vault::VaultError> for RefreshFailure {
    fn from(e: sgen_vault::VaultError) -> Self {
        RefreshFailure::Core(e.into())
    }
}

impl std::fmt::Display for RefreshFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefreshFailure::NoRefreshToken => {
                f.write_str("the vendor gave no refresh token; authorize again")
            }
            RefreshFailure::Token(e) => e.fmt(f),
            RefreshFailure::Core(e) => e.fmt(f),
        }
    }
}
