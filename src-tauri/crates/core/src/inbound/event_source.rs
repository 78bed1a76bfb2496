//! A connection's event source (SPEC §7): the secret its vendor signs events with, entered
//! once and sealed in the vault like every credential (and the one before it, while the vendor
//! rotates), and the public address the vendor was given, which HubSpot and Square sign. A
//! received request is verified against them by the connector's scheme.

use crate::access::{self, Target};
use crate::inbound::verification::{verify, InboundRequest, Rejection};
use crate::kernel::connection_state::Operation;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_catalog::{EventsApiStyle, SignatureScheme};
use sgen_store::{event_sources, inbound_cursors};
use sgen_vault::{Binding, Secret, SecretFields};
use ts_rs::TS;

/// The sealed blob's fields: the secret in use, and the one before it during a rotation.
const CURRENT: &str = "current";
const PREVIOUS: &str = "previous";

/// What the window and the CLI may know of an event source: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EventSourceInfo {
    pub connection_id: String,
    /// The manifest's verification scheme (`stripe_v1`, `url_secret`, …).
    pub scheme: String,
    pub public_url: Option<String>,
    /// 0 (events cannot be verified yet), 1, or 2 during a rotation.
    pub secrets_active: u32,
    /// How long the vendor's events API keeps events, where the app catches up from one;
    /// None: events arrive only pushed.
    pub catch_up_retention_days: Option<u32>,
    /// The last catch-up that finished, and why the last one failed, if it did.
    #[ts(type = "number | null")]
    pub caught_up_at: Option<i64>,
    pub catch_up_error: Option<String>,
}

impl Core {
    pub fn event_source(&self, connection_id: &str) -> CoreResult<EventSourceInfo> {
        let record = self.record(connection_id)?;
        let inbound = &self.manifest(&record.connector_type)?.inbound_events;
        let source = self.stored_source(connection_id)?;
        let cursor = self
            .store
            .read(|conn| Ok::<_, CoreError>(inbound_cursors::get(conn, connection_id)?))?
            .unwrap_or_default();
        let catch_up_retention_days = inbound
            .events_api
            .as_ref()
            .filter(|api| api.style == EventsApiStyle::StripeList)
            .map(|api| api.retention_days);
        Ok(EventSourceInfo {
            connection_id: connection_id.to_string(),
            scheme: inbound.signature.as_str().to_string(),
            public_url: source.public_url,
            secrets_active: source.secrets_active,
            catch_up_retention_days,
            caught_up_at: cursor.caught_up_at,
            catch_up_error: cursor.last_error,
        })
    }

    /// The vendor's signing secret for this connection's events. With `keep_previous`, the
    /// one in use so far stays valid beside it (the vendor is rotating); otherwise it goes.
    pub fn set_event_secret(
        &self,
        connection_id: &str,
        secret: Secret,
        keep_previous: bool,
    ) -> CoreResult<EventSourceInfo> {
        let operator = self.authorize(
            access::Operation::SetEventSecret,
            Target::Connection(connection_id),
        )?;
        let record = self.record(connection_id)?;
        let scheme = self
            .manifest(&record.connector_type)?
            .inbound_events
            .signature;
        check_secret(scheme, &secret)?;
        let site_id = self.site_of_environment(record.environment_id)?;
        // The site's key, made now if this is the site's first secret.
        let key = self.site_key(&site_id)?;
        let previous = match keep_previous {
            true => self.event_secrets(connection_id)?.into_iter().next(),
            false => None,
        };
        let mut fields = SecretFields::new().with(CURRENT, secret);
        if let Some(previous) = previous.clone() {
            fields = fields.with(PREVIOUS, previous);
        }
        let active = 1 + u32::from(previous.is_some());
        let sealed = key.seal(Binding::event_secrets(connection_id), &fields);
        let now = self.now();
        self.write(|tx| {
            key.still_current(tx)?;
            event_sources::set_secrets(tx, connection_id, &sealed, active, now)?;
            self.record_operation(
                tx,
                &record,
                None,
                Operation::succeeded(
                    &operator.id,
                    "event_source.secret",
                    serde_json::json!({ "secrets_active": active, "kept_previous": keep_previous }),
                    now,
                ),
            )?;
            Ok(())
        })?;
        // After the commit, so a request judged meanwhile cannot cache what it replaced.
        self.inbound.forget(connection_id);
        self.event_source(connection_id)
    }

