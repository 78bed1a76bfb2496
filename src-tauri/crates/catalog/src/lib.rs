//! The connector catalog (SPEC §3): data, not code. Each vendor is one JSON manifest under
//! `manifests/`, embedded at build time, parsed into [`Manifest`] (the schema) and checked by
//! [`validate`]. The catalog is shared by all sites; its version is recorded in audit rows.

mod inbound_events;
mod manifest;
mod validate;

pub use inbound_events::*;
pub use manifest::*;
pub use validate::{validate, ManifestProblem};

use std::collections::BTreeMap;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Bumped whenever a manifest changes in a way a user could notice.
pub const CATALOG_VERSION: &str = "1.2.0";

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{file}: not a valid connector manifest: {reason}")]
    Parse { file: String, reason: String },
    #[error("{} manifest problem(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ManifestProblem>),
}

/// All connectors, keyed and ordered by slug.
#[derive(Debug, Clone)]
pub struct Catalog {
    connectors: BTreeMap<String, Manifest>,
}

impl Catalog {
    /// The catalog compiled into this binary.
    pub fn embedded() -> Result<Self, CatalogError> {
        Self::from_sources(
            EMBEDDED_MANIFESTS
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string())),
        )
    }

    /// Parses and validates `(file name, JSON text)` pairs; every problem is reported, not just
    /// the first, so a manifest author fixes them in one pass.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, CatalogError> {
        let mut manifests = Vec::new();
        for (file, text) in sources {
            let manifest: Manifest =
                serde_json::from_str(&text).map_err(|e| CatalogError::Parse {
                    file: file.clone(),
                    reason: e.to_string(),
                })?;
            manifests.push((file, manifest));
        }
        let problems = validate(&manifests);
        if !problems.is_empty() {
            return Err(CatalogError::Invalid(problems));
        }
        Ok(Self {
            connectors: manifests
                .into_iter()
                .map(|(_, m)| (m.slug.clone(), m))
                .collect(),
        })
    }

    pub fn get(&self, slug: &str) -> Option<&Manifest> {
        self.connectors.get(slug)
    }

    pub fn all(&self) -> impl Iterator<Item = &Manifest> {
        self.connectors.values()
    }

    pub fn len(&self) -> usize {
        self.connectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty()
    }
}
