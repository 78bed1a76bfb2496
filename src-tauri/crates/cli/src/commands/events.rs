//! `events …`: a connection's event source — how its vendor's events are verified, the
//! public address the vendor signs, and the signing secret (from stdin, never an argument);
//! the listener; and `sandbox emit`. The log's own commands are in `event_log`.

use crate::args::event::{EmitArgs, EventsCommand};
use crate::output;
use crate::output::out;
use crate::time_bounds::{self, Now};
use sgen_core::background::{Cadences, SHUTDOWN_WITHIN};
use sgen_core::inbound::event_source::EventSourceInfo;
use sgen_core::inbound::reconciliation::CatchUpResult;
use sgen_core::inbound::sandbox_emitter::EmitRequest;
use sgen_core::{Access, Core, CoreError};
use std::sync::Arc;
use std::time::Duration;

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: EventsCommand,
) -> Result<(), CoreError> {
    match command {
        EventsCommand::Listen { port, json } => listen(open(Access::ReadWrite)?, port, json),
        EventsCommand::Reconcile {
            scope,
            connection,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let results = match connection {
                Some(id) => vec![core.reconcile_events(&id).map_or_else(
                    |e| CatchUpResult {
                        connection_id: id.clone(),
                        caught_up: None,
                        error: Some(format!("{}: {e}", e.code())),
                    },
                    |caught_up| CatchUpResult {
                        connection_id: id.clone(),
                        caught_up: Some(caught_up),
                        error: None,
                    },
                )],
                None => core.reconcile_all(&scope.resolve(&core)?)?,
            };
            caught_up(&results, json)
        }
        command @ (EventsCommand::List { .. }
        | EventsCommand::Show { .. }
        | EventsCommand::Rejected { .. }
        | EventsCommand::Recheck { .. }) => crate::commands::event_log::run(open, command),
        EventsCommand::Source {
            connection,
            public_url,
            clear_public_url,
            json,
        } => {
            let source = match (public_url, clear_public_url) {
                (Some(url), _) => {
                    open(Access::ReadWrite)?.set_event_public_url(&connection, Some(&url))?
                }
                (None, true) => open(Access::ReadWrite)?.set_event_public_url(&connection, None)?,
                (None, false) => open(Access::ReadOnly)?.event_source(&connection)?,
            };
            show(&source, json)
        }
        EventsCommand::Secret {
            connection,
            keep_previous,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            // The connection first, so a typo is said before a secret is asked for.
            core.event_source(&connection)?;
            let secret = crate::secret_input::read_secret("Signing secret")?;
            show(
                &core.set_event_secret(&connection, secret, keep_previous)?,
                json,
            )
        }
    }
}

fn show(source: &EventSourceInfo, json: bool) -> Result<(), CoreError> {
    if json {
        return output::json(source);
    }
    out!(
        "{}: verified by {}; public address {}; {} secret{} active",
        source.connection_id,
        source.scheme,
        source.public_url.as_deref().unwrap_or("(none)"),
        source.secrets_active,
        if source.secrets_active == 1 { "" } else { "s" }
    );
    Ok(())
}

/// Serves the listener (and nothing else of the app's background work) until stdin closes.
fn listen(core: Core, port: Option<u16>, json: bool) -> Result<(), CoreError> {
    let core = Arc::new(core);
    // Only the listener: the other tasks wait far longer than anyone listens.
    let background = core.start_background(Cadences::idle())?;
    core.start_inbound(&background, port);
    let address = (0..500)
        .find_map(|_| {
            let address = core.inbound_address();
            if address.is_none() {
                std::thread::sleep(Duration::from_millis(10));
            }
            address
        })
        .ok_or_else(|| {
            let port = port.map_or_else(|| "the set port".into(), |p| p.to_string());
            CoreError::invalid(format!(
                "could not listen on 127.0.0.1:{port}: is it in use?"
            ))
        })?;
    if json {
        output::json(&serde_json::json!({ "listening": format!("http://{address}/in/") }))?;
    } else {
        out!("listening on http://{address}/in/{{connection}}; close stdin (Ctrl-D) to stop");
    }
    std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    background.shutdown(SHUTDOWN_WITHIN);
    Ok(())
}

/// `sandbox emit`: signs and sends; prints each answer.
pub fn emit(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    args: EmitArgs,
) -> Result<(), CoreError> {
    let EmitArgs {
        connection,
        event_type,
        payload,
        at,
        twice,
        wrong_secret,
        missed,
        json,
    } = args;
    let payload = match payload {
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CoreError::invalid(format!("cannot read {}: {e}", file.display())))?;
            Some(
                serde_json::from_str(&text).map_err(|e| {
                    CoreError::invalid(format!("{} is not JSON: {e}", file.display()))
                })?,
            )
        }
        None => None,
    };
    let signed_at = at
        .map(|text| time_bounds::parse(&text, &Now::system()))
        .transpose()
        .map_err(CoreError::invalid)?;
    let core = open(Access::ReadOnly)?;
    let answers = core.sandbox_emit(&EmitRequest {
        connection_id: connection,
        event_type,
        payload,
        signed_at,
        twice: Some(twice),
        wrong_secret: Some(wrong_secret),
        missed: Some(missed),
    })?;
    if json {
        return output::json(&answers);
    }
    if missed {
        out!("kept at the vendor, not sent: `events reconcile` fetches it");
    }
    for answer in &answers {
        out!("{} {}", answer.status, answer.answer);
    }
    Ok(())
}

/// Each connection's catch-up; fails (exit 1) when any did.
fn caught_up(results: &[CatchUpResult], json: bool) -> Result<(), CoreError> {
    if json {
        output::json(&results)?;
    } else {
        for result in results {
            match (&result.caught_up, &result.error) {
                (Some(c), _) => out!(
                    "{}: {} listed, {} new{}",
                    c.connection_id,
                    c.fetched,
                    c.new,
                    if c.more {
                        "; more remain for the next catch-up"
                    } else {
                        ""
                    }
                ),
                (None, error) => out!(
                    "{}: {}",
                    result.connection_id,
                    error.as_deref().unwrap_or("failed")
                ),
            }
        }
    }
    match results.iter().find_map(|r| r.error.as_deref()) {
        Some(error) => Err(CoreError::invalid(format!("a catch-up failed: {error}"))),
        None => Ok(()),
    }
}
