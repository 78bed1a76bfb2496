//! Receiving a request (SPEC §7): judged on its raw bytes by the connection's scheme, then
//! read for its events, then recorded — the events once each by their key, or the refused
//! request with the step that failed. Judging needs no write, so it runs beside other
//! requests; recording takes many requests' results in one transaction (the listener's group
//! commit), and a request is answered only after that transaction is durable.

use crate::inbound::extraction::{extract, Extracted};
use crate::inbound::verification::{signed_at, verify, InboundRequest, Rejection};
use crate::kernel::events::CoreEvent;
use crate::kernel::ids::sequential_id;
use crate::kernel::redaction;
use crate::{Core, CoreError, CoreResult};
use sgen_catalog::{InboundEvents, SignatureScheme};
use sgen_store::inbound_events::{self, NewInboundEvent, Stored};
use sgen_store::inbound_rejections::{self, NewRejection};
use sgen_vault::Secret;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A refused request's body is kept up to this much.
pub const KEPT_BODY: usize = 64 * 1024;
/// A connection's source is read again after this long, so a disconnect or a changed secret
/// applies within it even when it was made by another path than this core's own setters.
const SOURCE_FRESH_FOR: Duration = Duration::from_secs(2);

/// What a connection's events are judged by, read once and kept briefly.
pub(crate) struct Source {
    environment_id: i64,
    scheme: SignatureScheme,
    spec: InboundEvents,
    public_url: String,
    secrets: Vec<Secret>,
}

/// When a source was read, and what it was (None: no such connection).
type Cached = (Instant, Option<Arc<Source>>);

#[derive(Default)]
pub(crate) struct SourceCache {
    entries: Mutex<HashMap<String, Cached>>,
}

impl SourceCache {
    pub(crate) fn forget(&self, connection_id: &str) {
        self.entries
            .lock()
            .expect("source cache")
            .remove(connection_id);
    }
}

/// A request judged, ready to be recorded.
pub struct Admission {
    connection_id: String,
    environment_id: Option<i64>,
    received_at: i64,
    verdict: Verdict,
}

enum Verdict {
    Accepted {
        events: Vec<Extracted>,
        verified_by: &'static str,
        signed_at: Option<i64>,
        headers: String,
    },
    Refused {
        rejection: Rejection,
        method: String,
        target: String,
        headers: String,
        body: Vec<u8>,
        body_length: u64,
    },
}

impl Admission {
    /// A request refused before it could be judged (too large, sent to another host).
    pub fn refused(
        connection_id: &str,
        request: &InboundRequest<'_>,
        body_length: u64,
        rejection: Rejection,
        received_at: i64,
    ) -> Self {
        Admission {
            connection_id: connection_id.to_string(),
            environment_id: None,
            received_at,
            verdict: refusal(request, body_length, rejection, false),
        }
    }

    pub fn rejection(&self) -> Option<&Rejection> {
        match &self.verdict {
            Verdict::Refused { rejection, .. } => Some(rejection),
            Verdict::Accepted { .. } => None,
        }
    }
}

fn refusal(
    request: &InboundRequest<'_>,
    body_length: u64,
    rejection: Rejection,
    body_token: bool,
) -> Verdict {
    let kept = &request.body[..request.body.len().min(KEPT_BODY)];
    Verdict::Refused {
        rejection,
        method: request.method.to_string(),
        target: redaction::target(request.target),
        headers: redaction::headers_json(request.headers),
        body: match body_token {
            true => redaction::body_token(kept),
            false => kept.to_vec(),
        },
        body_length,
    }
}

/// What became of a recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Events(Vec<Stored>),
    Refused { seq: i64, rejection: Rejection },
}

impl Core {
    /// Judges `request`, sent to `/in/{connection_id}`: the app's failures (the keyring
    /// locked) are errors, the request's are a refused admission.
    pub fn admit(
        &self,
        connection_id: &str,
        request: &InboundRequest<'_>,
    ) -> CoreResult<Admission> {
        self.admit_at(connection_id, request, self.now())
    }

    /// Judges `request` as of `received_at` (a refused request checked again is judged as of
    /// when it arrived).
    pub(crate) fn admit_at(
        &self,
        connection_id: &str,
        request: &InboundRequest<'_>,
        received_at: i64,
    ) -> CoreResult<Admission> {
        let source = self.inbound_source(connection_id)?;
        Ok(judge(
            connection_id,
            source,
            request,
            received_at,
            |source| match source.scheme {
                SignatureScheme::PaypalVerifyApi => {
                    self.paypal_check(connection_id, request, &source.secrets)
                }
                _ => verify_in_memory(source, request, received_at),
            },
        ))
    }

    /// Judges `request` now if what it is judged by is in memory: pure computation, which the
    /// listener runs on its own threads; None when it must be read first (the database and
    /// the keyring block), which the listener does on the blocking pool with `admit`.
    pub fn admit_from_memory(
        &self,
        connection_id: &str,
        request: &InboundRequest<'_>,
    ) -> Option<Admission> {
        let source = self.cached_source(connection_id)?;
        // PayPal's are judged by PayPal's API: a network call, made on the blocking pool.
        if source
            .as_ref()
            .is_some_and(|s| s.scheme == SignatureScheme::PaypalVerifyApi)
        {
            return None;
        }
        let now = self.now();
        Some(judge(connection_id, source, request, now, |source| {
            verify_in_memory(source, request, now)
        }))
    }

    fn cached_source(&self, connection_id: &str) -> Option<Option<Arc<Source>>> {
        let entries = self.inbound.sources.entries.lock().expect("source cache");
        let (read_at, source) = entries.get(connection_id)?;
        (read_at.elapsed() < SOURCE_FRESH_FOR).then(|| source.clone())
    }

