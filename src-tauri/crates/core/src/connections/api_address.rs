//! Where a connection's API calls go: the catalog's address, an override (a vendor instance, a
//! test server), or [`SANDBOX_ENDPOINT`], this process's sandbox vendor for the connector.

use crate::kernel::external_link::names_this_computer;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};

/// An API base override is [`SANDBOX_ENDPOINT`] or a URL; plain http only on loopback (test
/// servers), so a credential never crosses a network in clear text.
pub(crate) fn checked_api_base(text: Option<&str>) -> CoreResult<Option<String>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text == SANDBOX_ENDPOINT {
        return Ok(Some(text.to_string()));
    }
    let url =
        url::Url::parse(text).map_err(|_| CoreError::invalid(format!("`{text}` is not a URL")))?;
    match url.scheme() {
        "https" => Ok(Some(text.trim_end_matches('/').to_string())),
        "http" if names_this_computer(&url) => Ok(Some(text.trim_end_matches('/').to_string())),
        _ => Err(CoreError::invalid(
            "the API address must use https (plain http is allowed on this computer only)",
        )),
    }
}

impl Core {
    /// The API address a connection's calls go to: its override, the sandbox, or None for the
    /// manifest's own.
    pub(crate) fn api_base_for(
        &self,
        slug: &str,
        stored: Option<&str>,
    ) -> CoreResult<Option<String>> {
        match stored {
            Some(SANDBOX_ENDPOINT) => Ok(Some(self.sandbox_api_base(slug)?)),
            other => Ok(other.map(str::to_string)),
        }
    }
}
