//! The core's one tokio runtime (ARCHITECTURE §8): the supervised background tasks run on it,
//! and so do the delivery worker's requests, with the async HTTP client whose pooled
//! connections live on it. It is started on first use (a CLI command that only reads never
//! starts it) and stopped with the core.

use crate::kernel::destination_policy::Allowance;
use crate::kernel::http::{self, Clients};
use crate::{CoreError, CoreResult};
use std::sync::OnceLock;
use tokio::runtime::{Handle, Runtime};

/// Threads that poll the runtime's tasks: the work on it waits on the network or hands SQLite
/// to the blocking pool, so two keep a 2-core machine busy.
const WORKER_THREADS: usize = 2;

#[derive(Default)]
pub(crate) struct CoreRuntime {
    started: OnceLock<Started>,
}

struct Started {
    runtime: Option<Runtime>,
    /// For delivery attempts, one per SSRF policy; a client's pooled connections belong to the
    /// runtime that opened them, so they are kept here rather than once per process.
    deliveries: Clients<Option<Allowance>, reqwest::Client>,
}

impl CoreRuntime {
    pub(crate) fn handle(&self) -> CoreResult<&Handle> {
        Ok(self
            .started()?
            .runtime
            .as_ref()
            .expect("kept until drop")
            .handle())
    }

    /// The client for delivery attempts under `policy`.
    pub(crate) fn delivery_client(
        &self,
        policy: Option<&Allowance>,
    ) -> CoreResult<reqwest::Client> {
        Ok(self
            .started()?
            .deliveries
            .get_or_make(&policy.cloned(), || {
                http::async_client(http::DELIVERY_TIMEOUT, policy)
            }))
    }

    fn started(&self) -> CoreResult<&Started> {
        if let Some(started) = self.started.get() {
            return Ok(started);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("sgen-core")
            .enable_all()
            .build()
            .map_err(|e| CoreError::Internal(format!("cannot start the core's runtime: {e}")))?;
        // Two threads racing here both build one; the loser's is dropped unused.
        let _ = self.started.set(Started {
            runtime: Some(runtime),
            deliveries: Clients::default(),
        });
        Ok(self.started.get().expect("set above"))
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // Dropping a runtime waits for its blocking tasks, and panics inside another runtime's
        // context; the core may be dropped from either. Its tasks were told to stop already.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
