//! The vendor of an offline replay: a server on 127.0.0.1 that answers each request with the
//! answer it is given for that attempt — a recorded status, headers and body, or for a
//! recorded timeout no answer until long after the replay's client gave up — and counts the
//! requests that reached it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;

/// One recorded answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RecordedAnswer {
    Answered {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// No answer in time: the vendor holds the request past the client's timeout.
    TimedOut,
    /// No answer at all (refused, reset): the request goes to a port nobody listens on.
    Unreachable,
}

#[derive(Default)]
struct Exchange {
    answer: Option<RecordedAnswer>,
    received: u32,
}

pub(crate) struct RecordedVendor {
    pub(crate) address: SocketAddr,
    exchange: Arc<Mutex<Exchange>>,
    server: tokio::task::JoinHandle<()>,
}

/// How long a recorded timeout is held: well past the replay client's timeout.
pub(crate) const HOLD: Duration = Duration::from_secs(3);

impl RecordedVendor {
    pub(crate) fn start(runtime: &Handle) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let exchange = Arc::new(Mutex::new(Exchange::default()));
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(exchange.clone());
        let _entered = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let server = runtime.spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "the replay's vendor stopped serving");
            }
        });
        Ok(RecordedVendor {
            address,
            exchange,
            server,
        })
    }

    /// The answer the next request gets.
    pub(crate) fn answer_next(&self, answer: RecordedAnswer) {
        self.exchange.lock().expect("exchange lock").answer = Some(answer);
    }

    /// How many requests reached the vendor.
    pub(crate) fn received(&self) -> u32 {
        self.exchange.lock().expect("exchange lock").received
    }
}

impl Drop for RecordedVendor {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn answer(State(exchange): State<Arc<Mutex<Exchange>>>, _body: Bytes) -> Response {
    // The body is read whole before answering, as a vendor does.
    let answer = {
        let mut exchange = exchange.lock().expect("exchange lock");
        exchange.received += 1;
        exchange.answer.clone()
    };
    match answer {
        Some(RecordedAnswer::Answered {
            status,
            headers,
            body,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response = (status, body).into_response();
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        Some(RecordedAnswer::TimedOut) => {
            tokio::time::sleep(HOLD).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        // Not sent here (the replay sends it to a closed port); an answer says so if it is.
        Some(RecordedAnswer::Unreachable) | None => StatusCode::MISDIRECTED_REQUEST.into_response(),
    }
}
