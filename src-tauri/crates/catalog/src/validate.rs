//! Rules a manifest must satisfy beyond its shape. Each broken rule is one [`ManifestProblem`].

use crate::inbound_events::{FieldSource, SignatureScheme};
use crate::manifest::{AuthFlow, Manifest, RequestAuth, Revocation};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestProblem {
    pub file: String,
    pub problem: String,
}

impl std::fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

/// Checks every manifest and the set as a whole; returns all problems found.
pub fn validate(manifests: &[(String, Manifest)]) -> Vec<ManifestProblem> {
    let mut problems = Vec::new();
    let mut slugs = HashSet::new();
    for (file, manifest) in manifests {
        let mut report = |problem: String| {
            problems.push(ManifestProblem {
                file: file.clone(),
                problem,
            })
        };
        if !slugs.insert(manifest.slug.as_str()) {
            report(format!("duplicate slug `{}`", manifest.slug));
        }
        check_manifest(manifest, &mut report);
    }
    problems
}

fn check_manifest(m: &Manifest, report: &mut impl FnMut(String)) {
    let slug_ok = !m.slug.is_empty()
        && m.slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !slug_ok {
        report(format!(
            "slug `{}` must be lowercase letters, digits and dashes",
            m.slug
        ));
    }
    if m.display_name.trim().is_empty() {
        report("display_name is empty".into());
    }
    if m.auth_flows.is_empty() {
        report("auth_flows is empty".into());
    }

    if !is_https_url(&m.api_base) && !is_field_url(m, &m.api_base) {
        report(format!(
            "api_base `{}` is neither an https URL nor `{{field}}…` with a credential field whose pattern requires https",
            m.api_base
        ));
    }
    let mut https = |what: &str, url: &str| {
        if !is_https_url(url) {
            report(format!("{what} `{url}` is not an https URL"));
        }
    };
    https("docs_url", &m.docs_url);
    if let Some(oauth) = &m.oauth {
        https("oauth.authorize_url", &oauth.authorize_url);
        https("oauth.token_url", &oauth.token_url);
    }
    if let Some(cc) = &m.client_credentials {
        https("client_credentials.token_url", &cc.token_url);
    }
    match &m.revocation {
        Revocation::Rfc7009 { url, .. } | Revocation::VendorCall { url, .. } => {
            https("revocation.url", url)
        }
        Revocation::Unsupported { how } if how.trim().is_empty() => report(
            "revocation is unsupported but `how` does not tell the operator what to do".into(),
        ),
        Revocation::Unsupported { .. } => {}
    }
    // Events arrive verified by some scheme, and a scheme is only declared for events.
    let sends_events = !m.inbound_events.types.is_empty();
    if sends_events == (m.inbound_events.signature == SignatureScheme::None) {
        report(
            "inbound_events: `types` must be listed exactly when `signature` is not `none`".into(),
        );
    }
    let inbound = &m.inbound_events;
    if sends_events && inbound.type_from.is_empty() {
        report("inbound_events: `type` must say where an event's type is".into());
    }
    for source in inbound.id.iter().chain(&inbound.type_from) {
        if let FieldSource::Body(pointer) = source {
            if !pointer.starts_with('/') {
                report(format!(
                    "inbound_events: `{pointer}` is not a JSON pointer (it starts with `/`)"
                ));
            }
        }
    }
    for name in inbound.type_names.values() {
        if !inbound.types.contains(name) {
            report(format!(
                "inbound_events.type_names: `{name}` is not one of `types`"
            ));
        }
    }
    if sends_events != inbound.example.is_some() {
        report("inbound_events: an `example` must be given exactly when `types` are".into());
    }
    if inbound.events_api.is_some() && !sends_events {
        report("inbound_events: an `events_api` needs event `types`".into());
    }
    let path = &m.test_call.path;
    if !(path.is_empty() || path.starts_with('/') || is_https_url(path)) {
        report(format!("test_call.path `{path}` must be empty (the API base itself), start with `/`, or be an https URL"));
    }

    let has_oauth = m.auth_flows.contains(&AuthFlow::Oauth2);
    if has_oauth != m.oauth.is_some() {
        report("`oauth` endpoints must be present exactly when auth_flows includes oauth2".into());
    }
    let has_cc = m.auth_flows.contains(&AuthFlow::ClientCredentials);
    if has_cc != m.client_credentials.is_some() {
        report("`client_credentials` must be present exactly when auth_flows includes client_credentials".into());
    }

    let scopes: HashSet<&str> = m.scopes.iter().map(|s| s.id.as_str()).collect();
    if scopes.len() != m.scopes.len() {
        report("scope ids are not unique".into());
    }
    for scope in &m.scopes {
        if scope.description.trim().is_empty() {
            report(format!("scope `{}` has no description", scope.id));
        }
    }
    for rule in &m.test_call.answers {
        if !(400..=599).contains(&rule.status) || !rule.pointer.starts_with('/') {
            report(format!(
                "test_call.answers: a rule needs a 4xx/5xx status and a JSON pointer starting with `/` (got {} `{}`)",
                rule.status, rule.pointer
            ));
        }
    }
    let needs = std::iter::once(("test_call".to_string(), &m.test_call.required_scopes)).chain(
        m.actions
            .iter()
            .map(|a| (format!("action `{}`", a.id), &a.required_scopes)),
    );
    for (owner, needed) in needs {
        for scope in needed.iter().filter(|s| !scopes.contains(s.as_str())) {
            report(format!(
                "{owner} needs scope `{scope}`, which the manifest does not declare"
            ));
        }
    }
    let mut action_ids = HashSet::new();
    for action in &m.actions {
        if !action_ids.insert(action.id.as_str()) {
            report(format!("duplicate action id `{}`", action.id));
        }
    }

    let mut field_names = HashSet::new();
    for field in &m.credential_fields {
        if !field_names.insert(field.name.as_str()) {
            report(format!("duplicate credential field `{}`", field.name));
        }
        match field.anchored_pattern() {
            None if field.secret => report(format!(
                "secret field `{}` has no validation pattern",
                field.name
            )),
            None => {}
            Some(Err(e)) => report(format!(
                "field `{}` pattern does not compile: {e}",
                field.name
            )),
            // The example is shown in the form, so it must itself be valid input.
            Some(Ok(re)) if !re.is_match(&field.example) => report(format!(
                "field `{}` example does not match its own pattern",
                field.name
            )),
            Some(Ok(_)) => {}
        }
    }
    for flow in m.request_auth_by_flow.keys() {
        if !m.auth_flows.contains(flow) {
            report(format!(
                "request_auth_by_flow names {}, which is not one of the connector's flows",
                flow.as_str()
            ));
        }
    }
    let all_auth = std::iter::once(&m.request_auth).chain(m.request_auth_by_flow.values());
    for referenced in all_auth.flat_map(request_auth_fields) {
        if !field_names.contains(referenced) {
            report(format!(
                "request_auth uses credential field `{referenced}`, which is not declared"
            ));
        }
    }
    let needs_fields = m.auth_flows.iter().any(|f| {
        matches!(
            f,
            AuthFlow::ApiKey | AuthFlow::Basic | AuthFlow::ClientCredentials
        )
    });
    if needs_fields && m.credential_fields.is_empty() {
        report("a key, basic or client-credentials flow needs credential_fields".into());
    }
}

fn request_auth_fields(auth: &RequestAuth) -> Vec<&str> {
    match auth {
        RequestAuth::Bearer { field, .. } => field.iter().map(String::as_str).collect(),
        RequestAuth::Header { field, .. } | RequestAuth::Query { field, .. } => {
            vec![field.as_str()]
        }
        RequestAuth::Basic {
            username_field,
            password_field,
        } => vec![username_field, password_field],
        RequestAuth::StandardWebhooksSignature => vec![],
    }
}

/// `{field}…` where `field` is a declared credential field whose pattern only admits https URLs
/// (a self-hosted Matomo, an ActiveCampaign account URL, a webhook destination).
fn is_field_url(m: &Manifest, url: &str) -> bool {
    let Some(name) = url
        .strip_prefix('{')
        .and_then(|rest| rest.split('}').next())
    else {
        return false;
    };
    m.credential_fields.iter().any(|f| {
        f.name == name
            && f.pattern
                .as_deref()
                .is_some_and(|p| p.starts_with("https://"))
    })
}

/// `https://host…`, where a `{placeholder}` host part (a Mailchimp data centre, a Salesforce
/// instance) is allowed because it is filled from the connection at run time.
fn is_https_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    !host.is_empty() && !host.contains(char::is_whitespace)
}
