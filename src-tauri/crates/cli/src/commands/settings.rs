//! `settings …`: what an Administrator sets — the outbound allow-list, the retry schedule,
//! the delivery-log retention.

use crate::args::settings::SettingsCommand;
use crate::output;
use crate::output::out;
use sgen_core::{Access, Core, CoreError};

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: SettingsCommand,
) -> Result<(), CoreError> {
    match command {
        SettingsCommand::AllowList {
            scope,
            hosts,
            clear,
            json,
        } => {
            let changing = clear || !hosts.is_empty();
            let core = open(if changing {
                Access::ReadWrite
            } else {
                Access::ReadOnly
            })?;
            let scope = scope.resolve(&core)?;
            let list = if changing {
                core.set_outbound_allow_list(&scope, hosts)?
            } else {
                core.outbound_allow_list(&scope.site_id)?
            };
            if json {
                return output::json(&list);
            }
            if list.is_empty() {
                out!("no host is allow-listed");
            }
            for host in list {
                out!("{host}");
            }
            Ok(())
        }
        SettingsCommand::RetrySchedule { waits, json } => {
            let waits = if waits.is_empty() {
                open(Access::ReadOnly)?.retry_schedule()?
            } else {
                open(Access::ReadWrite)?.set_retry_schedule(waits)?
            };
            if json {
                return output::json(&waits);
            }
            let listed: Vec<String> = waits.iter().map(|w| format!("{w}s")).collect();
            out!("attempts wait {} after the one before", listed.join(", "));
            Ok(())
        }
        SettingsCommand::Retention { days, json } => {
            let days = match days {
                Some(days) => open(Access::ReadWrite)?.set_delivery_log_retention_days(days)?,
                None => open(Access::ReadOnly)?.delivery_log_retention_days()?,
            };
            if json {
                return output::json(&serde_json::json!({ "retention_days": days }));
            }
            out!("the delivery log keeps {days} days");
            Ok(())
        }
        SettingsCommand::InboundPort { port, json } => {
            let port = match port {
                Some(port) => open(Access::ReadWrite)?.set_inbound_port(port)?,
                None => open(Access::ReadOnly)?.inbound_port()?,
            };
            if json {
                return output::json(&serde_json::json!({ "inbound_port": port }));
            }
            out!("the inbound listener takes port {port}");
            Ok(())
        }
        SettingsCommand::RotateKey { scope, json } => {
            let core = open(Access::ReadWrite)?;
            let rotation = core.rotate_site_key(&scope.resolve(&core)?.site_id)?;
            if json {
                return output::json(&rotation);
            }
            out!(
                "{} secrets re-encrypted under {}",
                rotation.resealed,
                rotation.key_reference
            );
            Ok(())
        }
    }
}
