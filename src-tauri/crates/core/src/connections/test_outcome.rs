//! What a test call found (SPEC §4): exactly one of six outcomes, read from the vendor's answer.

use serde::Serialize;
use sgen_catalog::{AnswerMeaning, AuthFlow, Manifest};
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

    /// Reads the vendor's answer to the test call: by the vendor's own rules in its manifest
    /// first (HubSpot's `category`, Square's `errors[0].code`, Google's `status`…), then by
    /// status. A 401 means the credential no longer works: for a token (OAuth, client
    /// credentials) that is an expiry a refresh may fix, unless the vendor says otherwise; for
    /// a key, the key was revoked or deleted, unless the vendor says it expired. A 403 means
    /// the credential lacks what the call needs.
    pub(crate) fn from_response(
        manifest: &Manifest,
        flow: AuthFlow,
        status: u16,
        body: &serde_json::Value,
    ) -> Self {
        let missing_scopes = || {
            body.pointer("/error/missing_scopes")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_else(|| manifest.test_call.required_scopes.clone())
        };
        if !(200..=299).contains(&status) {
            if let Some(means) = manifest.test_call.meaning_of(status, body) {
                return match means {
                    AnswerMeaning::CredentialExpired => TestOutcome::CredentialExpired,
                    AnswerMeaning::CredentialRevoked => TestOutcome::CredentialRevoked,
                    AnswerMeaning::ScopeInsufficient => TestOutcome::ScopeInsufficient {
                        missing_scopes: missing_scopes(),
                    },
                    AnswerMeaning::VendorError => TestOutcome::VendorError { code: status },
                };
            }
        }
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
                missing_scopes: missing_scopes(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sgen_catalog::Catalog;

    /// Answers in the shapes the vendors document, read the vendor's way.
    #[test]
    fn failures_are_read_by_each_vendors_rules_then_by_status() {
        let catalog = Catalog::embedded().unwrap();
        let expired = TestOutcome::CredentialExpired;
        let revoked = TestOutcome::CredentialRevoked;
        let cases = [
            (
                "stripe",
                AuthFlow::ApiKey,
                401,
                json!({"error": {"code": "api_key_expired", "message": "Expired API Key provided: sk_live_***", "type": "invalid_request_error"}}),
                expired.clone(),
            ),
            (
                "stripe",
                AuthFlow::ApiKey,
                401,
                json!({"error": {"message": "Invalid API Key provided: sk_live_***", "type": "invalid_request_error"}}),
                revoked.clone(),
            ),
            (
                "hubspot",
                AuthFlow::Oauth2,
                401,
                json!({"status": "error", "message": "Authentication credentials not found.", "category": "INVALID_AUTHENTICATION"}),
                revoked.clone(),
            ),
            (
                "hubspot",
                AuthFlow::Oauth2,
                401,
                json!({"status": "error", "message": "The OAuth token used to make this call expired 2 hour(s) ago.", "category": "EXPIRED_AUTHENTICATION"}),
                expired.clone(),
            ),
            (
                "hubspot",
                AuthFlow::Oauth2,
                403,
                json!({"status": "error", "message": "This app hasn't been granted all required scopes.", "category": "MISSING_SCOPES"}),
                TestOutcome::ScopeInsufficient {
                    missing_scopes: vec!["oauth".into()],
                },
            ),
            (
                "square",
                AuthFlow::Oauth2,
                401,
                json!({"errors": [{"category": "AUTHENTICATION_ERROR", "code": "ACCESS_TOKEN_REVOKED", "detail": "This access token has been revoked."}]}),
                revoked.clone(),
            ),
            (
                "square",
                AuthFlow::Oauth2,
                401,
                json!({"errors": [{"category": "AUTHENTICATION_ERROR", "code": "ACCESS_TOKEN_EXPIRED", "detail": "This access token has expired."}]}),
                expired.clone(),
            ),
            (
                "mailchimp",
                AuthFlow::Oauth2,
                401,
                json!({"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid", "status": 401, "detail": "Your API key may be invalid."}),
                revoked.clone(),
            ),
            (
                "zoho-crm",
                AuthFlow::Oauth2,
                401,
                json!({"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "invalid oauth scope to access this URL", "status": "error"}),
                TestOutcome::ScopeInsufficient {
                    missing_scopes: vec!["ZohoCRM.org.READ".into()],
                },
            ),
            (
                "zoho-crm",
                AuthFlow::Oauth2,
                401,
                json!({"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}),
                expired.clone(),
            ),
            (
                "google-calendar",
                AuthFlow::Oauth2,
                403,
                json!({"error": {"code": 403, "message": "Request had insufficient authentication scopes.", "status": "PERMISSION_DENIED", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}]}}),
                TestOutcome::ScopeInsufficient {
                    missing_scopes: vec!["https://www.googleapis.com/auth/calendar.readonly".into()],
                },
            ),
            // The account cannot see the calendar: not the credential's fault.
            (
                "google-calendar",
                AuthFlow::Oauth2,
                403,
                json!({"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}}),
                TestOutcome::VendorError { code: 403 },
            ),
            (
                "salesforce",
                AuthFlow::Oauth2,
                403,
                json!([{"message": "The REST API is not enabled for this Organization.", "errorCode": "API_DISABLED_FOR_ORG"}]),
                TestOutcome::VendorError { code: 403 },
            ),
            (
                "brevo",
                AuthFlow::ApiKey,
                401,
                json!({"code": "unauthorized", "message": "Key not found"}),
                revoked.clone(),
            ),
            (
                "brevo",
                AuthFlow::ApiKey,
                503,
                json!({}),
                TestOutcome::VendorError { code: 503 },
            ),
        ];
        for (slug, flow, status, body, expected) in cases {
            let manifest = catalog.get(slug).unwrap();
            // Where the vendor names no scope, the test call's own are reported missing.
            let outcome = TestOutcome::from_response(manifest, flow, status, &body);
            assert_eq!(outcome, expected, "{slug} {status} {body}");
        }
    }
}
