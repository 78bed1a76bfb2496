//! The connector library view: catalog entries and whether the current site has each.

use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_catalog::{Manifest, RedirectKind, Revocation};
use sgen_store::connections;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScopeInfo {
    pub id: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectorSummary {
    pub slug: String,
    pub display_name: String,
    pub family: String,
    pub family_label: String,
    pub summary: String,
    pub auth_flows: Vec<String>,
    pub scopes: Vec<ScopeInfo>,
    /// Whether a connection of this type exists in the scope's site and environment.
    pub configured: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CredentialFieldInfo {
    pub name: String,
    pub label: String,
    pub secret: bool,
    pub pattern: Option<String>,
    pub example: String,
    /// The auth flows that ask for this field; empty means every flow.
    pub flows: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActionInfo {
    pub id: String,
    pub label: String,
    pub required_scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectorDetail {
    pub summary: ConnectorSummary,
    pub credential_fields: Vec<CredentialFieldInfo>,
    pub actions: Vec<ActionInfo>,
    pub inbound_signature: String,
    pub inbound_event_types: Vec<String>,
    /// `rfc7009`, `vendor_call` or `unsupported`.
    pub revocation: String,
    /// For unsupported revocation: what the operator does at the vendor instead.
    pub revocation_note: Option<String>,
    /// `loopback` or `deep_link` for OAuth connectors.
    pub oauth_redirect: Option<String>,
    pub api_base: String,
    pub docs_url: String,
    pub catalog_version: String,
}

impl Core {
    pub fn library(&self, scope: &SiteEnvironment) -> CoreResult<Vec<ConnectorSummary>> {
        let configured = self.configured_connectors(scope)?;
        Ok(in_library_order(&self.catalog)
            .map(|m| summary(m, configured.contains(&m.slug)))
            .collect())
    }

    pub fn connector(&self, scope: &SiteEnvironment, slug: &str) -> CoreResult<ConnectorDetail> {
        let manifest = self.catalog.get(slug).ok_or_else(|| CoreError::NotFound {
            what: "connector",
            id: slug.into(),
        })?;
        let configured = self.configured_connectors(scope)?.contains(&manifest.slug);
        Ok(ConnectorDetail {
            summary: summary(manifest, configured),
            credential_fields: manifest
                .credential_fields
                .iter()
                .map(|f| CredentialFieldInfo {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    secret: f.secret,
                    pattern: f.pattern.clone(),
                    example: f.example.clone(),
                    flows: f
                        .flows
                        .iter()
                        .map(|flow| flow.as_str().to_string())
                        .collect(),
                })
                .collect(),
            actions: manifest
                .actions
                .iter()
                .map(|a| ActionInfo {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    required_scopes: a.required_scopes.clone(),
                })
                .collect(),
            inbound_signature: manifest.inbound_events.signature.as_str().into(),
            inbound_event_types: manifest.inbound_events.types.clone(),
            revocation: manifest.revocation.kind().into(),
            revocation_note: match &manifest.revocation {
                Revocation::Unsupported { how } => Some(how.clone()),
                _ => None,
            },
            oauth_redirect: manifest.oauth.as_ref().map(|o| match o.redirect {
                RedirectKind::Loopback => "loopback".into(),
                RedirectKind::DeepLink => "deep_link".into(),
            }),
            api_base: manifest.api_base.clone(),
            docs_url: manifest.docs_url.clone(),
            catalog_version: sgen_catalog::CATALOG_VERSION.into(),
        })
    }

    fn configured_connectors(&self, scope: &SiteEnvironment) -> CoreResult<Vec<String>> {
        let environment_id = self.environment_id(scope)?;
        self.store
            .read(|conn| Ok(connections::configured_connectors(conn, environment_id)?))
    }
}

/// Families in the order of SPEC §3 (Google services first), connectors by name within each.
fn in_library_order(catalog: &sgen_catalog::Catalog) -> impl Iterator<Item = &Manifest> {
    let mut manifests: Vec<&Manifest> = catalog.all().collect();
    manifests.sort_by(|a, b| (a.family, &a.display_name).cmp(&(b.family, &b.display_name)));
    manifests.into_iter()
}

fn summary(m: &Manifest, configured: bool) -> ConnectorSummary {
    ConnectorSummary {
        slug: m.slug.clone(),
        display_name: m.display_name.clone(),
        family: m.family.as_str().into(),
        family_label: m.family.label().into(),
        summary: m.summary.clone(),
        auth_flows: m
            .auth_flows
            .iter()
            .map(|f| f.as_str().to_string())
            .collect(),
        scopes: m
            .scopes
            .iter()
            .map(|s| ScopeInfo {
                id: s.id.clone(),
                description: s.description.clone(),
            })
            .collect(),
        configured,
    }
}

/// The built-in catalog without a data directory (`catalog list`).
pub fn catalog_entries() -> CoreResult<Vec<ConnectorSummary>> {
    let catalog =
        sgen_catalog::Catalog::embedded().map_err(|e| CoreError::CatalogInvalid(e.to_string()))?;
    Ok(in_library_order(&catalog)
        .map(|m| summary(m, false))
        .collect())
}

/// Checks every `*.json` manifest in `dir`; returns how many there are, or every problem found.
pub fn validate_dir(dir: &std::path::Path) -> CoreResult<usize> {
    let unreadable =
        |e: std::io::Error| CoreError::invalid(format!("cannot read {}: {e}", dir.display()));
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).map_err(unreadable)?;
            sources.push((
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text,
            ));
        }
    }
    if sources.is_empty() {
        return Err(CoreError::invalid(format!(
            "{} holds no *.json manifest",
            dir.display()
        )));
    }
    let count = sources.len();
    sgen_catalog::Catalog::from_sources(sources)
        .map_err(|e| CoreError::CatalogInvalid(e.to_string()))?;
    Ok(count)
}

impl Core {
    /// The documentation link of a catalog connector.
    pub fn docs_url(&self, slug: &str) -> CoreResult<String> {
        self.catalog
            .get(slug)
            .map(|m| m.docs_url.clone())
            .ok_or_else(|| CoreError::NotFound {
                what: "connector",
                id: slug.into(),
            })
    }
}
