//! `events list|show|rejected|recheck`: the event log and the refused requests.

use crate::args::event::EventsCommand;
use crate::output::{self, out};
use crate::time_bounds::{self, Now};
use sgen_core::inbound::event_log::EventQuery;
use sgen_core::{Access, Core, CoreError};

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: EventsCommand,
) -> Result<(), CoreError> {
    let bound = |text: Option<String>| {
        text.map(|t| time_bounds::parse(&t, &Now::system()))
            .transpose()
            .map_err(CoreError::invalid)
    };
    match command {
        EventsCommand::List {
            scope,
            connection,
            event_type,
            arrival,
            search,
            since,
            until,
            limit,
            cursor,
            json,
        } => {
            let core = open(Access::ReadOnly)?;
            let query = EventQuery {
                connection_id: connection,
                event_type,
                arrival,
                search,
                since: bound(since)?,
                until: bound(until)?,
                limit,
                cursor,
            };
            let page = core.events_query(&scope.resolve(&core)?, &query)?;
            if json {
                return output::json(&page);
            }
            for row in &page.rows {
                let duplicates = match row.duplicates {
                    0 => String::new(),
                    n => format!(" (+{n} duplicate{})", if n == 1 { "" } else { "s" }),
                };
                out!(
                    "{}  {}  {:<34} {:<7} {}{}",
                    row.id,
                    output::time(row.received_at),
                    row.event_type,
                    row.arrival,
                    row.connection_name.as_deref().unwrap_or(&row.connection_id),
                    duplicates
                );
            }
            if let Some(next) = &page.next_cursor {
                out!("more: --cursor {next}");
            }
            Ok(())
        }
        EventsCommand::Show { id, json } => {
            let detail = open(Access::ReadOnly)?.event_detail(&id)?;
            if json {
                return output::json(&detail);
            }
            let e = &detail.event;
            out!(
                "{} {} ({}, verified by {})",
                e.id,
                e.event_type,
                e.arrival,
                e.verified_by
            );
            out!(
                "received {}; {} duplicate(s)",
                output::time(e.received_at),
                e.duplicates
            );
            out!("headers: {}", detail.headers);
            out!("{:#}", detail.payload);
            Ok(())
        }
        EventsCommand::Rejected {
            scope,
            connection,
            limit,
            cursor,
            json,
        } => {
            let core = open(Access::ReadOnly)?;
            let page = core.rejections_query(
                &scope.resolve(&core)?,
                connection.as_deref(),
                cursor,
                limit,
            )?;
            if json {
                return output::json(&page);
            }
            for refused in &page.rows {
                let row = &refused.request;
                out!(
                    "{:>6}  {}  {}  {}{}",
                    row.seq,
                    output::time(row.received_at),
                    row.connection_name.as_deref().unwrap_or(&row.connection_id),
                    refused.message,
                    refused
                        .recheck
                        .as_deref()
                        .map_or(String::new(), |r| format!(" (re-checked: {r})"))
                );
            }
            Ok(())
        }
        EventsCommand::Recheck { seq, json } => {
            let detail = open(Access::ReadWrite)?.recheck_rejection(seq)?;
            if json {
                return output::json(&detail);
            }
            out!(
                "{}",
                detail.refused.recheck.as_deref().unwrap_or("not checked")
            );
            Ok(())
        }
        _ => unreachable!("commands::events dispatches only the log's commands here"),
    }
}