    /// Records judged requests in one transaction (a group commit): accepted events once each
    /// by key, refused requests with their step. The results are in `admissions`' order.
    pub fn record_admissions(&self, admissions: &[Admission]) -> CoreResult<Vec<Recorded>> {
        self.write(|tx| {
            let recorded: Vec<Recorded> = admissions
                .iter()
                .map(|admission| record(tx, admission))
                .collect::<CoreResult<_>>()?;
            let (mut events, mut duplicates, mut refused) = (0, 0, 0);
            for outcome in &recorded {
                match outcome {
                    Recorded::Events(stored) => {
                        for s in stored {
                            match s.duplicate {
                                true => duplicates += 1,
                                false => events += 1,
                            }
                        }
                    }
                    Recorded::Refused { .. } => refused += 1,
                }
            }
            tx.publish(CoreEvent::InboundRecorded {
                events,
                duplicates,
                refused,
            });
            Ok(recorded)
        })
    }

    /// The connection's source, or None when the path names no connection that takes events.
    fn inbound_source(&self, connection_id: &str) -> CoreResult<Option<Arc<Source>>> {
        let cache = &self.inbound.sources;
        if let Some((read_at, source)) = cache
            .entries
            .lock()
            .expect("source cache")
            .get(connection_id)
        {
            if read_at.elapsed() < SOURCE_FRESH_FOR {
                return Ok(source.clone());
            }
        }
        let source = match self.record(connection_id) {
            Ok(record) => {
                let spec = self
                    .manifest(&record.connector_type)?
                    .inbound_events
                    .clone();
                let stored = self.stored_source(connection_id)?;
                let secrets = match stored.secrets_active {
                    0 => Vec::new(),
                    _ => self.event_secrets(connection_id)?,
                };
                Some(Arc::new(Source {
                    environment_id: record.environment_id,
                    scheme: spec.signature,
                    spec,
                    public_url: stored.public_url.unwrap_or_default(),
                    secrets,
                }))
            }
            Err(CoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        cache
            .entries
            .lock()
            .expect("source cache")
            .insert(connection_id.to_string(), (Instant::now(), source.clone()));
        Ok(source)
    }
}

/// Verification by the source's scheme and secrets alone.
fn verify_in_memory(
    source: &Source,
    request: &InboundRequest<'_>,
    received_at: i64,
) -> Result<(), Rejection> {
    verify(
        source.scheme,
        request,
        &source.public_url,
        &source.secrets,
        received_at / 1000,
    )
}

/// A request judged by its connection's source (None: the path names no connection), verified
/// by `verified`.
fn judge(
    connection_id: &str,
    source: Option<Arc<Source>>,
    request: &InboundRequest<'_>,
    received_at: i64,
    verified: impl FnOnce(&Source) -> Result<(), Rejection>,
) -> Admission {
    let body_length = request.body.len() as u64;
    let Some(source) = source else {
        return Admission::refused(
            connection_id,
            request,
            body_length,
            Rejection::UnknownConnection,
            received_at,
        );
    };
    let body_token = source.scheme == SignatureScheme::BodyToken;
    let judged = verified(&source).and_then(|()| extract(&source.spec, request));
    let verdict = match judged {
        Ok(mut events) => {
            if body_token {
                for event in &mut events {
                    event.payload = redaction::body_token(&event.payload);
                }
            }
            Verdict::Accepted {
                events,
                verified_by: source.scheme.as_str(),
                signed_at: signed_at(source.scheme, request).map(|s| s * 1000),
                headers: redaction::headers_json(request.headers),
            }
        }
        Err(rejection) => refusal(request, body_length, rejection, body_token),
    };
    Admission {
        connection_id: connection_id.to_string(),
        environment_id: Some(source.environment_id),
        received_at,
        verdict,
    }
}

fn record(tx: &crate::kernel::write::Tx<'_, '_>, admission: &Admission) -> CoreResult<Recorded> {
    match &admission.verdict {
        Verdict::Accepted {
            events,
            verified_by,
            signed_at,
            headers,
        } => {
            let environment_id = admission
                .environment_id
                .expect("an accepted request's connection was found");
            let mut stored = Vec::with_capacity(events.len());
            for event in events {
                // Made under the writer's lock, so ids sort in the order events were stored.
                let id = sequential_id("ine", admission.received_at);
                stored.push(inbound_events::insert(
                    tx,
                    &NewInboundEvent {
                        id: &id,
                        environment_id,
                        connection_id: &admission.connection_id,
                        dedupe_key: &event.dedupe_key,
                        vendor_event_id: event.vendor_event_id.as_deref(),
                        event_type: &event.event_type,
                        arrival: "pushed",
                        verified_by,
                        received_at: admission.received_at,
                        signed_at: *signed_at,
                        headers,
                        payload: &event.payload,
                    },
                )?);
            }
            Ok(Recorded::Events(stored))
        }
        Verdict::Refused {
            rejection,
            method,
            target,
            headers,
            body,
            body_length,
        } => {
            let json = serde_json::to_string(rejection).expect("a rejection serializes");
            let seq = inbound_rejections::insert(
                tx,
                &NewRejection {
                    connection_id: &admission.connection_id,
                    environment_id: admission.environment_id,
                    received_at: admission.received_at,
                    rejection: &json,
                    method,
                    target,
                    headers,
                    body,
                    body_length: *body_length,
                },
            )?;
            Ok(Recorded::Refused {
                seq,
                rejection: rejection.clone(),
            })
        }
    }
}
