//! `operators …`, `roles …` and `activity …`: who may act, and what they did. The acting
//! profile is `--operator` (or the OS user's own); the core checks every change against it.

use crate::args::access::{ActivityCommand, OperatorsCommand, RolesCommand};
use crate::output::{self, out};
use crate::secret_input::read_secret;
use crate::time_bounds::{self, Now};
use sgen_core::access::family_gates::FamilyGate;
use sgen_core::access::operators::OperatorDraft;
use sgen_core::access::roles::RoleDraft;
use sgen_core::access::Capability;
use sgen_core::activity_log::{ActivityFilters, ActivityQuery};
use sgen_core::{Access, Core, CoreError};

type Open<'a> = &'a dyn Fn(Access) -> Result<Core, CoreError>;

fn done(json: bool, what: &str) -> Result<(), CoreError> {
    if json {
        return output::json(&serde_json::json!({ "done": what }));
    }
    out!("{what}");
    Ok(())
}

pub fn operators(open: Open<'_>, command: OperatorsCommand) -> Result<(), CoreError> {
    match command {
        OperatorsCommand::List { json } => {
            let list = open(Access::ReadOnly)?.operators()?;
            if json {
                return output::json(&list);
            }
            for o in list {
                let lock = if o.has_passphrase {
                    " (passphrase)"
                } else {
                    ""
                };
                let own = o
                    .os_user
                    .map(|u| format!(" [OS user {u}]"))
                    .unwrap_or_default();
                out!("{}\t{}\t{}{lock}{own}", o.id, o.name, o.role_name);
            }
            Ok(())
        }
        OperatorsCommand::Add {
            name,
            role,
            passphrase,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let draft = OperatorDraft {
                id: None,
                name,
                role,
                passphrase: passphrase.then(|| read_secret("passphrase")).transpose()?,
                clear_passphrase: false,
            };
            let saved = core.save_operator(&draft)?;
            if json {
                return output::json(&saved);
            }
            out!("{}\t{}\t{}", saved.id, saved.name, saved.role_name);
            Ok(())
        }
        OperatorsCommand::Edit {
            id,
            name,
            role,
            passphrase,
            clear_passphrase,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let present = core
                .operators()?
                .into_iter()
                .find(|o| o.id == id)
                .ok_or_else(|| CoreError::NotFound {
                    what: "operator",
                    id: id.clone(),
                })?;
            let draft = OperatorDraft {
                id: Some(id),
                name: name.unwrap_or(present.name),
                role: role.unwrap_or(present.role),
                passphrase: passphrase
                    .then(|| read_secret("new passphrase"))
                    .transpose()?,
                clear_passphrase,
            };
            let saved = core.save_operator(&draft)?;
            if json {
                return output::json(&saved);
            }
            out!("{}\t{}\t{}", saved.id, saved.name, saved.role_name);
            Ok(())
        }
        OperatorsCommand::Remove { id, json } => {
            open(Access::ReadWrite)?.remove_operator(&id)?;
            done(json, "removed")
        }
    }
}

pub fn roles(open: Open<'_>, command: RolesCommand) -> Result<(), CoreError> {
    match command {
        RolesCommand::List { json } => {
            let overview = open(Access::ReadOnly)?.access_overview()?;
            if json {
                return output::json(&serde_json::json!({
                    "roles": overview.roles,
                    "capabilities": overview.capabilities,
                    "family_gates": overview.family_gates,
                }));
            }
            for role in overview.roles {
                let names: Vec<_> = role.capabilities.iter().map(|c| c.name()).collect();
                let kind = if role.built_in { "built-in" } else { "custom" };
                out!("{}\t{}\t{kind}\t{}", role.id, role.name, names.join(","));
            }
            for gate in overview
                .family_gates
                .iter()
                .filter(|g| g.capability.is_some())
            {
                out!(
                    "family {} also requires {}",
                    gate.family,
                    gate.capability.map_or("", |c| c.name())
                );
            }
            Ok(())
        }
        RolesCommand::Save {
            id,
            name,
            capabilities,
            json,
        } => {
            let capabilities = capabilities
                .iter()
                .map(|name| capability(name))
                .collect::<Result<Vec<_>, _>>()?;
            let saved = open(Access::ReadWrite)?.save_role(&RoleDraft {
                id,
                name,
                capabilities,
            })?;
            if json {
                return output::json(&saved);
            }
            out!("{}\t{}", saved.id, saved.name);
            Ok(())
        }
        RolesCommand::Remove { id, json } => {
            open(Access::ReadWrite)?.remove_role(&id)?;
            done(json, "removed")
        }
        RolesCommand::Gate {
            family,
            capability: name,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let chosen = match name.as_str() {
                "none" => None,
                other => Some(capability(other)?),
            };
            let mut gates = core.family_gates()?;
            match gates.iter_mut().find(|g| g.family == family) {
                Some(gate) => gate.capability = chosen,
                None => gates.push(FamilyGate {
                    family,
                    label: None,
                    capability: chosen,
                }),
            }
            let saved = core.set_family_gates(&gates)?;
            if json {
                return output::json(&saved);
            }
            done(false, "saved")
        }
    }
}

