//! The CSV export of what a filter selects (the `csv` crate writes it, quoting as RFC 4180
//! asks). Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
//! return) as a formula, so such a value is written with a leading apostrophe: an operator name
//! or a vendor's error cannot become a formula on the desk of whoever opens the file.

use crate::activity_log::detail::changes;
use crate::activity_log::query::ActivityFilters;
use crate::kernel::events::CoreEvent;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::activity;
use std::io::Write;
use std::path::Path;
use ts_rs::TS;

const HEADER: [&str; 11] = [
    "id",
    "at",
    "operator",
    "action",
    "outcome",
    "connection",
    "connection_name",
    "connector",
    "changes",
    "details",
    "catalog_version",
];

/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 10_000;

/// A value as a spreadsheet will read it: never a formula.
pub fn cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActivityExport {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
}

fn iso(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

impl Core {
    /// Writes the rows `filters` selects, newest first, as CSV to `out`; `progress` hears
    /// (written, total) as it goes. Returns how many rows.
    pub fn export_activity_csv(
        &self,
        filters: &ActivityFilters,
        out: impl Write,
        mut progress: impl FnMut(u64, u64),
    ) -> CoreResult<u64> {
        let filter = filters.as_store()?;
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, out));
        writer
            .write_record(HEADER)
            .map_err(|e| CoreError::Internal(format!("writing the CSV: {e}")))?;
        let mut written = 0u64;
        self.store.read(|conn| {
            let total = activity::count(conn, &filter)? as u64;
            progress(0, total);
            activity::each(conn, &filter, |r| {
                let details: serde_json::Value =
                    serde_json::from_str(&r.details).unwrap_or_default();
                let changed: Vec<String> = changes(&details)
                    .iter()
                    .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                    .collect();
                let id = r.id.to_string();
                let at = iso(r.at);
                let changed = changed.join("; ");
                let record = [
                    id.as_str(),
                    &at,
                    &r.operator_name,
                    &r.action,
                    &r.outcome,
                    r.connection_id.as_deref().unwrap_or(""),
                    r.connection_name.as_deref().unwrap_or(""),
                    r.connector.as_deref().unwrap_or(""),
                    &changed,
                    &r.details,
                    &r.catalog_version,
                ];
                writer
                    .write_record(record.iter().map(|v| cell(v).into_owned()))
                    .map_err(|e| CoreError::Internal(format!("writing the CSV: {e}")))?;
                written += 1;
                if written.is_multiple_of(PROGRESS_EVERY) {
                    progress(written, total);
                }
                Ok::<_, CoreError>(())
            })?;
            progress(written, total);
            Ok::<_, CoreError>(())
        })?;
        writer
            .flush()
            .map_err(|e| CoreError::Internal(format!("writing the CSV: {e}")))?;
        Ok(written)
    }

    /// The window's export: a file in `directory` (by default the Downloads folder, or the
    /// data directory's `exports/` where there is none), named for the site and the time,
    /// written beside and then moved into place so a half-written file never carries the final
    /// name; its progress is announced as core events.
    pub fn export_activity_file(
        &self,
        filters: &ActivityFilters,
        directory: Option<&Path>,
    ) -> CoreResult<ActivityExport> {
        let path = self.export_path(directory, "activity", &filters.site_id, "csv")?;
        let partial = path.with_extension("csv.part");
        let file = std::fs::File::create(&partial)
            .map_err(|e| CoreError::invalid(format!("cannot write {}: {e}", partial.display())))?;
        let rows = self.export_activity_csv(filters, file, |written, total| {
            self.events
                .publish(vec![CoreEvent::ActivityExportProgress { written, total }]);
        });
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, &path)
            .map_err(|e| CoreError::invalid(format!("cannot write {}: {e}", path.display())))?;
        Ok(ActivityExport {
            path: path.display().to_string(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_the_rest_kept() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("Dana Whitfield"), "Dana Whitfield");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn quotes_what_needs_quoting() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(["a,b", "say \"hi\"", "line\nbreak"].map(|v| cell(v).into_owned()))
            .unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\"\n");
    }
}
