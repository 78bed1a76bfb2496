//! Opening a support bundle into a new support workspace: a data directory of its own, made
//! beside the one asked for and renamed into place only when every entry was read, its
//! SHA-256 matched and every row went in — a bundle that cannot be opened creates nothing.
//! The reader trusts nothing in the file: entry names, sizes, versions and hashes are all
//! checked before a row is used, and an entry is never written anywhere by its name.

use crate::support::bundle_check::{check_entries, read_manifest, verify_contents};
use crate::support::bundle_format::{self as format, BundleEntry, BundleManifest};
use crate::support::workspace::{SupportWorkspace, WORKSPACE_FILE, WORKSPACE_SETTING};
use crate::{CoreError, CoreResult, DATABASE_FILE};
use serde::Serialize;
use serde_json::{Map, Value};
use sgen_store::bundle_tables::{self, BundleTable, InsertError};
use sgen_store::{Access, Store};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportedWorkspace {
    pub data_dir: String,
    pub workspace: SupportWorkspace,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub took_ms: u64,
}

/// How far an import got: its bytes checked against their SHA-256, then its rows read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportStep {
    Checking,
    Reading,
}

#[derive(Debug, Clone, Copy)]
pub struct ImportProgress {
    pub step: ImportStep,
    /// Bytes checked, or rows read.
    pub done: u64,
    pub total: u64,
}

/// Rows inserted per statement batch (and announced as progress).
const BATCH: usize = 2_000;

/// Opens `bundle` into a new support workspace at `data_dir` (which must not exist, or be an
/// empty directory), telling `progress` how far it got.
pub fn import_support_bundle(
    bundle: &Path,
    data_dir: &Path,
    now_ms: i64,
    progress: &mut dyn FnMut(ImportProgress),
) -> CoreResult<ImportedWorkspace> {
    let started = Instant::now();
    let bad = |what: String| CoreError::BadBundle(format!("{}: {what}", bundle.display()));
    let file = File::open(bundle).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let size = file
        .metadata()
        .map_err(|e| bad(format!("cannot be read ({e})")))?
        .len();
    if size > format::MAX_BUNDLE_BYTES {
        return Err(bad(format!(
            "is {} MiB, more than a support bundle may be ({} MiB)",
            size >> 20,
            format::MAX_BUNDLE_BYTES >> 20
        )));
    }
    let file_sha256 = file_sha256(bundle).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        bad(format!(
            "is not a support bundle, or it was cut short ({e})"
        ))
    })?;
    let manifest = read_manifest(&mut archive).map_err(&bad)?;
    check_entries(&mut archive, &manifest).map_err(&bad)?;
    // Every byte is checked before anything is created on disk.
    verify_contents(&mut archive, &manifest, progress).map_err(&bad)?;
    check_target(data_dir)?;
    let staging = staging_path(data_dir);
    let _ = std::fs::remove_dir_all(&staging);
    let workspace = SupportWorkspace::from_manifest(&manifest, now_ms, file_sha256);
    let filled =
        fill(&mut archive, &manifest, &staging, &workspace, progress).map_err(|e| match e {
            Fill::Bundle(what) => bad(what),
            Fill::Core(e) => e,
        });
    let rows = match filled {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if data_dir.exists() {
        // Empty (checked above): the rename needs it gone.
        let _ = std::fs::remove_dir(data_dir);
    }
    std::fs::rename(&staging, data_dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staging);
        CoreError::invalid(format!(
            "could not create the support workspace at {}: {e}",
            data_dir.display()
        ))
    })?;
    Ok(ImportedWorkspace {
        data_dir: data_dir.display().to_string(),
        workspace,
        rows,
        took_ms: started.elapsed().as_millis() as u64,
    })
}

fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

fn check_target(data_dir: &Path) -> CoreResult<()> {
    let empty = match std::fs::read_dir(data_dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(_) => false,
    };
    match empty {
        true => Ok(()),
        false => Err(CoreError::invalid(format!(
            "{} is not empty: a support workspace needs a directory of its own",
            data_dir.display()
        ))),
    }
}

fn staging_path(data_dir: &Path) -> PathBuf {
    let mut name = data_dir.file_name().unwrap_or_default().to_os_string();
    name.push(".importing");
    data_dir.with_file_name(name)
}

enum Fill {
    Bundle(String),
    Core(CoreError),
}

impl From<CoreError> for Fill {
    fn from(e: CoreError) -> Self {
        Fill::Core(e)
    }
}

