//! The manifest schema. Unknown fields and unknown enum values are parse errors, so a typo in a
//! manifest never silently drops information.

use crate::inbound_events::InboundEvents;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    GoogleServices,
    EmailServiceProviders,
    PaymentPlatforms,
    WebhookDestinations,
    Analytics,
    Crm,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::GoogleServices,
        Family::EmailServiceProviders,
        Family::PaymentPlatforms,
        Family::WebhookDestinations,
        Family::Analytics,
        Family::Crm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::GoogleServices => "google_services",
            Family::EmailServiceProviders => "email_service_providers",
            Family::PaymentPlatforms => "payment_platforms",
            Family::WebhookDestinations => "webhook_destinations",
            Family::Analytics => "analytics",
            Family::Crm => "crm",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Family::GoogleServices => "Google services",
            Family::EmailServiceProviders => "Email-service providers",
            Family::PaymentPlatforms => "Payment platforms",
            Family::WebhookDestinations => "Webhook destinations",
            Family::Analytics => "Analytics",
            Family::Crm => "CRM",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    Oauth2,
    ApiKey,
    Basic,
    ClientCredentials,
    SignedToken,
}

impl AuthFlow {
    pub const ALL: [AuthFlow; 5] = [
        AuthFlow::Oauth2,
        AuthFlow::ApiKey,
        AuthFlow::Basic,
        AuthFlow::ClientCredentials,
        AuthFlow::SignedToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthFlow::Oauth2 => "oauth2",
            AuthFlow::ApiKey => "api_key",
            AuthFlow::Basic => "basic",
            AuthFlow::ClientCredentials => "client_credentials",
            AuthFlow::SignedToken => "signed_token",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|flow| flow.as_str() == text)
    }
}

/// The encoding of a request body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`, nested values in brackets (`metadata[order]=7`).
    Form,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub slug: String,
    pub display_name: String,
    pub family: Family,
    pub summary: String,
    pub auth_flows: Vec<AuthFlow>,
    /// Present exactly when `auth_flows` includes `oauth2`.
    #[serde(default)]
    pub oauth: Option<OAuthEndpoints>,
    /// Present exactly when `auth_flows` includes `client_credentials`.
    #[serde(default)]
    pub client_credentials: Option<ClientCredentialsEndpoint>,
    #[serde(default)]
    pub scopes: Vec<Scope>,
    #[serde(default)]
    pub credential_fields: Vec<CredentialField>,
    /// How a stored credential is attached to API requests.
    pub request_auth: RequestAuth,
    /// Flows that attach their credential another way (Pipedrive: OAuth tokens as a bearer,
    /// personal API tokens in the query).
    #[serde(default)]
    pub request_auth_by_flow: std::collections::BTreeMap<AuthFlow, RequestAuth>,
    pub api_base: String,
    pub test_call: TestCall,
    pub revocation: Revocation,
    pub inbound_events: InboundEvents,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// How action bodies are written: JSON unless the vendor takes forms (Stripe).
    #[serde(default)]
    pub request_body: BodyEncoding,
    pub docs_url: String,
}

