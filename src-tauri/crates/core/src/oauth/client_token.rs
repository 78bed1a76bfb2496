//! Client-credentials connections (RFC 6749 §4.4, PayPal): the operator gives the app's client
//! id and secret; the app fetches an access token with them, tests it, and keeps all three
//! sealed. When the token is due, it simply fetches another (there is no refresh token).

use crate::kernel::vendor_http::ACCESS_TOKEN;
use crate::oauth::{self, Tokens};
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_catalog::Manifest;
use sgen_vault::SecretFields;

const CLIENT_ID: &str = "client_id";
const CLIENT_SECRET: &str = "client_secret";

impl Core {
    /// A fresh access token for the client in `fields`, added to them.
    pub(crate) fn fetch_client_token(
        &self,
        manifest: &Manifest,
        api_base: Option<&str>,
        fields: &SecretFields,
    ) -> CoreResult<(SecretFields, Tokens)> {
        let token_url = if api_base == Some(SANDBOX_ENDPOINT) {
            self.sandbox_oauth(&manifest.slug)?.token_url
        } else {
            manifest
                .client_credentials
                .as_ref()
                .map(|c| c.token_url.clone())
                .ok_or_else(|| {
                    CoreError::Internal(format!(
                        "{} has no client-credentials token URL",
                        manifest.slug
                    ))
                })?
        };
        let (Some(id), Some(secret)) = (fields.get(CLIENT_ID), fields.get(CLIENT_SECRET)) else {
            return Err(CoreError::invalid("the client id and secret are required"));
        };
        // The catalog's token URL or the sandbox's, never one an operator typed: no SSRF
        // policy to apply.
        let tokens = oauth::client_credentials(&token_url, id.expose(), secret, None)
            .map_err(|e| CoreError::TokenEndpoint(e.to_string()))?;
        let with_token = fields
            .clone()
            .with(ACCESS_TOKEN, tokens.access_token.clone());
        Ok((with_token, tokens))
    }
}