    /// The public address the vendor sends this connection's events to, and signs (HubSpot,
    /// Square): https, as the vendor was given it; None forgets it.
    pub fn set_event_public_url(
        &self,
        connection_id: &str,
        public_url: Option<&str>,
    ) -> CoreResult<EventSourceInfo> {
        self.authorize(
            access::Operation::SetEventPublicUrl,
            Target::Connection(connection_id),
        )?;
        self.record(connection_id)?;
        if let Some(url) = public_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| CoreError::invalid(format!("the public address `{url}`: {e}")))?;
            if parsed.scheme() != "https" {
                return Err(CoreError::invalid(
                    "the public address must be https: vendors deliver events only there",
                ));
            }
        }
        let now = self.now();
        self.write(|tx| {
            Ok(event_sources::set_public_url(
                tx,
                connection_id,
                public_url,
                now,
            )?)
        })?;
        // After the commit, so a request judged meanwhile cannot cache what it replaced.
        self.inbound.forget(connection_id);
        self.event_source(connection_id)
    }

    /// Whether `request` is this connection's vendor's, by its scheme and secrets. The outer
    /// error is the app's (no such connection, the keyring locked); the inner one the
    /// request's, with the step that failed.
    pub fn verify_event(
        &self,
        connection_id: &str,
        request: &InboundRequest<'_>,
    ) -> CoreResult<Result<(), Rejection>> {
        let record = self.record(connection_id)?;
        let scheme = self
            .manifest(&record.connector_type)?
            .inbound_events
            .signature;
        let public_url = self
            .stored_source(connection_id)?
            .public_url
            .unwrap_or_default();
        let secrets = self.event_secrets(connection_id)?;
        Ok(verify(
            scheme,
            request,
            &public_url,
            &secrets,
            self.now() / 1000,
        ))
    }

    /// The stored row; an empty source when nothing was set yet.
    pub(super) fn stored_source(
        &self,
        connection_id: &str,
    ) -> CoreResult<event_sources::EventSource> {
        Ok(self
            .store
            .read(|conn| Ok::<_, CoreError>(event_sources::get(conn, connection_id)?))?
            .unwrap_or_default())
    }

    /// The active secrets, newest first.
    pub(super) fn event_secrets(&self, connection_id: &str) -> CoreResult<Vec<Secret>> {
        let record = self.record(connection_id)?;
        let site_id = self.site_of_environment(record.environment_id)?;
        let (source, key) = self.with_site_key(&site_id, |conn| {
            Ok(event_sources::get(conn, connection_id)?.unwrap_or_default())
        })?;
        let Some(blob) = source.sealed_secrets else {
            return Ok(Vec::new());
        };
        let key = key.ok_or(sgen_vault::VaultError::KeyMissing)?;
        let fields = key.open(Binding::event_secrets(connection_id), &blob)?;
        Ok([CURRENT, PREVIOUS]
            .iter()
            .filter_map(|name| fields.get(name).cloned())
            .collect())
    }
}

/// A secret the scheme can use, so a paste of the wrong thing is refused now rather than
/// every event being rejected later.
fn check_secret(scheme: SignatureScheme, secret: &Secret) -> CoreResult<()> {
    let value = secret.expose();
    let wrong = |what: &str| Err(CoreError::invalid(format!("that is not {what}")));
    match scheme {
        SignatureScheme::None => Err(CoreError::invalid(
            "this connector's vendor sends no events",
        )),
        // What PayPal's dashboard shows for the webhook, e.g. `8PT597110X687430LKGECATA`.
        SignatureScheme::PaypalVerifyApi
            if !(8..=64).contains(&value.len())
                || !value.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            wrong("a PayPal webhook ID (the letters and digits PayPal shows for the webhook)")
        }
        _ if value.trim().is_empty() || value.len() > 1024 => {
            wrong("a signing secret (1 to 1,024 characters)")
        }
        SignatureScheme::StripeV1 if !value.starts_with("whsec_") => {
            wrong("a Stripe signing secret (`whsec_…`)")
        }
        SignatureScheme::StandardWebhooks if standardwebhooks::Webhook::new(value).is_err() => {
            wrong("a Standard Webhooks secret (`whsec_` and base64)")
        }
        SignatureScheme::BasicAuth if !value.contains(':') => {
            wrong("HTTP Basic credentials (`user:password`)")
        }
        _ => Ok(()),
    }
}
