//! Creating a signed-token connection (the outbound webhook, SPEC §4): the app makes the signing
//! secret and shows it once, the operator registers it at their endpoint, then a signed test
//! message proves the endpoint accepts it, and only then is the connection stored. Until then
//! the secret lives only in this process's memory, so a failed test can be retried after the
//! operator fixes their endpoint, and a cancelled or abandoned one leaves nothing behind.

use crate::access::{self, Target};
use crate::connections::connect_steps::CheckedForm;
use crate::connections::detail::ConnectionDetail;
use crate::connections::lifecycle::NewConnectionRequest;
use crate::kernel::ids::random_bits;
use crate::kernel::sites::SiteEnvironment;
use crate::{kernel::ids, Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use serde::Serialize;
use sgen_catalog::AuthFlow;
use sgen_vault::webhook_signing::generate_signing_secret;
use std::time::{Duration, Instant};
use ts_rs::TS;

/// The credential field a signed-token connection keeps its secret in.
pub(crate) const SIGNING_SECRET: &str = "signing_secret";
/// The webhook connector's destination field (its manifest's API address is `{endpoint_url}`).
const DESTINATION_URL: &str = "endpoint_url";
/// Long enough to paste the secret into a receiver's settings and deploy it.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

/// The one time the secret is shown: the operator copies it into their endpoint now.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SigningSecretIssued {
    pub pending_id: String,
    /// `whsec_…`: the only secret that ever leaves the core, and only in this answer.
    pub signing_secret: String,
    /// Whether the destination is a sandbox receiver the app can register the secret with.
    pub sandbox_receiver: bool,
}

pub(crate) struct PendingSignedToken {
    scope: SiteEnvironment,
    form: CheckedForm,
    deadline: Instant,
}

impl Core {
    pub fn begin_signed_token(
        &self,
        scope: &SiteEnvironment,
        request: NewConnectionRequest,
    ) -> CoreResult<SigningSecretIssued> {
        self.authorize(
            access::Operation::CreateConnection,
            Target::Connector(&request.connector_type),
        )?;
        let mut form = self.checked_form(scope, request)?;
        if form.flow != AuthFlow::SignedToken {
            return Err(CoreError::invalid(format!(
                "{} does not connect with a signed token",
                self.manifest(&form.connector_type)?.display_name
            )));
        }
        self.check_webhook_destination(
            scope,
            form.api_base.as_deref(),
            form.fields.get(DESTINATION_URL).map(|s| s.expose()),
        )?;
        // No point making a secret that could never be stored.
        self.site_key(&scope.site_id)?;
        let secret = generate_signing_secret();
        form.fields.insert(SIGNING_SECRET, secret.clone());
        let pending_id = ids::time_ordered_id("sig", self.now(), random_bits()?);
        let sandbox_receiver = form.api_base.as_deref() == Some(SANDBOX_ENDPOINT);
        let mut pending = self.pending_signed_tokens();
        pending.retain(|_, p| p.deadline > Instant::now());
        pending.insert(
            pending_id.clone(),
            PendingSignedToken {
                scope: scope.clone(),
                form,
                deadline: Instant::now() + PENDING_FOR,
            },
        );
        Ok(SigningSecretIssued {
            pending_id,
            signing_secret: secret.expose().to_string(),
            sandbox_receiver,
        })
    }

    /// Sends the signed test message; stores the connection if the endpoint accepts it. A
    /// refusal keeps the pending secret so the operator can fix their endpoint and try again.
    pub fn finish_signed_token(&self, pending_id: &str) -> CoreResult<ConnectionDetail> {
        // Taken out while it is tested, so a second finish of the same secret cannot store a
        // second connection; put back if the endpoint refuses it.
        let pending = self
            .pending_signed_tokens()
            .remove(pending_id)
            .filter(|p| p.deadline > Instant::now())
            .ok_or_else(|| gone(pending_id))?;
        let stored = self.test_and_store(
            &pending.scope,
            &pending.form,
            pending.form.fields.clone(),
            None,
        );
        if stored.is_err() {
            self.pending_signed_tokens()
                .insert(pending_id.to_string(), pending);
        }
        stored
    }

    /// Forgets the secret; nothing was stored.
    pub fn cancel_signed_token(&self, pending_id: &str) -> CoreResult<()> {
        self.pending_signed_tokens()
            .remove(pending_id)
            .map(|_| ())
            .ok_or_else(|| gone(pending_id))
    }

    /// What the operator does at their own endpoint, done for them at a sandbox receiver.
    pub fn register_signing_secret_with_sandbox(&self, pending_id: &str) -> CoreResult<()> {
        let pending = self.pending_signed_tokens();
        let p = pending.get(pending_id).ok_or_else(|| gone(pending_id))?;
        if p.form.api_base.as_deref() != Some(SANDBOX_ENDPOINT) {
            return Err(CoreError::invalid(
                "only a sandbox receiver can be given the secret by the app; paste it into your endpoint",
            ));
        }
        let secret =
            p.form.fields.get(SIGNING_SECRET).ok_or_else(|| {
                CoreError::Internal("a pending signed token without a secret".into())
            })?;
        self.register_with_sandbox_receiver(&p.form.connector_type, secret)
    }

    fn pending_signed_tokens(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, PendingSignedToken>> {
        self.connections
            .signed_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

fn gone(pending_id: &str) -> CoreError {
    CoreError::NotFound {
        what: "pending signing secret (expired or cancelled; start again)",
        id: pending_id.to_string(),
    }
}