impl Manifest {
    /// How a credential of `flow` is attached to API requests.
    pub fn request_auth_for(&self, flow: AuthFlow) -> &RequestAuth {
        self.request_auth_by_flow
            .get(&flow)
            .unwrap_or(&self.request_auth)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthEndpoints {
    pub authorize_url: String,
    pub token_url: String,
    /// Where the browser returns: a loopback listener (RFC 8252) unless the vendor refuses it.
    pub redirect: RedirectKind,
    /// The `iss` value the vendor sends on the callback (RFC 9207), when it sends one.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Extra authorize parameters the vendor needs (e.g. Google's `access_type=offline`).
    #[serde(default)]
    pub extra_authorize_params: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectKind {
    Loopback,
    DeepLink,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCredentialsEndpoint {
    pub token_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub id: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialField {
    pub name: String,
    pub label: String,
    pub secret: bool,
    /// A regular expression the whole value must match. Required for secret fields, so a
    /// pasted value of the wrong kind is refused before it is sealed and tested.
    #[serde(default)]
    pub pattern: Option<String>,
    pub example: String,
    /// Which auth flows ask for this field; empty means every non-OAuth flow.
    #[serde(default)]
    pub flows: Vec<AuthFlow>,
}

impl CredentialField {
    /// The validation pattern, anchored so it must match the whole value.
    pub fn anchored_pattern(&self) -> Option<Result<regex::Regex, regex::Error>> {
        self.pattern
            .as_ref()
            .map(|pattern| regex::Regex::new(&format!("^(?:{pattern})$")))
    }

    /// Whether `value` is well-formed for this field: it matches the whole pattern, or is not
    /// empty when the field has none.
    pub fn accepts(&self, value: &str) -> bool {
        match self.anchored_pattern() {
            None => !value.trim().is_empty(),
            Some(Ok(re)) => re.is_match(value),
            Some(Err(_)) => false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RequestAuth {
    /// `Authorization: <scheme> <token>`: the OAuth access token, or `field` for key flows.
    Bearer {
        #[serde(default)]
        field: Option<String>,
        /// Defaults to `Bearer`; Zoho wants `Zoho-oauthtoken`.
        #[serde(default)]
        scheme: Option<String>,
    },
    /// A named header carrying a credential field.
    Header { name: String, field: String },
    /// HTTP basic auth from two credential fields.
    Basic {
        username_field: String,
        password_field: String,
    },
    /// A query parameter carrying a credential field.
    Query { name: String, field: String },
    /// Outbound requests are signed with the connection's secret (Standard Webhooks).
    StandardWebhooksSignature,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCall {
    pub method: HttpMethod,
    /// Relative to `api_base` unless absolute.
    pub path: String,
    /// JSON pointer to the vendor account id in the response body, when the vendor returns one.
    #[serde(default)]
    pub account_id_pointer: Option<String>,
    /// Scopes this call needs; the test reports them as missing on a 403.
    #[serde(default)]
    pub required_scopes: Vec<String>,
    /// How this vendor words its failures, first match wins; answers no rule matches are read
    /// by their status alone.
    #[serde(default)]
    pub answers: Vec<AnswerRule>,
}

impl TestCall {
    /// What a failed answer means by this vendor's rules, when one matches.
    pub fn meaning_of(&self, status: u16, body: &serde_json::Value) -> Option<AnswerMeaning> {
        self.answers
            .iter()
            .find(|rule| {
                rule.status == status
                    && body.pointer(&rule.pointer).and_then(|v| v.as_str()) == Some(&rule.value)
            })
            .map(|rule| rule.means)
    }

    /// The first rule for a meaning: how the vendor says it.
    pub fn rule_for(&self, means: AnswerMeaning) -> Option<&AnswerRule> {
        self.answers.iter().find(|rule| rule.means == means)
    }
}

/// One way a vendor words a failure: this status with this string at this JSON pointer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRule {
    pub status: u16,
    pub pointer: String,
    pub value: String,
    pub means: AnswerMeaning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerMeaning {
    CredentialExpired,
    CredentialRevoked,
    ScopeInsufficient,
    /// A failure of the vendor or the account, not of the credential.
    VendorError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Revocation {
    /// An RFC 7009 token revocation endpoint.
    Rfc7009 {
        url: String,
        /// Revoking any one token ends every grant the account gave the app (Google: "the
        /// user's authorization for the app"), not just the grant the token belongs to. After
        /// a re-authorization the old grant is then left alone: revoking it would end the
        /// new one too.
        #[serde(default)]
        revokes_every_grant: bool,
    },
    /// A vendor-specific call that invalidates the grant.
    VendorCall { method: HttpMethod, url: String },
    /// The vendor offers no programmatic revocation; `how` tells the operator what to do.
    Unsupported { how: String },
}

impl Revocation {
    pub fn kind(&self) -> &'static str {
        match self {
            Revocation::Rfc7009 { .. } => "rfc7009",
            Revocation::VendorCall { .. } => "vendor_call",
            Revocation::Unsupported { .. } => "unsupported",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub id: String,
    pub label: String,
    pub method: HttpMethod,
    pub path: String,
    #[serde(default)]
    pub required_scopes: Vec<String>,
}
