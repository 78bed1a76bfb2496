//! `automations …`, `runs …` and `tasks …`: automations saved from JSON files, their status,
//! dry and manual runs, the run history and retries, and the human tasks inbox.

use crate::args::automation::{AutomationsCommand, RunsCommand, TasksCommand};
use crate::output;
use crate::output::out;
use sgen_core::automations::definition::{AutomationStatus, SCHEMA};
use sgen_core::automations::library::AutomationSummary;
use sgen_core::automations::posture::HeldRuns;
use sgen_core::automations::run_control::{RetryOptions, RetryVersion};
use sgen_core::automations::runs::{RunDetail, RunQuery, RunRow};
use sgen_core::automations::tasks::Task;
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
            let event = read_json(&event)?;
            let detail =
                open(Access::ReadWrite)?.dry_run_automation(&id, &event, connection.as_deref())?;
            run_detail(&detail, json)
        }
        AutomationsCommand::Run { id, input, json } => {
            let input = match input {
                Some(file) => read_json(&file)?,
                None => serde_json::json!({}),
            };
            run_detail(
                &open(Access::ReadWrite)?.run_automation_now(&id, &input)?,
                json,
            )
        }
        AutomationsCommand::Drain { id, json } => {
            let drained = open(Access::ReadWrite)?.handle_held_runs(&id, HeldRuns::Drain)?;
            if json {
                return output::json(&serde_json::json!({ "drained": drained }));
            }
            out!("{drained} kept run(s) go on now");
            Ok(())
        }
        AutomationsCommand::Discard { id, json } => {
            let discarded = open(Access::ReadWrite)?.handle_held_runs(&id, HeldRuns::Discard)?;
            if json {
                return output::json(&serde_json::json!({ "discarded": discarded }));
            }
            out!("{discarded} kept run(s) discarded");
            Ok(())
        }
    }
}

pub fn tasks(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: TasksCommand,
) -> Result<(), CoreError> {
    match command {
        TasksCommand::List {
            scope,
            status,
            json,
        } => {
            let core = open(Access::ReadOnly)?;
            let status = (status != "all").then_some(status.as_str());
            let tasks = core.tasks(&scope.resolve(&core)?, status)?;
            if json {
                return output::json(&tasks);
            }
            for task in &tasks {
                task_line(task);
            }
            Ok(())
        }
        TasksCommand::Complete { id, output, json } => {
            let output = read_json(&output)?;
            let done = open(Access::ReadWrite)?.complete_task(&id, &output)?;
            if json {
                return output::json(&done);
            }
            task_line(&done);
            Ok(())
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
        RunsCommand::Retry {
            id,
            from_start,
            version,
            all,
            scope,
            automation,
            json,
        } => {
            let options = RetryOptions {
                from_start,
                version: match version.as_str() {
                    "failed" => RetryVersion::Failed,
                    "current" => RetryVersion::Current,
                    other => {
                        return Err(CoreError::invalid(format!(
                            "`{other}` is not a version to retry with (failed, current)"
                        )))
                    }
                },
            };
            let core = open(Access::ReadWrite)?;
            let started = match (id, all || automation.is_some()) {
                (Some(id), false) => vec![core.retry_run(&id, options)?],
                (None, true) => core.retry_runs(
                    &scope.resolve(&core)?,
                    &RunQuery {
                        automation_id: automation,
                        ..Default::default()
                    },
                    options,
                )?,
                _ => {
                    return Err(CoreError::invalid(
                        "give a run's id, or --all / --automation ID for every failed run",
                    ))
                }
            };
            if json {
                return output::json(&started);
            }
            for id in &started {
                out!("retry started: {id}");
            }
            out!("{} run(s) retried", started.len());
            Ok(())
        }
        RunsCommand::Cancel { id, json } => {
            let core = open(Access::ReadWrite)?;
            core.cancel_run(&id)?;
            if json {
                return output::json(&core.run(&id)?);
            }
            out!("cancelled {id}");
            Ok(())
        }
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

/// A file's JSON, or stdin's for `-`.
fn read_json(path: &Path) -> Result<serde_json::Value, CoreError> {
    serde_json::from_str(&read_text(path)?)
        .map_err(|e| CoreError::invalid(format!("{} is not JSON: {e}", path.display())))
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

fn task_line(task: &Task) {
    let by = task
        .completed_by
        .as_deref()
        .map(|b| format!(" by {b}"))
        .unwrap_or_default();
    out!(
        "{}  {}  {}{by}  ({}, run {})",
        task.id,
        task.title,
        task.status,
        task.automation_name,
        task.run_id
    );
}

fn run_line(run: &RunRow) {
    let dry = if run.dry_run { " (dry run)" } else { "" };
    let held = run
        .held_for
        .as_deref()
        .map(|c| format!(" (kept until {c} recovers)"))
        .unwrap_or_default();
    let dry = format!("{dry}{held}");
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
