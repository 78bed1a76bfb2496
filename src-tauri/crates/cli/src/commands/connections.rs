//! `connections …`: the connection lifecycle from a terminal or a script.

use crate::args::connections::ConnectionsCommand;
use crate::output;
use crate::output::out;
use crate::secret_input::{read_secret, wait_for_go_ahead};
use sgen_core::connections::detail::ConnectionQuery;
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::oauth::connect::OAuthConnectRequest;
use sgen_core::{Access, Core, CoreError, Secret};
use std::collections::BTreeMap;

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: ConnectionsCommand,
) -> Result<(), CoreError> {
    match command {
        ConnectionsCommand::List { scope, state, json } => {
            let core = open(Access::ReadOnly)?;
            let query = ConnectionQuery {
                state,
                page_size: Some(sgen_core::connections::detail::MAX_PAGE_SIZE),
                ..Default::default()
            };
            output::connections(&core.connections(&scope.resolve(&core)?, &query)?, json)
        }
        ConnectionsCommand::Create {
            scope,
            connector,
            name,
            flow,
            fields,
            scopes,
            api_base,
            oauth_server,
            json,
        } => {
            let core = open(Access::ReadWrite)?;
            let scope = scope.resolve(&core)?;
            let flow = match flow {
                Some(flow) => flow,
                None => default_flow(&core, &connector)?,
            };
            let oauth_server = oauth_server.server();
            if oauth_server.is_some() && flow != "oauth2" {
                return Err(CoreError::invalid(
                    "--authorize-url and the other authorization-server options are for OAuth connections",
                ));
            }
            let detail = if flow == "oauth2" {
                let request = OAuthConnectRequest {
                    connector_type: connector,
                    display_name: name,
                    scopes,
                    api_base_override: api_base,
                    oauth_server,
                };
                let started = core.begin_oauth(&scope, request)?;
                eprintln!(
                    "Open this address in a browser and allow access (waiting up to 5 minutes):\n{}",
                    started.authorize_url
                );
                if started.app_link {
                    // No app here for the OS to hand the vendor's app link to: the person
                    // copies it from the browser instead.
                    std::thread::scope(|threads| {
                        let finishing = threads.spawn(|| core.finish_oauth(&started.flow_id));
                        let link = read_secret(
                            "The vendor sends the browser to an sgen-integrations:// address; paste it here",
                        )?;
                        if let Err(e) = core.receive_deep_link(link.expose()) {
                            core.cancel_oauth(&started.flow_id)?;
                            return Err(e);
                        }
                        finishing.join().map_err(|_| {
                            CoreError::Internal("the authorization thread panicked".into())
                        })?
                    })?
                } else {
                    core.finish_oauth(&started.flow_id)?
                }
            } else if flow == "signed_token" {
                let request = create_request(&core, connector, name, flow, &fields, api_base)?;
                let issued = core.begin_signed_token(&scope, request)?;
                // The one time it is shown: on stderr, so `--json` output stays secret-free.
                eprintln!(
                    "Signing secret (shown only now; give it to your endpoint):\n{}",
                    issued.signing_secret
                );
                wait_for_go_ahead(
                    "Press Enter when the endpoint has it, to send a signed test message: ",
                )?;
                core.finish_signed_token(&issued.pending_id)?
            } else {
                let request = create_request(&core, connector, name, flow, &fields, api_base)?;
                core.create_connection(&scope, request)?
            };
            output::connection(&detail, json)
        }
        ConnectionsCommand::Test { id, json } => {
            output::test_outcome(&open(Access::ReadWrite)?.test_connection(&id)?, json)
        }
        ConnectionsCommand::Refresh { id, json } => {
            output::test_outcome(&open(Access::ReadWrite)?.refresh_connection(&id)?, json)
        }
        ConnectionsCommand::Map {
            id,
            action,
            fields,
            json,
        } => {
            let mut mapping = sgen_core::delivery::field_mapping::ActionMapping::new();
            for field in fields {
                let (target, source) = field.split_once('=').ok_or_else(|| {
                    CoreError::invalid(format!("--field `{field}` is not TARGET=SOURCE"))
                })?;
                mapping.insert(target.trim().to_string(), source.trim().to_string());
            }
            let stored = open(Access::ReadWrite)?.set_field_mapping(&id, &action, mapping)?;
            if json {
                return output::json(&stored);
            }
            out!("{stored}");
            Ok(())
        }
        ConnectionsCommand::RotateSecret { id, finish, json } => {
            let core = open(Access::ReadWrite)?;
            if finish {
                core.finish_signing_secret_rotation(&id)?;
                if json {
                    return output::json(&serde_json::json!({ "finished": true }));
                }
                out!("the previous signing secret no longer signs");
                return Ok(());
            }
            let rotated = core.rotate_signing_secret(&id)?;
            // The secret goes to stderr, so --json output (often logged) never holds it.
            eprintln!(
                "new signing secret (shown once): {}",
                rotated.signing_secret
            );
            let until = serde_json::json!({ "previous_signs_until": rotated.previous_signs_until });
            if json {
                return output::json(&until);
            }
            let until = chrono::DateTime::from_timestamp_millis(rotated.previous_signs_until)
                .map_or_else(String::new, |t| t.to_rfc3339());
            out!("the previous secret signs too until {until}");
            Ok(())
        }
        ConnectionsCommand::Pause { id, json } => {
            output::connection(&open(Access::ReadWrite)?.pause_connection(&id)?, json)
        }
        ConnectionsCommand::Resume { id, json } => {
            let resumed = open(Access::ReadWrite)?.resume_connection(&id)?;
            if json {
                return output::json(&resumed);
            }
            output::test_outcome(&resumed.outcome, false)?;
            output::connection(&resumed.detail, false)
        }
        ConnectionsCommand::Disconnect { id, json } => output::disconnected(
            &id,
            open(Access::ReadWrite)?.disconnect_connection(&id)?,
            json,
        ),
    }
}

