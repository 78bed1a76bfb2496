//! `automations …` and `runs …`: automations saved from JSON files, their status, dry runs,
//! and the run history.

use crate::automation_args::{AutomationsCommand, RunsCommand};
use crate::output;
use crate::output::out;
use sgen_core::automations::definition::{AutomationStatus, SCHEMA};
use sgen_core::automations::library::AutomationSummary;
use sgen_core::automations::runs::{RunDetail, RunQuery, RunRow};
use sgen_core::{Access, Core, CoreError};
use std::io::Read;
use std::path::Path;

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: AutomationsCommand,
) -> Result<(), CoreError> {
    match command {
        AutomationsCommand::List { scope, json } => {
            let core = open(Access::ReadOnly)?;
            let automations = core.automations(&scope.resolve(&core)?)?;
            if json {
                return output::json(&automations);
            }
            for a in &automations {
                summary_line(a);
            }
            Ok(())
        }
        AutomationsCommand::Show { id, json } => {
            let detail = open(Access::ReadOnly)?.automation(&id)?;
            if json {
                return output::json(&detail);
            }
            summary_line(&detail.summary);
            if let Some(cel) = &detail.cel {
                out!("  when {cel}");
            }
            for (i, action) in detail.definition.actions.iter().enumerate() {
                out!("  {}. {} {}", i + 1, action.kind.as_str(), action.params);
            }
            out!("  depends on: {}", detail.dependencies.join(", "));
            Ok(())
        }
        AutomationsCommand::Import {
            file,
            scope,
            id,
            json,
        } => {
            let text = read_text(&file)?;
            let core = open(Access::ReadWrite)?;
            let saved = core.save_automation(&scope.resolve(&core)?, id.as_deref(), &text)?;
            if json {
                return output::json(&saved);
            }
            out!("saved {} version {}", saved.id, saved.version);
            Ok(())
        }
        AutomationsCommand::Export { id } => {
            output::json(&open(Access::ReadOnly)?.export_automation(&id)?)
        }
        AutomationsCommand::Schema => {
            out!("{SCHEMA}");
            Ok(())
        }
        AutomationsCommand::Activate { id, json } => {
            status(open, &id, AutomationStatus::Active, json)
        }
        AutomationsCommand::Pause { id, json } => status(open, &id, AutomationStatus::Paused, json),
        AutomationsCommand::Archive { id, json } => {
            status(open, &id, AutomationStatus::Archived, json)
        }
        AutomationsCommand::DryRun {
            id,
            event,
            connection,
            json,
        } => {
            let text = read_text(&event)?;
            let event: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CoreError::invalid(format!("{} is not JSON: {e}", event.display())))?;
            let detail =
                open(Access::ReadWrite)?.dry_run_automation(&id, &event, connection.as_deref())?;
            run_detail(&detail, json)
        }
    }
}

pub fn runs(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: RunsCommand,
) -> Result<(), CoreError> {
    match command {
        RunsCommand::List {
            scope,
            automation,
            status,
            limit,
            cursor,
            json,
        } => {
            let core = open(Access::ReadOnly)?;
            let page = core.runs(
                &scope.resolve(&core)?,
                &RunQuery {
                    automation_id: automation,
                    status,
                    cursor,
                    page_size: limit,
                },
            )?;
            if json {
                return output::json(&page);
            }
            for run in &page.rows {
                run_line(run);
            }
            if let Some(next) = &page.next_cursor {
                out!("more: --cursor {next}");
            }
            Ok(())
        }
        RunsCommand::Show { id, json } => run_detail(&open(Access::ReadOnly)?.run(&id)?, json),
    }
}

fn status(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    id: &str,
    to: AutomationStatus,
    json: bool,
) -> Result<(), CoreError> {
    let saved = open(Access::ReadWrite)?.set_automation_status(id, to)?;
    if json {
        return output::json(&saved);
    }
    summary_line(&saved);
    Ok(())
}

/// A file's text, or stdin's for `-`.
fn read_text(path: &Path) -> Result<String, CoreError> {
    let mut text = String::new();
    let read = match path.to_str() {
        Some("-") => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        _ => std::fs::read_to_string(path).map(|t| text = t),
    };
    read.map_err(|e| CoreError::invalid(format!("cannot read {}: {e}", path.display())))?;
    Ok(text)
}

fn summary_line(a: &AutomationSummary) {
    let reason = a
        .status_reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    out!(
        "{}  {}  v{}  {}{}  on {}",
        a.id,
        a.name,
        a.version,
        a.status.as_str(),
        reason,
        a.trigger_event
    );
}

fn run_line(run: &RunRow) {
    let dry = if run.dry_run { " (dry run)" } else { "" };
    let error = run
        .error
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    out!(
        "{}  {}  v{}  {}{dry}{error}",
        run.id,
        run.automation_id,
        run.version,
        run.status
    );
}

fn run_detail(detail: &RunDetail, json: bool) -> Result<(), CoreError> {
    if json {
        return output::json(detail);
    }
    run_line(&detail.run);
    if let Some(explain) = &detail.run.explain {
        out!("  its conditions did not pass:");
        if let Some(error) = &explain.error {
            out!("    {error}");
        }
        for part in &explain.trace {
            out!("    {} = {}", part.expression, part.value);
        }
    }
    for step in &detail.steps {
        let error = step
            .error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        out!("  {}. {} {}{error}", step.step + 1, step.kind, step.status);
        if let Some(input) = &step.input {
            out!("     in:  {input}");
        }
        if let Some(output) = &step.output {
            out!("     out: {output}");
        }
    }
    Ok(())
}
