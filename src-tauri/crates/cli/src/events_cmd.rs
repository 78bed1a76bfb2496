//! `events …`: a connection's event source — how its vendor's events are verified, the
//! public address the vendor signs, and the signing secret (from stdin, never an argument).

use crate::args::EventsCommand;
use crate::output;
use crate::output::out;
use sgen_core::inbound::event_source::EventSourceInfo;
use sgen_core::{Access, Core, CoreError};

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: EventsCommand,
) -> Result<(), CoreError> {
    match command {
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
