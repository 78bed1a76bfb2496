//! The support bundle's file format, version 1 (documented in `docs/support-bundle.md`).
//!
//! A zip archive of:
//! * `manifest.json` — what the bundle is ([`BundleManifest`]): the format and its version, the
//!   app, catalog and schema versions, the platform, who exported it and when, the site, the
//!   slice (since when, which connections), and every entry with its SHA-256, size and rows;
//! * `tables/<table>.jsonl` — one JSON object per line per row, columns by name, in the order
//!   of `sgen_store::bundle_tables::tables()`.
//!
//! Integrity: each entry's SHA-256 is over its uncompressed bytes, and `contents_sha256` is the
//! SHA-256 of the lines `<name> <sha256>\n` of every entry in order, so a changed, missing or
//! added entry — or a changed manifest list — is found on import.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

pub const FORMAT: &str = "sgen-support-bundle";
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";

/// The largest bundle file opened, and the most one entry may hold uncompressed: a year of a
/// busy site's log is far below either, a zip bomb far above.
pub const MAX_BUNDLE_BYTES: u64 = 2 << 30;
pub const MAX_ENTRY_BYTES: u64 = 4 << 30;
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

pub fn table_entry(table: &str) -> String {
    format!("tables/{table}.jsonl")
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BundleManifest {
    pub format: String,
    pub format_version: u32,
    pub app_version: String,
    pub catalog_version: String,
    pub schema_version: i64,
    /// `linux x86_64`, `macos aarch64`…
    pub platform: String,
    #[ts(type = "number")]
    pub exported_at: i64,
    pub exported_by: ExportedBy,
    pub site: BundledSite,
    /// The earliest time of the delivery log, runs, events and activity it carries (ms).
    #[ts(type = "number")]
    pub since: i64,
    /// The connections it was limited to; None is every connection of the site.
    pub connections: Option<Vec<String>>,
    pub entries: Vec<BundleEntry>,
    pub contents_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportedBy {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BundledSite {
    pub id: String,
    pub name: String,
    pub domain: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BundleEntry {
    pub name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub rows: u64,
}

/// The SHA-256 over the list of entries (see the module's comment).
pub fn contents_sha256(entries: &[BundleEntry]) -> String {
    let mut hasher = Sha256::new();
    for entry in entries {
        hasher.update(format!("{} {}\n", entry.name, entry.sha256));
    }
    hex::encode(hasher.finalize())
}

/// This platform, as the manifest names it.
pub fn platform() -> String {
    format!("{} {}", std::env::consts::OS, std::env::consts::ARCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contents_hash_covers_names_hashes_and_order() {
        let entry = |name: &str, sha: &str| BundleEntry {
            name: name.into(),
            sha256: sha.into(),
            bytes: 1,
            rows: 1,
        };
        let both = contents_sha256(&[entry("a", "1"), entry("b", "2")]);
        assert_ne!(both, contents_sha256(&[entry("b", "2"), entry("a", "1")]));
        assert_ne!(both, contents_sha256(&[entry("a", "1"), entry("b", "3")]));
        assert_ne!(both, contents_sha256(&[entry("a", "1")]));
        assert_eq!(both, contents_sha256(&[entry("a", "1"), entry("b", "2")]));
    }
}
