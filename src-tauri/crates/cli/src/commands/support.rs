//! `bundle …` and `health`: support bundles exported, opened and replayed, and the health
//! check scripts and support staff run.

use crate::args::support::BundleCommand;
use crate::output::{self, out};
use crate::time_bounds::{self, Now};
use sgen_core::support::bundle_export::BundleRequest;
use sgen_core::support::bundle_import::{import_support_bundle, ImportStep};
use sgen_core::support::health::HealthReport;
use sgen_core::support::replay::{AnswerSource, ReplayChanges, ReplayReport};
use sgen_core::support::workspace::new_workspace_dir;
use sgen_core::{Access, Core, CoreConfig, CoreError};
use std::path::{Path, PathBuf};

type Open<'a> = &'a dyn Fn(Access) -> Result<Core, CoreError>;

pub fn bundle(
    open: Open<'_>,
    data_dir: Option<PathBuf>,
    command: BundleCommand,
) -> Result<(), CoreError> {
    match command {
        BundleCommand::Export {
            site,
            since,
            connections,
            out,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let request = BundleRequest {
                site_id: site,
                since: time_bounds::bound("since", &since, &Now::system())?,
                connections: Some(connections),
            };
            let exported = core.export_support_bundle(&request, &out, &mut |p| {
                if !json && p.total > 0 {
                    eprint!("\rexporting: {} of {} rows", p.rows, p.total);
                }
            })?;
            if !json {
                eprintln!();
            }
            for warning in &exported.warnings {
                eprintln!("warning: {warning}");
            }
            if json {
                return output::json(&exported);
            }
            let rows: u64 = exported.manifest.entries.iter().map(|e| e.rows).sum();
            out!(
                "{}\t{} bytes\t{rows} rows\tsha256 {}\t{} ms",
                exported.path,
                exported.bytes,
                exported.sha256,
                exported.took_ms
            );
            Ok(())
        }
        BundleCommand::Import { file, json } => {
            let now = Now::system().0;
            let into = data_dir.unwrap_or_else(|| {
                new_workspace_dir(&sgen_core::resolve_data_dir(None), &file, now)
            });
            let imported = import_support_bundle(&file, &into, now, &mut |p| {
                if !json && p.total > 0 {
                    let step = match p.step {
                        ImportStep::Checking => "checking",
                        ImportStep::Reading => "reading",
                    };
                    eprint!("\r{step}: {} of {}      ", p.done, p.total);
                }
            })?;
            if !json {
                eprintln!();
            }
            if json {
                return output::json(&imported);
            }
            let w = &imported.workspace;
            out!(
                "{}\ta copy of {} ({}) exported by {}\t{} rows\t{} ms",
                imported.data_dir,
                w.site_name,
                w.site_domain,
                w.exported_by,
                imported.rows,
                imported.took_ms
            );
            Ok(())
        }
        BundleCommand::Replay {
            file,
            delivery,
            mapping,
            retry_schedule,
            api_base,
            json,
        } => {
            let changes = ReplayChanges {
                mapping: mapping
                    .map(|text| {
                        serde_json::from_str(&text).map_err(|e| {
                            CoreError::invalid(format!(
                                "--mapping is not a JSON object of paths ({e})"
                            ))
                        })
                    })
                    .transpose()?,
                retry_schedule_s: retry_schedule,
                api_base,
            };
            let report = replay(&file, &delivery, &changes)?;
            if json {
                return output::json(&report);
            }
            print_replay(&report);
            Ok(())
        }
    }
}

/// A bundle is opened into a workspace of its own for the replay, removed afterwards; a
/// directory is a workspace already.
fn replay(file: &Path, delivery: &str, changes: &ReplayChanges) -> Result<ReplayReport, CoreError> {
    if file.is_dir() {
        return Core::open(CoreConfig::new(file, Access::ReadWrite))?
            .replay_delivery(delivery, changes);
    }
    let scratch = std::env::temp_dir().join(format!(
        "sgen-replay-{}-{}",
        std::process::id(),
        Now::system().0
    ));
    let replayed =
        import_support_bundle(file, &scratch, Now::system().0, &mut |_| {}).and_then(|_| {
            Core::open(CoreConfig::new(&scratch, Access::ReadWrite))?
                .replay_delivery(delivery, changes)
        });
    let _ = std::fs::remove_dir_all(&scratch);
    replayed
}

