//! What a test call found (SPEC §4): exactly one of six outcomes, read from the vendor's answer.

use serde::Serialize;
use sgen_catalog::{AuthFlow, Manifest};
use std::fmt;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum TestOutcome {
    Connected { account_id: Option<String> },
    CredentialExpired,
    CredentialRevoked,
    ScopeInsufficient { missing_scopes: Vec<String> },
    VendorError { code: u16 },
    NetworkError { reason: String },
}

impl TestOutcome {
    /// The outcome's name, as stored in `last_test_outcome` and the activity log.
    pub fn kind(&self) -> &'static str {
        match self {
            TestOutcome::Connected { .. } => "connected",
            TestOutcome::CredentialExpired => "credential_expired",
            TestOutcome::CredentialRevoked => "credential_revoked",
            TestOutcome::ScopeInsufficient { .. } => "scope_insufficient",
            TestOutcome::VendorError { .. } => "vendor_error",
            TestOutcome::NetworkError { .. } => "network_error",
        }
    }

    /// Reads the vendor's answer to the test call. A 401 means the credential no longer
    /// works: for a token (OAuth, client credentials) that is an expiry a refresh may fix,
    /// unless the vendor says otherwise; for a key, the key was revoked or deleted, unless
    /// the vendor says it expired. A 403 means the credential lacks what the call needs.
    pub(crate) fn from_response(
        manifest: &Manifest,
        flow: AuthFlow,
        status: u16,
        body: &serde_json::Value,
    ) -> Self {
        let said = |word: &str| body.to_string().to_ascii_lowercase().contains(word);
        match status {
            200..=299 => TestOutcome::Connected {
                account_id: manifest
                    .test_call
                    .account_id_pointer
                    .as_deref()
                    .and_then(|pointer| body.pointer(pointer))
                    .and_then(|value| match value {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    }),
            },
            401 if said("expired") => TestOutcome::CredentialExpired,
            401 if said("revoked") => TestOutcome::CredentialRevoked,
            401 => match flow {
                AuthFlow::Oauth2 | AuthFlow::ClientCredentials => TestOutcome::CredentialExpired,
                _ => TestOutcome::CredentialRevoked,
            },
            403 => TestOutcome::ScopeInsufficient {
                missing_scopes: body
                    .pointer("/error/missing_scopes")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_else(|| manifest.test_call.required_scopes.clone()),
            },
            code => TestOutcome::VendorError { code },
        }
    }
}

impl fmt::Display for TestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestOutcome::Connected {
                account_id: Some(id),
            } => write!(f, "connected to {id}"),
            TestOutcome::Connected { account_id: None } => f.write_str("connected"),
            TestOutcome::CredentialExpired => {
                f.write_str("the vendor says the credential has expired")
            }
            TestOutcome::CredentialRevoked => f.write_str(
                "the vendor refused the credential: it was revoked, deleted or is wrong",
            ),
            TestOutcome::ScopeInsufficient { missing_scopes } if missing_scopes.is_empty() => {
                f.write_str("the credential lacks a permission the call needs")
            }
            TestOutcome::ScopeInsufficient { missing_scopes } => {
                write!(f, "missing scopes: {}", missing_scopes.join(", "))
            }
            TestOutcome::VendorError { code } => write!(f, "the vendor answered HTTP {code}"),
            TestOutcome::NetworkError { reason } => {
                write!(f, "could not reach the vendor: {reason}")
            }
        }
    }
}