fn manifest<'c>(core: &'c Core, connector: &str) -> Result<&'c sgen_catalog::Manifest, CoreError> {
    core.catalog()
        .get(connector)
        .ok_or_else(|| CoreError::NotFound {
            what: "connector",
            id: connector.to_string(),
        })
}

/// The connector's first auth flow.
fn default_flow(core: &Core, connector: &str) -> Result<String, CoreError> {
    Ok(manifest(core, connector)?
        .auth_flows
        .first()
        .map_or_else(String::new, |f| f.as_str().to_string()))
}

/// The request from arguments (non-secret fields) and stdin or prompts (secret fields).
fn create_request(
    core: &Core,
    connector: String,
    name: String,
    flow: String,
    field_args: &[String],
    api_base: Option<String>,
) -> Result<NewConnectionRequest, CoreError> {
    let manifest = manifest(core, &connector)?;
    let mut fields = BTreeMap::new();
    for arg in field_args {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| CoreError::invalid(format!("--field `{arg}` is not NAME=VALUE")))?;
        if manifest
            .credential_fields
            .iter()
            .any(|f| f.name == key && f.secret)
        {
            return Err(CoreError::invalid(format!(
                "`{key}` is secret: give it on stdin or at the prompt, never as an argument"
            )));
        }
        fields.insert(key.to_string(), Secret::new(value));
    }
    // Secret fields always arrive here (arguments were refused above).
    let secret_fields = manifest.credential_fields.iter().filter(|f| {
        f.secret && (f.flows.is_empty() || f.flows.iter().any(|fl| fl.as_str() == flow))
    });
    for field in secret_fields {
        fields.insert(field.name.clone(), read_secret(&field.label)?);
    }
    Ok(NewConnectionRequest {
        connector_type: connector,
        display_name: name,
        auth_flow: flow,
        fields,
        api_base_override: api_base,
    })
}
