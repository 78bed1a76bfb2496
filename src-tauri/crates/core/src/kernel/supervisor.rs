//! Background work with an owner (ARCHITECTURE §8): each task runs on the core's tokio runtime
//! under a supervisor that restarts it with backoff when it panics or fails, records that in
//! the status the app shows, and stops it through a cancellation token. Shutdown cancels every
//! task and waits, at most a bounded time, for them to finish what they were doing.

use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// The first wait before a failed task is started again; it doubles up to `MAX_BACKOFF`.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TaskState {
    Running,
    /// Waiting out its backoff after a failure.
    Restarting,
    Stopped,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Restarting => "restarting",
            TaskState::Stopped => "stopped",
        }
    }
}

/// How one background task is doing, for the app's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TaskStatus {
    pub name: String,
    pub state: TaskState,
    /// Times it failed and was started again.
    pub restarts: u32,
    /// What went wrong last, with its code (`task_panicked`, or the core error's code).
    pub last_failure: Option<String>,
}

/// One run of a task: it returns when its token is cancelled (Ok) or when it cannot go on
/// (Err, with a `code: message` line); a panic counts as a failure too.
pub type TaskRun = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// Told each time a task's status changes (the core publishes it as an event).
pub(crate) type OnChange = Arc<dyn Fn(&TaskStatus) + Send + Sync>;

/// The tasks on the core's runtime.
pub struct Supervisor {
    runtime: Handle,
    cancel: CancellationToken,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    status: Arc<Mutex<BTreeMap<String, TaskStatus>>>,
    first_backoff: Duration,
    on_change: OnChange,
}

impl Supervisor {
    pub(crate) fn new(runtime: Handle, first_backoff: Duration, on_change: OnChange) -> Self {
        Self {
            runtime,
            cancel: CancellationToken::new(),
            tasks: Mutex::new(Vec::new()),
            status: Arc::default(),
            first_backoff,
            on_change,
        }
    }

    /// The token every task watches; cancelled by `shutdown`.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Runs `start()` until it returns Ok, starting it again after each failure or panic.
    pub fn supervise(&self, name: &str, start: impl Fn() -> TaskRun + Send + Sync + 'static) {
        let (name, status, cancel) = (name.to_string(), self.status.clone(), self.cancel.clone());
        let (first_backoff, on_change) = (self.first_backoff, self.on_change.clone());
        let set = move |name: &str, change: &dyn Fn(&mut TaskStatus)| {
            let changed = {
                let mut all = status.lock().expect("task status");
                let entry = all.entry(name.to_string()).or_insert_with(|| TaskStatus {
                    name: name.to_string(),
                    state: TaskState::Running,
                    restarts: 0,
                    last_failure: None,
                });
                change(entry);
                entry.clone()
            };
            on_change(&changed);
        };
        set(&name, &|s| s.state = TaskState::Running);
        let supervisor = self.runtime.spawn(async move {
            let mut backoff = first_backoff;
            loop {
                let failure = match tokio::spawn(start()).await {
                    Ok(Ok(())) => break,
                    Ok(Err(failure)) => failure,
                    Err(joined) => format!("task_panicked: {}", panic_message(joined)),
                };
                tracing::error!(task = %name, failure = %failure, "background task failed; restarting");
                set(&name, &|s| {
                    s.state = TaskState::Restarting;
                    s.restarts += 1;
                    s.last_failure = Some(failure.clone());
                });
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                set(&name, &|s| s.state = TaskState::Running);
            }
            set(&name, &|s| s.state = TaskState::Stopped);
        });
        self.tasks.lock().expect("task list").push(supervisor);
    }

    pub fn status(&self) -> Vec<TaskStatus> {
        self.status
            .lock()
            .expect("task status")
            .values()
            .cloned()
            .collect()
    }

    /// Cancels every task and waits up to `within` for them to finish. Work a task could not
    /// finish in time is not lost: a delivery's lease runs out and it is attempted again, a
    /// refresh is simply due again.
    pub fn shutdown(self, within: Duration) -> Shutdown {
        self.cancel.cancel();
        let tasks = std::mem::take(&mut *self.tasks.lock().expect("task list"));
        let finished = self.runtime.block_on(async {
            tokio::time::timeout(within, async {
                for task in tasks {
                    let _ = task.await;
                }
            })
            .await
            .is_ok()
        });
        Shutdown {
            finished,
            tasks: self.status(),
        }
    }
}

/// How shutting down went: whether every task finished within the bound, and how each ended.
#[derive(Debug)]
pub struct Shutdown {
    pub finished: bool,
    pub tasks: Vec<TaskStatus>,
}

fn panic_message(joined: tokio::task::JoinError) -> String {
    match joined.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into()),
        Err(other) => other.to_string(),
    }
}

/// Runs `work` (SQLite, blocking HTTP) on tokio's blocking pool, never on a runtime worker; its
/// error or panic becomes the task's failure line.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::CoreResult<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("{}: {e}", e.code())),
        Err(joined) => Err(format!("task_panicked: {}", panic_message(joined))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn test_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_task_that_panics_is_restarted_and_the_status_says_so() {
        let runtime = test_runtime();
        let supervisor = Supervisor::new(
            runtime.handle().clone(),
            Duration::from_millis(10),
            Arc::new(|_| {}),
        );
        let runs = Arc::new(AtomicU32::new(0));
        let cancel = supervisor.cancellation();
        let counted = runs.clone();
        supervisor.supervise("flaky", move || {
            let (runs, cancel) = (counted.clone(), cancel.clone());
            Box::pin(async move {
                if runs.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("the first run breaks");
                }
                cancel.cancelled().await;
                Ok(())
            })
        });
        let restarted = |s: &[TaskStatus]| s[0].restarts == 1 && s[0].state == TaskState::Running;
        for _ in 0..500 {
            if restarted(&supervisor.status()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let status = supervisor.status();
        assert!(restarted(&status), "{status:?}");
        assert_eq!(
            status[0].last_failure.as_deref(),
            Some("task_panicked: the first run breaks")
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert!(supervisor.shutdown(Duration::from_secs(5)).finished);
    }

    #[test]
    fn a_failing_task_backs_off_and_shutdown_stops_it_while_it_waits() {
        let runtime = test_runtime();
        let supervisor = Supervisor::new(
            runtime.handle().clone(),
            Duration::from_secs(3600),
            Arc::new(|_| {}),
        );
        supervisor.supervise("broken", || {
            Box::pin(async { Err("database_busy: locked".into()) })
        });
        for _ in 0..500 {
            if supervisor.status()[0].state == TaskState::Restarting {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(supervisor.status()[0].state, TaskState::Restarting);
        // Waiting out an hour's backoff does not hold up shutdown.
        let shutdown = supervisor.shutdown(Duration::from_secs(5));
        assert!(shutdown.finished);
        assert_eq!(shutdown.tasks[0].state, TaskState::Stopped);
    }
}
