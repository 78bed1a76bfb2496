//! The inbound listener (SPEC §7): `http://127.0.0.1:{port}/in/{connection}`, what a
//! forwarder (`stripe listen --forward-to`, a tunnel the operator runs) or a vendor reaches. A
//! request is refused when its `Host` is not this computer or a public address the operator
//! gave (so a web page cannot post to it through a DNS name that resolves here), and when its
//! body is larger than the limit — by its `Content-Length` before reading it, or as soon as a
//! chunked body passes it. An accepted request is answered only once its events are durably
//! committed; requests that arrive while one commit is flushing share the next (group commit),
//! so the flush, not the request count, bounds the rate.

use crate::inbound::receive::{Admission, Recorded};
use crate::inbound::verification::{InboundRequest, Rejection};
use crate::kernel::events::CoreEvent;
use crate::kernel::supervisor::{blocking, Supervisor};
use crate::settings::inbound_port::SETTING;
use crate::Core;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// The port the listener takes unless the operator set another: fixed, so a forwarder or a
/// tunnel is pointed at it once.
pub const DEFAULT_PORT: u16 = 47_615;
/// The largest body taken: vendors' events are far smaller (Stripe's are at most a few
/// hundred KiB).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Requests committed together at most; more wait for the next commit.
const GROUP_LIMIT: usize = 1_024;
/// Requests waiting for a commit at most; beyond it a request waits to be queued.
const QUEUE: usize = 8_192;

type Reply = Result<Recorded, (String, String)>;
type Pending = (Admission, oneshot::Sender<Reply>);

#[derive(Clone)]
struct Listening {
    core: Arc<Core>,
    commits: mpsc::Sender<Pending>,
}

impl Core {
    /// Serves the listener under `supervisor` until it shuts down: on `port` (0: any free
    /// port), or None for the operator's setting, moving when it changes. A port in use is a
    /// failure the supervisor retries and the window shows.
    pub fn start_inbound(self: &Arc<Self>, supervisor: &Supervisor, port: Option<u16>) {
        // A support workspace receives nothing: it is a copy, and the vendors send to the
        // customer's app.
        if !matches!(self.support_workspace(), Ok(None)) {
            return;
        }
        let (core, stop) = (self.clone(), supervisor.cancellation());
        supervisor.supervise("inbound listener", move || {
            let (core, stop) = (core.clone(), stop.clone());
            Box::pin(async move {
                loop {
                    let mut settings = core.subscribe();
                    let chosen = match port {
                        Some(port) => port,
                        None => {
                            let core = core.clone();
                            blocking(move || core.inbound_port()).await?
                        }
                    };
                    serve(&core, chosen, &stop, async move {
                        // Only the setting moves the listener; a fixed port never does.
                        if port.is_some() {
                            return std::future::pending().await;
                        }
                        loop {
                            match settings.recv().await {
                                Ok(CoreEvent::SettingsChanged { setting })
                                    if setting == SETTING =>
                                {
                                    return
                                }
                                // Missed events (a burst of others) say nothing of the port.
                                Ok(_) | Err(RecvError::Lagged(_)) => {}
                                Err(RecvError::Closed) => return std::future::pending().await,
                            }
                        }
                    })
                    .await?;
                    if stop.is_cancelled() {
                        return Ok(());
                    }
                }
            })
        });
    }

    /// Where the listener is serving, while it is.
    pub fn inbound_address(&self) -> Option<SocketAddr> {
        self.inbound.listening()
    }
}

/// Serves on `port` until `stop` is cancelled or `moved` completes; returns once the requests
/// under way are answered.
async fn serve(
    core: &Arc<Core>,
    port: u16,
    stop: &CancellationToken,
    moved: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| format!("inbound_port_unavailable: 127.0.0.1:{port}: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("inbound_listener_failed: {e}"))?;
    core.inbound.set_listening(Some(address));
    tracing::info!(%address, "inbound listener");
    let (commits, pending) = mpsc::channel(QUEUE);
    let committer = tokio::spawn(commit_groups(core.clone(), pending));
    let app = Router::new()
        .route("/in/{connection}", post(receive).put(receive).get(validate))
        .with_state(Listening {
            core: core.clone(),
            commits,
        });
    let stop = stop.clone();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = moved => {}
            }
        })
        .await;
    core.inbound.set_listening(None);
    // The router (and with it every sender) is gone: the committer finishes the requests
    // still queued, then ends.
    let _ = committer.await;
    served.map_err(|e| format!("inbound_listener_failed: {e}"))
}

