//! Disconnecting at the vendor (SPEC §4): RFC 7009 revocation of an OAuth grant, at the
//! server the connection was authorized at. It never fails the disconnect; what happened is
//! what the activity log records.

use crate::connections::lifecycle::Revocation;
use crate::kernel::vendor_http::ACCESS_TOKEN;
use crate::oauth::authorization::REFRESH_TOKEN;
use crate::oauth::{self, Endpoints, Revocable};
use crate::{Core, SANDBOX_ENDPOINT};
use sgen_catalog::AuthFlow;
use sgen_store::connections::ConnectionRecord;
use sgen_vault::Binding;

impl Core {
    /// RFC 7009 revocation of an OAuth connection's grant (its refresh token, else its access
    /// token). Never fails the caller: a failure is what the activity log records.
    pub(crate) fn revoke_at_vendor(&self, record: &ConnectionRecord) -> Revocation {
        if record.auth_flow != AuthFlow::Oauth2.as_str() {
            return Revocation::Unsupported;
        }
        let Ok(manifest) = self.manifest(&record.connector_type) else {
            return Revocation::Failed;
        };
        let url = match (
            &record.oauth_server,
            record.base_url_override.as_deref(),
            &manifest.revocation,
        ) {
            (Some(server), _, _) => match &server.revoke_url {
                Some(url) => url.clone(),
                None => return Revocation::Unsupported,
            },
            // A sandbox vendor offers what the real one offers, and no more.
            (None, _, sgen_catalog::Revocation::Unsupported { .. }) => {
                return Revocation::Unsupported
            }
            (None, Some(SANDBOX_ENDPOINT), _) => match self.sandbox_oauth(&manifest.slug) {
                Ok(urls) => urls.revoke_url,
                Err(_) => return Revocation::Failed,
            },
            (None, _, sgen_catalog::Revocation::Rfc7009 { url }) => url.clone(),
            _ => return Revocation::Unsupported,
        };
        let Ok(Endpoints { client_id, .. }) = self.oauth_endpoints(
            manifest,
            record.base_url_override.as_deref(),
            record.oauth_server.as_ref(),
        ) else {
            return Revocation::Failed;
        };
        let Ok(policy) = self.token_policy(record) else {
            return Revocation::Failed;
        };
        let revoked = match self.sealed_token_for_revocation(record) {
            Some((true, token)) => Some(oauth::revoke(
                &url,
                &client_id,
                Revocable::RefreshToken(&token),
                policy.as_ref(),
            )),
            Some((false, token)) => Some(oauth::revoke(
                &url,
                &client_id,
                Revocable::AccessToken(&token),
                policy.as_ref(),
            )),
            None => None,
        };
        match revoked {
            Some(Ok(())) => Revocation::Revoked,
            Some(Err(e)) => {
                tracing::warn!(connection = %record.id, error = %e, "revocation failed");
                Revocation::Failed
            }
            None => Revocation::Failed,
        }
    }

    /// The grant's refresh token (true), else its access token (false).
    fn sealed_token_for_revocation(
        &self,
        record: &ConnectionRecord,
    ) -> Option<(bool, sgen_vault::Secret)> {
        let (sealed, key) = self.sealed_credentials(&record.id).ok()?;
        if let Some(blob) = sealed.refresh_token_blob {
            if let Ok(fields) = key.open(Binding::refresh_token(&record.id), &blob) {
                return fields.get(REFRESH_TOKEN).cloned().map(|t| (true, t));
            }
        }
        let fields = key
            .open(
                Binding::credential(&record.id),
                sealed.credential_blob.as_deref()?,
            )
            .ok()?;
        fields.get(ACCESS_TOKEN).cloned().map(|t| (false, t))
    }
}