fn print_replay(report: &ReplayReport) {
    out!(
        "{} · {} · {}",
        report.delivery_id,
        report.connector_type.as_deref().unwrap_or("?"),
        report.event_identifier
    );
    out!("attempt\toriginal\t\t\treplayed");
    for i in 0..report.original.len().max(report.replayed.len()) {
        let side = |steps: &[sgen_core::support::replay::ReplayStep]| {
            steps.get(i).map_or(String::from("—\t\t"), |s| {
                let past = match s.answered_by {
                    AnswerSource::Recording => "",
                    AnswerSource::RepeatedLast => " (past the recording)",
                    AnswerSource::Override => " (the overriding address)",
                };
                format!("+{}\t{}\t{}{past}", duration(s.at_ms), s.answer, s.outcome)
            })
        };
        out!(
            "{}\t{}\t{}",
            i + 1,
            side(&report.original),
            side(&report.replayed)
        );
    }
    match (report.same_outcome, report.diverges_at) {
        (true, None) => out!("same outcome: {}", report.replayed_outcome),
        (true, Some(at)) => out!(
            "same outcome ({}), the timelines part at attempt {at}",
            report.replayed_outcome
        ),
        (false, at) => out!(
            "different outcome: {} then, {} now{}",
            report.original_outcome,
            report.replayed_outcome,
            at.map(|a| format!(", from attempt {a}"))
                .unwrap_or_default()
        ),
    }
}

fn duration(ms: i64) -> String {
    match ms / 1000 {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{}s", s / 60, s % 60),
        s => format!("{}h{}m", s / 3600, s % 3600 / 60),
    }
}

/// Prints the report; Err (a non-zero exit) when anything is unhealthy, naming it.
pub fn health(open: Open<'_>, json: bool) -> Result<(), CoreError> {
    let report = open(Access::ReadOnly)?.health()?;
    if json {
        output::json(&report)?;
    } else {
        print_health(&report);
    }
    match report.problems.first() {
        None => Ok(()),
        Some(first) => Err(CoreError::Unhealthy(format!(
            "{first}{}",
            match report.problems.len() {
                1 => String::new(),
                n => format!(" (and {} more problems)", n - 1),
            }
        ))),
    }
}

fn print_health(report: &HealthReport) {
    out!("data directory\t{}", report.data_dir);
    if let Some(copy) = &report.support_workspace {
        out!(
            "support workspace\ta copy of {} ({})",
            copy.site_name,
            copy.site_domain
        );
    }
    out!(
        "database\t{} · schema {} of {}",
        report.integrity,
        report.schema_version,
        report.expected_schema_version
    );
    out!("keyring\t{}", report.keyring);
    out!("background\t{}", report.background);
    out!("disk\t{} MiB free", report.disk_available_bytes >> 20);
    for c in &report.connections {
        out!(
            "connection\t{}\t{}\t{}\tlast test {}",
            c.id,
            c.display_name,
            c.state.as_str(),
            c.last_test_outcome.as_deref().unwrap_or("never")
        );
    }
    for o in &report.outbox {
        out!(
            "outbox\t{} {}\tdue {}\twaiting {}\tdead letters {}\theld {}",
            o.site_id,
            o.environment,
            o.due,
            o.waiting,
            o.dead_letters,
            o.held
        );
    }
    for w in &report.warnings {
        out!("warning\t{w}");
    }
    for p in &report.problems {
        out!("problem\t{p}");
    }
    out!(
        "{}",
        if report.healthy {
            "healthy"
        } else {
            "unhealthy"
        }
    );
}
