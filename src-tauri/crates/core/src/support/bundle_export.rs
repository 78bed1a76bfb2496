//! Exporting a site as a support bundle: one read snapshot of the site's slice, every row's
//! text redacted (credential keys at any depth, then every secret value the site holds, by
//! value), written as zip entries with their SHA-256s, to a `.partial` file renamed into place
//! when complete — a bundle that exists is a whole one.

use crate::access::{Operation, Target};
use crate::kernel::events::CoreEvent;
use crate::kernel::redaction::{self, KnownSecrets};
use crate::support::bundle_format::{self as format, BundleEntry, BundleManifest};
use crate::{Core, CoreError, CoreResult, CATALOG_VERSION};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sgen_store::bundle_tables::{self, Slice};
use sgen_store::site_keys::BlobKind;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use ts_rs::TS;

/// What to export.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct BundleRequest {
    pub site_id: String,
    /// Only history from this time on (ms); None is all of it.
    #[ts(type = "number | null")]
    pub since: Option<i64>,
    /// Only these connections; None (or empty) is every connection of the site.
    pub connections: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportedBundle {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The SHA-256 of the whole file, to quote when sending it.
    pub sha256: String,
    pub manifest: BundleManifest,
    #[ts(type = "number")]
    pub took_ms: u64,
    /// What the operator should know about this export (a keyring that could not be read).
    pub warnings: Vec<String>,
}

