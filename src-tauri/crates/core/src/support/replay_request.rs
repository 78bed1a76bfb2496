//! What an offline replay sends, and where: the recorded request, its body made anew by a
//! changed field mapping, and — for a changed API address (the connector's override) — its URL
//! moved to a server on this computer standing in for the vendor, with the connector's path
//! past its own base kept.

use crate::delivery::field_mapping::{self, ActionMapping};
use crate::kernel::external_link::names_this_computer;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReplayedRequest {
    pub method: String,
    /// The path and query, sent to the recorded answers; or the whole URL, sent to an
    /// overriding address.
    pub target: String,
    pub body: String,
    /// Whether it differs from the recorded one (a changed mapping or address).
    pub changed: bool,
    /// Whether it went to an overriding address rather than to the recorded answers.
    pub overridden: bool,
}

/// A changed API address: where the attempts go, and the address the recorded request was
/// made against (its path is kept from there on).
pub(crate) struct Override {
    base: reqwest::Url,
    recorded_base: Option<String>,
}

/// An override for a replay: an http(s) address on this computer. A vendor's own address
/// would send the customer's data (with a redacted credential) over the network.
fn local_api_base(text: &str) -> CoreResult<reqwest::Url> {
    let refused = || {
        CoreError::invalid(format!(
            "a replay stays on this computer: the API address must be an http(s) address on it (http://127.0.0.1:8080, http://localhost/api), not `{text}`"
        ))
    };
    let url = reqwest::Url::parse(text.trim()).map_err(|_| refused())?;
    match url.scheme() {
        "http" | "https" if names_this_computer(&url) => Ok(url),
        _ => Err(refused()),
    }
}

impl Core {
    /// The overriding address `text`, checked, and the address `connection_id`'s requests were
    /// made against.
    pub(crate) fn replay_override(&self, text: &str, connection_id: &str) -> CoreResult<Override> {
        Ok(Override {
            base: local_api_base(text)?,
            recorded_base: self.recorded_api_base(connection_id),
        })
    }

    /// The API address a connection's requests were made against: its own override (a URL),
    /// else its manifest's.
    fn recorded_api_base(&self, connection_id: &str) -> Option<String> {
        let record = self.record(connection_id).ok()?;
        record
            .base_url_override
            .filter(|base| base.starts_with("http"))
            .or_else(|| Some(self.catalog.get(&record.connector_type)?.api_base.clone()))
    }
}

/// The part of `url` past `base` (the path and query the connector added); the whole path
/// and query when `url` is not under `base`.
fn path_past_base(url: &reqwest::Url, base: Option<&str>) -> String {
    let whole = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    };
    let base = base.and_then(|b| reqwest::Url::parse(b).ok());
    match base {
        Some(base) if base.host() == url.host() => whole
            .strip_prefix(base.path().trim_end_matches('/'))
            .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            .map_or(whole.clone(), str::to_string),
        _ => whole,
    }
}

/// The request to send again: the recorded one, its body made anew by `mapping` and its
/// address changed by `address` if given.
pub(crate) fn replayed_request(
    recorded: &Value,
    mapping: Option<&ActionMapping>,
    address: Option<&Override>,
) -> CoreResult<ReplayedRequest> {
    let text = |key: &str| {
        recorded
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let url = reqwest::Url::parse(text("url"))
        .map_err(|_| CoreError::invalid("the recorded request has no usable URL"))?;
    let target = match address {
        None => path_past_base(&url, None),
        Some(Override {
            base,
            recorded_base,
        }) => format!(
            "{}{}",
            base.as_str().trim_end_matches('/'),
            path_past_base(&url, recorded_base.as_deref())
        ),
    };
    let recorded_body = text("body").to_string();
    let body = match mapping {
        None => recorded_body.clone(),
        Some(mapping) => {
            let source: Value = serde_json::from_str(&recorded_body).map_err(|_| {
                CoreError::invalid(
                    "the recorded request's body is not whole JSON (not JSON, or cut short): a mapping cannot read it",
                )
            })?;
            field_mapping::apply(mapping, &source)
                .map_err(CoreError::InvalidArgument)?
                .to_string()
        }
    };
    Ok(ReplayedRequest {
        method: text("method").to_string(),
        target,
        changed: body != recorded_body || address.is_some(),
        overridden: address.is_some(),
        body,
    })
}