/// Mailchimp (and others) check an address with a GET before they send events to it.
async fn validate(State(l): State<Listening>, Path(connection): Path<String>) -> StatusCode {
    let core = l.core.clone();
    match tokio::task::spawn_blocking(move || core.takes_events(&connection)).await {
        Ok(Ok(true)) => StatusCode::OK,
        Ok(Ok(false)) => StatusCode::NOT_FOUND,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn receive(
    State(l): State<Listening>,
    Path(connection): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let header_pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_string(), value)
        })
        .collect();
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let refuse_early = |body: &[u8], length: u64, rejection: Rejection| {
        let request = InboundRequest {
            method: method.as_str(),
            target,
            headers: &header_pairs,
            body,
        };
        Admission::refused(&connection, &request, length, rejection, l.core.now())
    };

    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let allowed = match l.core.inbound_host_allowed_from_memory(host) {
        Some(allowed) => allowed,
        None => {
            let (core, host) = (l.core.clone(), host.to_string());
            tokio::task::spawn_blocking(move || core.inbound_host_allowed(&host))
                .await
                .unwrap_or(false)
        }
    };
    let admission = if !allowed {
        refuse_early(b"", 0, Rejection::HostNotAllowed { host: host.into() })
    } else if let Some(length) = declared_length(&headers).filter(|&n| n > BODY_LIMIT as u64) {
        refuse_early(b"", length, too_large())
    } else {
        match axum::body::to_bytes(body, BODY_LIMIT).await {
            Err(_) => refuse_early(b"", BODY_LIMIT as u64 + 1, too_large()),
            Ok(bytes) => {
                match judged(&l.core, &connection, &method, target, header_pairs, bytes).await {
                    Ok(admission) => admission,
                    Err(unavailable) => return unavailable,
                }
            }
        }
    };
    let (reply, replied) = oneshot::channel();
    if l.commits.send((admission, reply)).await.is_err() {
        return unavailable("shutting_down", "the listener is stopping");
    }
    match replied.await {
        Ok(Ok(recorded)) => answer(recorded),
        Ok(Err((code, message))) => unavailable(&code, &message),
        Err(_) => unavailable("shutting_down", "the listener is stopping"),
    }
}

/// Judges a request that arrived whole: at once when what it is judged by is in memory,
/// otherwise on the blocking pool (reading it touches the database and the keyring).
async fn judged(
    core: &Arc<Core>,
    connection: &str,
    method: &Method,
    target: &str,
    headers: Vec<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Admission, Response> {
    let request = InboundRequest {
        method: method.as_str(),
        target,
        headers: &headers,
        body: &body,
    };
    if let Some(admission) = core.admit_from_memory(connection, &request) {
        return Ok(admission);
    }
    let (core, method) = (core.clone(), method.to_string());
    let (connection, target) = (connection.to_string(), target.to_string());
    let admitted = tokio::task::spawn_blocking(move || {
        let request = InboundRequest {
            method: &method,
            target: &target,
            headers: &headers,
            body: &body,
        };
        core.admit(&connection, &request)
    })
    .await;
    match admitted {
        Ok(Ok(admission)) => Ok(admission),
        Ok(Err(e)) => Err(unavailable(e.code(), &e.to_string())),
        Err(_) => Err(unavailable("internal", "the request could not be judged")),
    }
}

fn too_large() -> Rejection {
    Rejection::TooLarge {
        limit_bytes: BODY_LIMIT as u64,
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// 200 with the stored events, or the refusal's status with its step and why.
fn answer(recorded: Recorded) -> Response {
    match recorded {
        Recorded::Events(stored) => {
            let events: Vec<_> = stored
                .iter()
                .map(|s| serde_json::json!({ "id": s.id, "duplicate": s.duplicate }))
                .collect();
            (
                StatusCode::OK,
                Json(serde_json::json!({ "events": events })),
            )
                .into_response()
        }
        Recorded::Refused { seq, rejection } => {
            let status = match rejection {
                Rejection::UnknownConnection => StatusCode::NOT_FOUND,
                Rejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                Rejection::HostNotAllowed { .. } => StatusCode::MISDIRECTED_REQUEST,
                // Not known yet either way: the vendor is to send it again.
                Rejection::VendorUnreachable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            };
            let body = serde_json::json!({
                "rejected": seq,
                "message": rejection.to_string(),
                "rejection": rejection,
            });
            (status, Json(body)).into_response()
        }
    }
}

/// The app could not record the request: the vendor should send it again later.
fn unavailable(code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": code, "message": message });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// Takes what is queued, up to a limit, and records it in one transaction; repeats.
async fn commit_groups(core: Arc<Core>, mut pending: mpsc::Receiver<Pending>) {
    while let Some(first) = pending.recv().await {
        let mut group = vec![first];
        while group.len() < GROUP_LIMIT {
            match pending.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let (admissions, replies): (Vec<Admission>, Vec<oneshot::Sender<Reply>>) =
            group.into_iter().unzip();
        let core = core.clone();
        let recorded =
            tokio::task::spawn_blocking(move || core.record_admissions(&admissions)).await;
        match recorded {
            Ok(Ok(all)) => {
                for (reply, recorded) in replies.into_iter().zip(all) {
                    let _ = reply.send(Ok(recorded));
                }
            }
            failed => {
                let (code, message) = match failed {
                    Ok(Err(e)) => (e.code().to_string(), e.to_string()),
                    _ => ("internal".to_string(), "recording failed".to_string()),
                };
                tracing::error!(%code, %message, "inbound events not recorded; answered 503");
                for reply in replies {
                    let _ = reply.send(Err((code.clone(), message.clone())));
                }
            }
        }
    }
}