impl From<sgen_store::StoreError> for Fill {
    fn from(e: sgen_store::StoreError) -> Self {
        Fill::Core(e.into())
    }
}

impl From<sgen_store::SqliteError> for Fill {
    fn from(e: sgen_store::SqliteError) -> Self {
        Fill::Core(sgen_store::StoreError::from(e).into())
    }
}

/// Creates the workspace's database at `staging` and puts every row of the bundle in it, in
/// one transaction.
fn fill(
    archive: &mut zip::ZipArchive<File>,
    manifest: &BundleManifest,
    staging: &Path,
    workspace: &SupportWorkspace,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<u64, Fill> {
    std::fs::create_dir_all(staging)
        .map_err(|e| CoreError::invalid(format!("could not create {}: {e}", staging.display())))?;
    let store =
        Store::open(&staging.join(DATABASE_FILE), Access::ReadWrite).map_err(CoreError::from)?;
    let marker =
        serde_json::to_string(workspace).map_err(|e| CoreError::Internal(e.to_string()))?;
    let readable =
        serde_json::to_vec_pretty(workspace).map_err(|e| CoreError::Internal(e.to_string()))?;
    std::fs::write(staging.join(WORKSPACE_FILE), readable).map_err(|e| {
        CoreError::invalid(format!("could not write to {}: {e}", staging.display()))
    })?;
    let total = manifest.entries.iter().map(|e| e.rows).sum();
    store.write(|tx| {
        let mut rows = 0;
        for table in bundle_tables::tables() {
            let name = format::table_entry(table.name);
            let listed = manifest
                .entries
                .iter()
                .find(|e| e.name == name)
                .expect("every table's entry was checked to be listed");
            let entry = archive
                .by_name(&name)
                .map_err(|e| Fill::Bundle(format!("entry `{name}` cannot be read ({e})")))?;
            let before = rows;
            rows += read_table(entry, listed, &table, tx, &mut |table_rows| {
                progress(ImportProgress {
                    step: ImportStep::Reading,
                    done: before + table_rows,
                    total,
                })
            })?;
        }
        bundle_tables::finish_import(tx)?;
        sgen_store::settings::set(tx, WORKSPACE_SETTING, &marker)?;
        Ok(rows)
    })
}

/// One table's entry: read line by line (no further than the manifest says it is long),
/// hashed as it is read (the file may have changed since it was verified), inserted in batches;
/// its hash and size must match the manifest's.
fn read_table(
    entry: impl Read,
    listed: &BundleEntry,
    table: &BundleTable,
    tx: &sgen_store::Transaction<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Fill> {
    let name = &listed.name;
    let mut reader = BufReader::new(entry.take(listed.bytes.saturating_add(1)));
    let mut hasher = Sha256::new();
    let (mut bytes, mut rows) = (0u64, 0u64);
    let mut batch: Vec<Map<String, Value>> = Vec::with_capacity(BATCH);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).map_err(|e| {
            Fill::Bundle(format!(
                "entry `{name}` cannot be read, it may be cut short or altered ({e})"
            ))
        })?;
        if read == 0 {
            break;
        }
        hasher.update(&line);
        bytes += read as u64;
        if bytes > listed.bytes {
            return Err(Fill::Bundle(format!(
                "entry `{name}` is longer than its manifest says: the bundle was altered"
            )));
        }
        rows += 1;
        let row: Map<String, Value> = serde_json::from_slice(&line)
            .map_err(|e| Fill::Bundle(format!("line {rows} of `{name}` is not a row ({e})")))?;
        batch.push(row);
        if batch.len() == BATCH {
            insert(table, tx, &batch, name)?;
            batch.clear();
            progress(rows);
        }
    }
    insert(table, tx, &batch, name)?;
    progress(rows);
    if bytes != listed.bytes || hex::encode(hasher.finalize()) != listed.sha256 {
        return Err(Fill::Bundle(format!(
            "entry `{name}` does not match its SHA-256: the bundle was altered or cut short"
        )));
    }
    Ok(rows)
}

/// A batch into its table: a row that does not fit is the bundle's fault, anything else the
/// database's (a full disk is `storage_full`, not a bad bundle).
fn insert(
    table: &BundleTable,
    tx: &sgen_store::Transaction<'_>,
    batch: &[Map<String, Value>],
    name: &str,
) -> Result<(), Fill> {
    table.insert(tx, batch).map_err(|e| match e {
        InsertError::Row(what) => Fill::Bundle(format!("`{name}`: {what}")),
        InsertError::Sql(e) => e.into(),
    })
}
