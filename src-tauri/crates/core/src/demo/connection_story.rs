//! One demo connection with its story: created by the demo's administrator (sealed with a
//! sandbox credential when the sandbox gave one), then the turns the plan tells — an incident
//! and its recovery, a pause, an expiry — each with the activity row an operator would find.

use super::history::Target;
use super::plan::{self, DAY_MS};
use super::rng::DemoRng;
use super::sandbox_credentials::DemoCredential;
use super::DemoOperator;
use crate::connections::detail::{insert_connection, ConnectionSpec, Placement};
use crate::kernel::connection_state::{Operation, Transition};
use crate::kernel::write::Tx;
use crate::oauth;
use crate::oauth::authorization::REFRESH_TOKEN;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_catalog::Manifest;
use sgen_store::model::ConnectionState;
use sgen_store::{connection_credentials, connections};
use sgen_vault::{Binding, DataKey, SecretFields};

impl Core {
    /// One demo connection with its story, as its target for the history.
    #[allow(clippy::too_many_arguments)] // the demo's context, one piece each
    pub(super) fn seed_connection<'p>(
        &self,
        tx: &Tx<'_, '_>,
        rng: &mut DemoRng,
        (site_id, environment_id): (&str, i64),
        plan: &'p plan::ConnectionPlan,
        credential: Option<(&DemoCredential, &DataKey)>,
        (admin, editor): (&DemoOperator, &DemoOperator),
        now: i64,
    ) -> CoreResult<Target<'p>> {
        let manifest = self.manifest(plan.slug)?;
        let created_at = now - plan.created_days_ago * DAY_MS - rng.below(DAY_MS as u64) as i64;
        let oauth = plan.auth_flow == "oauth2";
        let id = rng.id("con");
        let sealed = credential.map(|(c, key)| {
            let refresh = c.refresh_token.as_ref().map(|token| {
                key.seal(
                    Binding::refresh_token(&id),
                    &SecretFields::new().with(REFRESH_TOKEN, token.clone()),
                )
            });
            (key.seal(Binding::credential(&id), &c.fields), refresh)
        });
        let expires_at = match credential {
            Some((c, _)) => oauth::expires_at(now, c.expires_in_s),
            None => oauth.then_some(now + 45 * 60 * 1000),
        };
        insert_connection(
            tx,
            &Placement {
                id: &id,
                site_id,
                environment_id,
                operator_id: &admin.id,
                now: created_at,
            },
            &ConnectionSpec {
                connector_type: plan.slug,
                display_name: plan.display_name,
                state: ConnectionState::Active,
                auth_flow: plan.auth_flow,
                vendor_account_id: match credential {
                    Some((c, _)) => c.account_id.as_deref(),
                    None => Some(plan.account),
                },
                scopes_granted: credential
                    .and_then(|(c, _)| c.scopes.clone())
                    .unwrap_or_else(|| plan_scopes(manifest, plan)),
                expires_at,
                last_test_outcome: Some("connected"),
                base_url_override: credential.map(|_| SANDBOX_ENDPOINT),
                oauth_server: None,
                field_mapping: serde_json::json!({}),
                credential_blob: sealed.as_ref().map(|(blob, _)| blob.as_slice()),
            },
            &format!(
                "created by {} via {}; test call: connected",
                admin.name, plan.auth_flow
            ),
        )?;
        if let Some((blob, Some(refresh))) = &sealed {
            connection_credentials::set(tx, &id, blob, Some(refresh), expires_at, created_at)?;
        }
        let incident = plan.incident.map(|(days_ago, hours, cause)| {
            let from = now - days_ago * DAY_MS;
            (from, from + hours * 60 * 60 * 1000, cause)
        });
        let record = connections::get(tx, &id)?.ok_or_else(|| CoreError::NotFound {
            what: "connection",
            id: id.clone(),
        })?;
        let mut story = Vec::new();
        if let Some((from, to, cause)) = incident {
            story.push((ConnectionState::Error, cause, None, from));
            let restored = "delivery succeeded after retries; connection restored";
            story.push((ConnectionState::Active, restored, None, to));
        }
        let broke_at = plan.end.map(|(state, days_ago, cause)| {
            let at = now - days_ago * DAY_MS - rng.below(DAY_MS as u64 / 2) as i64;
            let operator = (state == ConnectionState::Paused).then_some(editor.id.as_str());
            (state, at, cause, operator)
        });
        if let Some((state, at, cause, operator)) = broke_at {
            story.push((state, cause, operator, at));
        }
        for (to, cause, operator_id, at) in story {
            // The activity row an operator would find for each turn of the story.
            let (action, outcome) = match to {
                ConnectionState::Paused => ("connection.pause", "success"),
                ConnectionState::Active => ("connection.test", "connected"),
                _ => ("failure.surfaced", "error"),
            };
            let details = serde_json::json!({ "cause": cause });
            let operation = Operation {
                operator_id,
                action,
                outcome,
                details,
                at,
            };
            self.record_operation(tx, &record, Some(Transition { to, cause }), operation)?;
        }
        let action = manifest.actions.iter().find(|a| a.id == plan.traffic.3);
        Ok(Target {
            plan,
            connection_id: id,
            environment_id,
            api_base: manifest.api_base.clone(),
            action_path: action.map(|a| a.path.clone()).unwrap_or_default(),
            created_at,
            broke_at: broke_at.map(|(_, at, _, _)| at),
            incident: incident.map(|(from, to, _)| (from, to)),
        })
    }
}

/// The scopes a demo connection holds: the plan's, or every scope the connector declares.
pub(super) fn plan_scopes(manifest: &Manifest, plan: &plan::ConnectionPlan) -> Vec<String> {
    match plan.scopes {
        Some(held) => held.iter().map(|s| s.to_string()).collect(),
        None => manifest.scopes.iter().map(|s| s.id.clone()).collect(),
    }
}