/// Rows written so far, of how many.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[ts(export)]
pub struct BundleProgress {
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// How often progress is told, in rows.
const PROGRESS_EVERY: u64 = 5_000;

impl Core {
    /// Writes the site's support bundle to `out` (refused if a file is there), telling
    /// `progress` as rows are written.
    pub fn export_support_bundle(
        &self,
        request: &BundleRequest,
        out: &Path,
        progress: &mut dyn FnMut(BundleProgress),
    ) -> CoreResult<ExportedBundle> {
        let operator = self.authorize(Operation::ExportSupportBundle, Target::App)?;
        let started = Instant::now();
        let site = self
            .sites()?
            .into_iter()
            .find(|s| s.id == request.site_id)
            .ok_or_else(|| CoreError::NotFound {
                what: "site",
                id: request.site_id.clone(),
            })?;
        if out.exists() {
            return Err(CoreError::invalid(format!(
                "{} already exists: choose another file name",
                out.display()
            )));
        }
        let connections = request.connections.clone().filter(|c| !c.is_empty());
        for id in connections.iter().flatten() {
            let record = self.record(id)?;
            if self.site_of_environment(record.environment_id)? != site.id {
                return Err(CoreError::invalid(format!(
                    "connection {id} is not one of {}'s",
                    site.name
                )));
            }
        }
        let mut warnings = Vec::new();
        // A customer whose keyring lost the site's key needs a bundle most of all: secrets stay
        // out by column and by name, and the operator is told they were not searched for.
        let known = self.known_secrets(&site.id).unwrap_or_else(|e| {
            warnings.push(format!(
                "the site's secrets could not be opened ({e}): the bundle carries no sealed column and no credential by name, but was not searched for secret values"
            ));
            KnownSecrets::new([])
        });
        let settings = self.bundled_settings(&site.id);
        let since = request.since.unwrap_or(0);
        let slice = Slice {
            site_id: &site.id,
            since_ms: since,
            connections: connections.as_deref(),
            settings: &settings,
        };
        let partial = partial_path(out);
        let written = self.write_entries(&slice, &known, &partial, progress);
        let (entries, file) = match written {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        let manifest = BundleManifest {
            format: format::FORMAT.into(),
            format_version: format::FORMAT_VERSION,
            app_version: env!("CARGO_PKG_VERSION").into(),
            catalog_version: CATALOG_VERSION.into(),
            schema_version: sgen_store::LATEST_SCHEMA_VERSION,
            platform: format::platform(),
            exported_at: self.now(),
            exported_by: format::ExportedBy {
                id: operator.id.clone(),
                name: operator.name.clone(),
                role: operator.role_name.clone(),
            },
            site: format::BundledSite {
                id: site.id.clone(),
                name: site.name.clone(),
                domain: site.domain.clone(),
            },
            since,
            connections,
            contents_sha256: format::contents_sha256(&entries),
            entries,
        };
        let finished = finish(file, &manifest).and_then(|()| {
            std::fs::rename(&partial, out).map_err(|e| {
                io_error(
                    &format!("could not move the bundle to {}", out.display()),
                    e,
                )
            })
        });
        if let Err(e) = finished {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        let bytes =
            std::fs::read(out).map_err(|e| io_error("could not read the bundle back", e))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        self.note_export(&operator.id, &site.id, out, &sha256, &manifest)?;
        Ok(ExportedBundle {
            path: out.display().to_string(),
            bytes: bytes.len() as u64,
            sha256,
            manifest,
            took_ms: started.elapsed().as_millis() as u64,
            warnings,
        })
    }

    /// The window's export: into `directory` (by default the Downloads folder), named for the
    /// site and the time, its progress announced as core events.
    pub fn export_support_bundle_file(
        &self,
        request: &BundleRequest,
        directory: Option<&Path>,
    ) -> CoreResult<ExportedBundle> {
        let out = self.export_path(directory, "sgen-support", &request.site_id, "zip")?;
        self.export_support_bundle(request, &out, &mut |p| {
            self.events.publish(vec![CoreEvent::BundleExportProgress {
                rows: p.rows,
                total: p.total,
            }]);
        })
    }

    /// Every secret value the site holds, to be found and replaced wherever it might have
    /// slipped into a text (a vendor echoing a key in an error body). Credential fields the
    /// manifest says are not secret (a Mailchimp data centre, a shop name) are left: they are
    /// no secret, and replacing them everywhere would wreck the copy.
    fn known_secrets(&self, site_id: &str) -> CoreResult<KnownSecrets> {
        let mut values: Vec<String> = Vec::new();
        for (kind, owner, fields) in self.open_site_secrets(site_id)? {
            let plain: Vec<String> = match kind {
                BlobKind::Credential => self
                    .record(&owner)
                    .ok()
                    .and_then(|record| self.catalog.get(&record.connector_type))
                    .map(|manifest| {
                        manifest
                            .credential_fields
                            .iter()
                            .filter(|f| !f.secret)
                            .map(|f| f.name.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            values.extend(
                fields
                    .names()
                    .filter(|name| !plain.iter().any(|p| p == name))
                    .filter_map(|name| fields.get(name))
                    .map(|secret| secret.expose().to_string()),
            );
        }
        Ok(KnownSecrets::new(values.iter().map(String::as_str)))
    }

    /// The app settings that say how the site's deliveries behave; keys, cursor secrets and the
    /// data directory's identity stay.
    fn bundled_settings(&self, site_id: &str) -> Vec<String> {
        vec![
            crate::settings::retry_schedule::KEY.into(),
            crate::access::family_gates::SETTING.into(),
            crate::delivery::retention::RETENTION_KEY.into(),
            crate::activity_log::retention::RETENTION_KEY.into(),
            crate::settings::outbound_allow_list::allow_list_key(site_id),
        ]
    }

    fn write_entries(
        &self,
        slice: &Slice<'_>,
        known: &KnownSecrets,
        partial: &Path,
        progress: &mut dyn FnMut(BundleProgress),
    ) -> CoreResult<(Vec<BundleEntry>, zip::ZipWriter<std::fs::File>)> {
        let file = std::fs::File::create(partial)
            .map_err(|e| io_error(&format!("could not create {}", partial.display()), e))?;
        let mut zip = zip::ZipWriter::new(file);
        // Level 1: most of the size win of deflate at a fraction of its time.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(true);
        let tables = bundle_tables::tables();
        self.store.read(|conn| {
            // One snapshot: the tables agree with each other.
            let snapshot = conn.unchecked_transaction().map_err(zip_sql)?;
            let total = count_rows(&snapshot, &tables, slice)?;
            let mut done = 0u64;
            let mut entries = Vec::with_capacity(tables.len());
            let mut line = Vec::with_capacity(4096);
            for table in &tables {
                let name = format::table_entry(table.name);
                zip.start_file(name.as_str(), options).map_err(zip_error)?;
                let mut hasher = Sha256::new();
                let (mut rows, mut bytes) = (0u64, 0u64);
                table.read_slice(&snapshot, slice, |mut row: Map<String, Value>| {
                    redact_row(&mut row, known);
                    line.clear();
                    serde_json::to_writer(&mut line, &row)
                        .map_err(|e| CoreError::Internal(e.to_string()))?;
                    line.push(b'\n');
                    hasher.update(&line);
                    zip.write_all(&line)
                        .map_err(|e| io_error("could not write the bundle", e))?;
                    rows += 1;
                    bytes += line.len() as u64;
                    done += 1;
                    if done.is_multiple_of(PROGRESS_EVERY) {
                        progress(BundleProgress { rows: done, total });
                    }
                    Ok::<_, CoreError>(())
                })?;
                entries.push(BundleEntry {
                    name,
                    sha256: hex::encode(hasher.finalize()),
                    bytes,
                    rows,
                });
            }
            progress(BundleProgress { rows: done, total });
            Ok((entries, zip))
        })
    }

    fn note_export(
        &self,
        operator_id: &str,
        site_id: &str,
        out: &Path,
        sha256: &str,
        manifest: &BundleManifest,
    ) -> CoreResult<()> {
        let rows: u64 = manifest.entries.iter().map(|e| e.rows).sum();
        self.note_support(
            operator_id,
            Some(site_id),
            "support.bundle_exported",
            serde_json::json!({
                "file": out.file_name().map(|f| f.to_string_lossy().into_owned()),
                "sha256": sha256,
                "rows": rows,
                "since": manifest.since,
                "connections": manifest.connections,
            }),
        )
    }
}

/// Every text of the row as it may travel: a JSON text with its credential keys redacted,
/// then every known secret value replaced.
fn redact_row(row: &mut Map<String, Value>, known: &KnownSecrets) {
    for value in row.values_mut() {
        let Value::String(text) = value else { continue };
        *text = known.hide(&redaction::json_text(text));
    }
}

fn count_rows(
    conn: &sgen_store::Connection,
    tables: &[bundle_tables::BundleTable],
    slice: &Slice<'_>,
) -> CoreResult<u64> {
    let mut total = 0u64;
    for table in tables {
        total += table.count_slice(conn, slice).map_err(zip_sql)?;
    }
    Ok(total)
}

fn finish(mut zip: zip::ZipWriter<std::fs::File>, manifest: &BundleManifest) -> CoreResult<()> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(format::MANIFEST, options)
        .map_err(zip_error)?;
    let text =
        serde_json::to_vec_pretty(manifest).map_err(|e| CoreError::Internal(e.to_string()))?;
    zip.write_all(&text)
        .map_err(|e| io_error("could not write the bundle", e))?;
    let file = zip.finish().map_err(zip_error)?;
    // The rename publishes the bundle: its bytes are on disk first.
    file.sync_all()
        .map_err(|e| io_error("could not write the bundle", e))
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

fn zip_error(e: zip::result::ZipError) -> CoreError {
    match e {
        zip::result::ZipError::Io(e) => io_error("could not write the bundle", e),
        e => CoreError::Internal(format!("could not write the bundle: {e}")),
    }
}

fn zip_sql(e: sgen_store::SqliteError) -> CoreError {
    CoreError::from(sgen_store::StoreError::from(e))
}

pub(crate) fn io_error(what: &str, e: std::io::Error) -> CoreError {
    match e.kind() {
        std::io::ErrorKind::StorageFull => {
            CoreError::StorageFull(format!("{what}: the disk is full"))
        }
        _ => CoreError::invalid(format!("{what}: {e}")),
    }
}
