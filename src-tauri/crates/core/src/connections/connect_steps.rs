//! The steps every form-made connection goes through (key, basic, client credentials, signed
//! token): the form checked against the manifest, then a test call, and only if it connects the
//! row and its sealed credential written in one transaction. A failed test stores nothing but
//! an activity row saying so.

use crate::access::{self, Target};
use crate::connections::api_address::checked_api_base;
use crate::connections::detail::{insert_connection, ConnectionDetail, ConnectionSpec, Placement};
use crate::connections::lifecycle::NewConnectionRequest;
use crate::connections::test_outcome::TestOutcome;
use crate::kernel::activity::{log, Activity};
use crate::kernel::destination_policy::check_destination;
use crate::kernel::ids::random_bits;
use crate::kernel::sites::SiteEnvironment;
use crate::settings::outbound_allow_list::is_sandbox;
use crate::{
    connections::credential_form, kernel::ids, kernel::vendor_http, Core, CoreError, CoreResult,
};
use sgen_catalog::AuthFlow;
use sgen_store::model::ConnectionState;
use sgen_vault::{Binding, SecretFields};

/// A connection form that passed every check that needs no vendor.
#[derive(Debug, Clone)]
pub(crate) struct CheckedForm {
    pub(crate) connector_type: String,
    pub(crate) display_name: String,
    pub(crate) flow: AuthFlow,
    /// The stored override (a URL or `sandbox`).
    pub(crate) api_base: Option<String>,
    pub(crate) fields: SecretFields,
}

impl Core {
    pub(crate) fn checked_form(
        &self,
        scope: &SiteEnvironment,
        request: NewConnectionRequest,
    ) -> CoreResult<CheckedForm> {
        let manifest = self.manifest(&request.connector_type)?;
        let flow = AuthFlow::parse(&request.auth_flow)
            .filter(|flow| manifest.auth_flows.contains(flow))
            .ok_or_else(|| {
                let offered: Vec<&str> = manifest.auth_flows.iter().map(|f| f.as_str()).collect();
                CoreError::invalid(format!(
                    "{} connects with {}, not `{}`",
                    manifest.display_name,
                    offered.join(" or "),
                    request.auth_flow
                ))
            })?;
        let display_name = request.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 120 {
            return Err(CoreError::invalid(
                "the display name must be 1 to 120 characters",
            ));
        }
        let api_base = checked_api_base(request.api_base_override.as_deref())?;
        // Resolving the address now refuses an unusable sandbox before anything else happens.
        self.api_base_for(&manifest.slug, api_base.as_deref())?;
        let fields = credential_form::check(manifest, flow, request.fields)?;
        self.environment_id(scope)?;
        Ok(CheckedForm {
            connector_type: manifest.slug.clone(),
            display_name: display_name.to_string(),
            flow,
            api_base,
            fields,
        })
    }

    /// The test call with `fields`; stores the connection only if it connects.
    pub(crate) fn test_and_store(
        &self,
        scope: &SiteEnvironment,
        form: &CheckedForm,
        fields: SecretFields,
        expires_at: Option<i64>,
    ) -> CoreResult<ConnectionDetail> {
        let operator = self.authorize(
            access::Operation::CreateConnection,
            Target::Connector(&form.connector_type),
        )?;
        let manifest = self.manifest(&form.connector_type)?;
        let environment_id = self.environment_id(scope)?;
        let key = self.site_key(&scope.site_id)?;
        let calls_go_to = self.api_base_for(&manifest.slug, form.api_base.as_deref())?;
        let policy = self.policy_for(&scope.site_id, is_sandbox(form.api_base.as_deref()))?;
        // An address the operator gave is judged now, so a refusal says so rather than
        // reading as a network failure of the test call.
        if let (Some(address), Some(policy)) = (&form.api_base, &policy) {
            check_destination(address, policy)?;
        }
        let outcome = vendor_http::test_call(
            manifest,
            form.flow,
            &fields,
            calls_go_to.as_deref(),
            policy.as_ref(),
        )?;
        let now = self.now();
        let TestOutcome::Connected { account_id } = &outcome else {
            self.write(|tx| {
                log(
                    tx,
                    &Activity {
                        at: now,
                        operator_id: &operator.id,
                        site_id: Some(&scope.site_id),
                        environment_id: Some(environment_id),
                        connection_id: None,
                        action: "connection.create",
                        outcome: "rejected",
                        details: serde_json::json!({
                            "connector_type": manifest.slug,
                            "test_outcome": outcome,
                        }),
                    },
                )
            })?;
            return Err(CoreError::TestFailed(outcome));
        };
        let id = ids::time_ordered_id("con", now, random_bits()?);
        let blob = key.seal(Binding::credential(&id), &fields);
        self.write(|tx| {
            key.still_current(tx)?;
            insert_connection(
                tx,
                &Placement {
                    id: &id,
                    site_id: &scope.site_id,
                    environment_id,
                    operator_id: &operator.id,
                    now,
                },
                &ConnectionSpec {
                    connector_type: &manifest.slug,
                    display_name: &form.display_name,
                    state: ConnectionState::Active,
                    auth_flow: form.flow.as_str(),
                    vendor_account_id: account_id.as_deref(),
                    scopes_granted: Vec::new(),
                    expires_at,
                    last_test_outcome: Some(outcome.kind()),
                    base_url_override: form.api_base.as_deref(),
                    oauth_server: None,
                    field_mapping: serde_json::json!({}),
                    credential_blob: Some(&blob),
                },
                &format!(
                    "created by {} via {}; test call: {outcome}",
                    operator.name,
                    form.flow.as_str()
                ),
            )
        })?;
        self.connection(&id)
    }
}