fn capability(name: &str) -> Result<Capability, CoreError> {
    Capability::from_name(name).ok_or_else(|| {
        CoreError::invalid(format!(
            "`{name}` is not a capability; they are {}",
            Capability::ALL
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

pub fn activity(open: Open<'_>, command: ActivityCommand) -> Result<(), CoreError> {
    match command {
        ActivityCommand::Query {
            scope,
            connection,
            operator,
            action,
            outcome,
            since,
            until,
            asc,
            limit,
            cursor,
            csv,
            json,
        } => {
            let core = open(Access::ReadOnly)?;
            let now = Now::system();
            let operator_id = operator
                .map(|given| {
                    core.operators_ever()?
                        .into_iter()
                        .find(|o| o.id == given || o.name.eq_ignore_ascii_case(&given))
                        .map(|o| o.id)
                        .ok_or(CoreError::NotFound {
                            what: "operator",
                            id: given,
                        })
                })
                .transpose()?;
            let filters = ActivityFilters {
                site_id: scope.resolve(&core)?.site_id,
                connection_id: connection,
                operator_id,
                action,
                outcome,
                since: time_bounds::bound("since", &since, &now)?,
                until: time_bounds::bound("until", &until, &now)?,
            };
            if let Some(path) = csv {
                return export(&core, &filters, &path, json);
            }
            let page = core.activity(&ActivityQuery {
                filters,
                ascending: asc,
                cursor,
                page_size: Some(limit),
            })?;
            if json {
                return output::json(&page);
            }
            for r in &page.rows {
                out!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    output::time(r.at),
                    r.operator_name,
                    r.action,
                    r.outcome,
                    r.connection_name
                        .as_deref()
                        .or(r.connection_id.as_deref())
                        .unwrap_or("-")
                );
            }
            if let Some(next) = page.next_cursor {
                eprintln!("more: --cursor {next}");
            }
            Ok(())
        }
        ActivityCommand::Show { id, json } => {
            let detail = open(Access::ReadOnly)?.activity_detail(id)?;
            if json {
                return output::json(&detail);
            }
            out!(
                "{} {} by {}: {}",
                output::time(detail.row.at),
                detail.row.action,
                detail.row.operator_name,
                detail.row.outcome
            );
            for change in &detail.changes {
                out!("  {}: {} → {}", change.field, change.before, change.after);
            }
            if let Some(code) = detail.vendor_response_code {
                out!("  vendor response: {code}");
            }
            out!("  catalog {}", detail.catalog_version);
            Ok(())
        }
        ActivityCommand::Retention { days, json } => {
            let core = open(Access::ReadWrite)?;
            let kept = match days.as_deref() {
                None => core.activity_retention_days()?,
                Some("forever") => core.set_activity_retention_days(None)?,
                Some(text) => {
                    core.set_activity_retention_days(Some(text.parse().map_err(|_| {
                        CoreError::invalid(format!("`{text}` is not a number of days or `forever`"))
                    })?))?
                }
            };
            if json {
                return output::json(&serde_json::json!({ "retention_days": kept }));
            }
            match kept {
                Some(days) => out!("activity rows are kept {days} days"),
                None => out!("activity rows are kept forever"),
            }
            Ok(())
        }
    }
}

/// The CSV export: to a file (progress on stderr) or to stdout with `-`.
fn export(
    core: &Core,
    filters: &ActivityFilters,
    path: &std::path::Path,
    json: bool,
) -> Result<(), CoreError> {
    let started = std::time::Instant::now();
    let progress = |written: u64, total: u64| {
        if !json && total > 0 {
            eprint!("\rexporting: {written}/{total}");
        }
    };
    let rows = if path.as_os_str() == "-" {
        core.export_activity_csv(filters, std::io::stdout().lock(), |_, _| {})?
    } else {
        let file = std::fs::File::create(path)
            .map_err(|e| CoreError::invalid(format!("cannot write {}: {e}", path.display())))?;
        let rows = core.export_activity_csv(filters, file, progress)?;
        if !json {
            eprintln!();
        }
        rows
    };
    if json {
        return output::json(&serde_json::json!({
            "rows": rows,
            "path": path.display().to_string(),
            "seconds": started.elapsed().as_secs_f64(),
        }));
    }
    if path.as_os_str() != "-" {
        out!(
            "{rows} rows written to {} in {:.1} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
