//! The bundle reader that trusts nothing: before a row is used or anything is created on disk,
//! the manifest must be this format (not a newer one) with a matching list of contents; every
//! entry must be one the format has, listed once, present, inside the bundle and within its
//! size; and every entry's bytes must match their SHA-256. Errors name what is wrong, never a
//! value.

use crate::support::bundle_format::{self as format, BundleManifest};
use crate::support::bundle_import::{ImportProgress, ImportStep};
use serde_json::Value;
use sgen_store::bundle_tables;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;

pub(super) fn read_manifest(archive: &mut zip::ZipArchive<File>) -> Result<BundleManifest, String> {
    let mut entry = archive
        .by_name(format::MANIFEST)
        .map_err(|_| "has no manifest.json: it is not a support bundle".to_string())?;
    if entry.size() > format::MAX_MANIFEST_BYTES {
        return Err("its manifest is larger than any bundle's".into());
    }
    let mut text = Vec::new();
    entry
        .by_ref()
        .take(format::MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| format!("its manifest cannot be read ({e})"))?;
    // The format first, from a loose reading: a newer format may have changed the rest.
    let head: Value =
        serde_json::from_slice(&text).map_err(|e| format!("its manifest is not JSON ({e})"))?;
    if head.get("format").and_then(Value::as_str) != Some(format::FORMAT) {
        return Err("its manifest does not name the support bundle format".into());
    }
    let version = head.get("format_version").and_then(Value::as_u64);
    match version {
        Some(v) if v == u64::from(format::FORMAT_VERSION) => {}
        Some(v) if v > u64::from(format::FORMAT_VERSION) => {
            return Err(format!(
                "was made by SGEN Integrations {} in bundle format {v}; this app reads format {} — open it with a newer SGEN Integrations",
                head.get("app_version").and_then(Value::as_str).unwrap_or("(unknown)"),
                format::FORMAT_VERSION
            ))
        }
        _ => return Err("its manifest has no usable format version".into()),
    }
    let manifest: BundleManifest = serde_json::from_value(head)
        .map_err(|e| format!("its manifest is not a format 1 manifest ({e})"))?;
    if manifest.schema_version > sgen_store::LATEST_SCHEMA_VERSION {
        return Err(format!(
            "holds data of schema version {}, newer than this app's ({}) — open it with a newer SGEN Integrations",
            manifest.schema_version,
            sgen_store::LATEST_SCHEMA_VERSION
        ));
    }
    if format::contents_sha256(&manifest.entries) != manifest.contents_sha256 {
        return Err(
            "its list of contents does not match its SHA-256: the bundle was altered".into(),
        );
    }
    Ok(manifest)
}

/// Every entry in the archive is one the manifest lists and this format has, and the other
/// way round; no name can reach outside the bundle.
pub(super) fn check_entries(
    archive: &mut zip::ZipArchive<File>,
    manifest: &BundleManifest,
) -> Result<(), String> {
    let expected: BTreeSet<String> = bundle_tables::tables()
        .iter()
        .map(|t| format::table_entry(t.name))
        .collect();
    let listed: BTreeSet<String> = manifest.entries.iter().map(|e| e.name.clone()).collect();
    if listed.len() != manifest.entries.len() {
        return Err("its manifest lists an entry twice".into());
    }
    if let Some(unknown) = listed.difference(&expected).next() {
        return Err(format!(
            "its manifest lists `{unknown}`, which no bundle has"
        ));
    }
    if let Some(missing) = expected.difference(&listed).next() {
        return Err(format!("its manifest does not list `{missing}`"));
    }
    let mut present = BTreeSet::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| format!("entry {} cannot be read ({e})", i + 1))?;
        let name = entry
            .name()
            .map_err(|e| format!("entry {} has an unreadable name ({e})", i + 1))?
            .to_string();
        if entry.enclosed_name().is_none() || name.contains('\\') {
            return Err(format!(
                "entry `{name}` points outside the bundle (an absolute path or `..`)"
            ));
        }
        if name != format::MANIFEST && !expected.contains(&name) {
            return Err(format!("entry `{name}` is not part of a support bundle"));
        }
        if entry.size() > format::MAX_ENTRY_BYTES {
            return Err(format!("entry `{name}` is larger than any bundle's"));
        }
        if !present.insert(name.clone()) {
            return Err(format!("entry `{name}` is in it twice"));
        }
    }
    if let Some(missing) = listed.iter().find(|name| !present.contains(*name)) {
        return Err(format!(
            "entry `{missing}` is missing: the bundle is incomplete"
        ));
    }
    Ok(())
}

/// Each entry's bytes against its size and SHA-256 in the manifest, read no further than the
/// manifest says they go.
pub(super) fn verify_contents(
    archive: &mut zip::ZipArchive<File>,
    manifest: &BundleManifest,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<(), String> {
    let total = manifest.entries.iter().map(|e| e.bytes).sum();
    let mut done = 0;
    for listed in &manifest.entries {
        let entry = archive
            .by_name(&listed.name)
            .map_err(|e| format!("entry `{}` cannot be read ({e})", listed.name))?;
        let mut hasher = Sha256::new();
        let read = std::io::copy(&mut entry.take(listed.bytes.saturating_add(1)), &mut hasher)
            .map_err(|e| {
                format!(
                    "entry `{}` cannot be read, it may be cut short or altered ({e})",
                    listed.name
                )
            })?;
        if read != listed.bytes || hex::encode(hasher.finalize()) != listed.sha256 {
            return Err(format!(
                "entry `{}` does not match its SHA-256: the bundle was altered or cut short",
                listed.name
            ));
        }
        done += read;
        progress(ImportProgress {
            step: ImportStep::Checking,
            done,
            total,
        });
    }
    Ok(())
}
