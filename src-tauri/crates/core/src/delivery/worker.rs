//! The delivery worker (SPEC §6): a claimer leases due deliveries from the outbox in small
//! batches, a dispatcher sends them side by side as async requests on the core's runtime, and
//! the calling thread records their results a batch per transaction as they arrive. Results are
//! committed in groups because a commit's flush costs more than a loopback delivery; they are
//! committed as soon as they are ready, so a slow vendor never holds back what faster ones
//! answered. A connection has at most `PER_CONNECTION` requests in flight, and that cap, not a
//! thread count, bounds what slow vendors take: fifty connections answering in two seconds each
//! get four hundred requests in flight. A worker that dies before a commit leaves leases that
//! run out, and each of those deliveries is attempted again with the same id (see the crash
//! tests).

use crate::delivery::attempt::{Destination, Tried};
use crate::kernel::vendor_http::DELIVERY_TIMEOUT;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::outbox::{self, Claimed};
use std::collections::{HashMap, VecDeque};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use ts_rs::TS;

/// Deliveries one bounded run attempts at most (the CLI's `deliveries run`, tests).
pub const DELIVERIES_PER_PASS: u32 = 200;
/// Requests in flight to one connection at once: enough to keep a fast vendor busy, few enough
/// that a slow or failing one holds little.
const PER_CONNECTION: usize = 8;
/// Requests in flight at once across all connections: a bound on open sockets and memory (each
/// request holds a socket here and, in the demo, one in the sandbox vendor), far above what the
/// per-connection cap lets a few connections use.
const MAX_IN_FLIGHT: usize = 512;
/// Deliveries leased per claim, and at most this many times four waiting in the worker.
const CLAIM_BATCH: u32 = 128;
/// Results recorded per transaction at most, and how long the first waits for company.
const COMMIT_BATCH: usize = 256;
const COMMIT_WAIT: Duration = Duration::from_millis(10);
/// Longer than an attempt may take plus its wait in the worker, so a live worker never loses
/// a lease: a delivery whose lease is too close to its end is left for the next claim.
pub(crate) const LEASE_MS: i64 = 4 * DELIVERY_TIMEOUT.as_millis() as i64;
const LEASE_MARGIN_MS: i64 = 2 * DELIVERY_TIMEOUT.as_millis() as i64;

/// What a run of the worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WorkerReport {
    pub attempted: u32,
    pub delivered: u32,
    pub retrying: u32,
    pub dead_lettered: u32,
    /// The destination answered 410 Gone.
    pub gone: u32,
}

impl WorkerReport {
    pub(crate) fn add(&mut self, other: &WorkerReport) {
        self.attempted += other.attempted;
        self.delivered += other.delivered;
        self.retrying += other.retrying;
        self.dead_lettered += other.dead_lettered;
        self.gone += other.gone;
    }
}

/// How long a run goes on.
enum Until<'a> {
    /// Until `n` deliveries were leased, or none is due.
    Claimed(u32),
    /// Until `keep_going` says stop; when nothing is due, waits for the bell up to `idle`.
    Stopped {
        idle: Duration,
        keep_going: &'a (dyn Fn() -> bool + Sync),
    },
}

/// A leased delivery waiting to be sent, with its connection's destination.
struct Work<'c> {
    claimed: Claimed,
    destination: Arc<CoreResult<Destination<'c>>>,
    lease_ends: i64,
}

/// What the claimer and the dispatcher of one run share.
struct Run<'c, 'u> {
    waiting: Mutex<Waiting<'c>>,
    /// Wakes the claimer: a connection freed a slot, or the run ends.
    slot_freed: Condvar,
    /// Wakes the dispatcher: work was added, or the run ends.
    work_added: Notify,
    until: Until<'u>,
}

#[derive(Default)]
struct Waiting<'c> {
    /// Leased deliveries by connection, and the connections that have some, in turn.
    work: HashMap<String, VecDeque<Work<'c>>>,
    turn: VecDeque<String>,
    queued: usize,
    in_flight: HashMap<String, usize>,
    claimed: u32,
    /// The last claim found nothing due.
    drained: bool,
    /// A slot was freed since the claimer last looked (so its wake-up is not lost while it
    /// claims).
    slot_freed: bool,
    /// The run is over: bounded and nothing left, told to stop, or recording failed.
    over: bool,
}

impl Run<'_, '_> {
    /// Marks the run over if it was told to stop; whether it is over.
    fn over(&self, w: &mut Waiting<'_>) -> bool {
        if let Until::Stopped { keep_going, .. } = self.until {
            if !w.over && !keep_going() {
                self.end(w);
            }
        }
        w.over
    }

    fn end(&self, w: &mut Waiting<'_>) {
        w.over = true;
        self.slot_freed.notify_all();
        self.work_added.notify_one();
    }
}

/// What a claim came to.
enum Refill {
    Added,
    /// Nothing to claim until the dispatcher frees a connection's slot.
    Wait,
    /// Nothing claimed this time; look again.
    Again,
}

/// How long an idle claimer or dispatcher waits before looking again (it is woken sooner by
/// any change); also how soon either notices it was told to stop.
const NAP: Duration = Duration::from_millis(250);

impl Core {
    /// Attempts up to `limit` due deliveries, then returns what happened to them.
    pub fn deliver_due(&self, limit: u32) -> CoreResult<WorkerReport> {
        self.run_worker(Until::Claimed(limit))
    }

    /// The app's delivery worker: runs until `keep_going` says stop, attempting deliveries as
    /// they come due. A queued event wakes it at once; otherwise it looks every `idle`.
    pub fn deliver_continuously(
        &self,
        idle: Duration,
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> CoreResult<WorkerReport> {
        self.run_worker(Until::Stopped { idle, keep_going })
    }

    /// Attempts a delivery the caller leased (an operator's "send now" or "retry now"), so
    /// the answer is about that delivery; nothing when it could not be leased (paused).
    pub(crate) fn attempt_leased(&self, leased: Option<Claimed>) -> CoreResult<WorkerReport> {
        let Some(claimed) = leased else {
            return Ok(WorkerReport::default());
        };
        let destination = self.open_destination(&claimed.connection_id);
        let tried = self.try_once(&claimed, &destination);
        fail::fail_point!("delivery.after_answer");
        self.record_batch(std::slice::from_ref(&claimed), &[tried])
    }

    fn run_worker(&self, until: Until<'_>) -> CoreResult<WorkerReport> {
        let runtime = self.runtime.handle()?;
        let run = Run {
            waiting: Mutex::new(Waiting::default()),
            slot_freed: Condvar::new(),
            work_added: Notify::new(),
            until,
        };
        let (results, arrived) = mpsc::channel::<(Claimed, Tried)>();
        std::thread::scope(|scope| {
            let run = &run;
            scope.spawn(move || self.claim_until_over(run));
            scope.spawn(move || runtime.block_on(self.dispatch(run, results)));
            let recorded = self.record_as_they_arrive(&arrived);
            if recorded.is_err() {
                run.end(&mut lock(&run.waiting));
                // The requests in flight finish; those results are not recorded and their
                // leases run out, so the deliveries are attempted again.
                while arrived.recv().is_ok() {}
            }
            recorded
        })
        .and_then(|round| {
            // Deliveries leased but not attempted (the run was told to stop) are due again
            // now rather than when their leases would run out.
            let left: Vec<String> = lock(&run.waiting)
                .work
                .values()
                .flatten()
                .map(|w| w.claimed.delivery_id.clone())
                .collect();
            if !left.is_empty() {
                self.store
                    .write(|tx| Ok::<_, CoreError>(outbox::release(tx, &left)?))?;
            }
            Ok(round)
        })
    }

    /// The calling thread's part: record results in batches until the dispatcher is done.
    fn record_as_they_arrive(
        &self,
        arrived: &mpsc::Receiver<(Claimed, Tried)>,
    ) -> CoreResult<WorkerReport> {
        let mut round = WorkerReport::default();
        while let Ok(first) = arrived.recv() {
            let mut batch = vec![first];
            let deadline = Instant::now() + COMMIT_WAIT;
            while batch.len() < COMMIT_BATCH {
                match arrived.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(more) => batch.push(more),
                    Err(_) => break,
                }
            }
            // The vendors have these deliveries; a crash here leaves them leased but
            // unrecorded, to be attempted again with the same ids.
            fail::fail_point!("delivery.after_answer");
            let (claimed, tried): (Vec<Claimed>, Vec<Tried>) = batch.into_iter().unzip();
            round.add(&self.record_batch(&claimed, &tried)?);
        }
        Ok(round)
    }

    /// The claimer's thread (SQLite and opening credentials block, so not on the runtime):
    /// keeps the run supplied with leased deliveries until it is over.
    fn claim_until_over<'c>(&'c self, run: &Run<'c, '_>) {
        loop {
            if run.over(&mut lock(&run.waiting)) {
                return;
            }
            match self.refill(run) {
                Refill::Added => run.work_added.notify_one(),
                Refill::Wait => {
                    let w = lock(&run.waiting);
                    let _ = run
                        .slot_freed
                        .wait_timeout_while(w, NAP, |w| !w.slot_freed && !w.over);
                }
                Refill::Again => {}
            }
        }
    }

    /// The dispatcher, on the core's runtime: starts every waiting delivery whose connection
    /// has room, hands each answer to the recorder, and once the run is over, finishes the
    /// requests in flight (a request is never abandoned half way).
    async fn dispatch<'c>(&'c self, run: &Run<'c, '_>, results: mpsc::Sender<(Claimed, Tried)>) {
        let mut sending = JoinSet::new();
        let mut in_flight: HashMap<tokio::task::Id, (Work<'c>, Instant, serde_json::Value)> =
            HashMap::new();
        loop {
            let (starting, over) = {
                let mut w = lock(&run.waiting);
                let over = run.over(&mut w);
                let mut starting = Vec::new();
                while !over && in_flight.len() + starting.len() < MAX_IN_FLIGHT {
                    match take_next(&mut w) {
                        Some(work) => starting.push(work),
                        None => break,
                    }
                }
                (starting, over)
            };
            if over && in_flight.is_empty() {
                return;
            }
            for work in starting {
                // A delivery that waited too long may soon be leased again by another worker:
                // leave it to that claim rather than risk two attempts at once.
                if self.now() >= work.lease_ends - LEASE_MARGIN_MS {
                    self.free_slot(run, &work);
                    continue;
                }
                let started = Instant::now();
                match self.attempt_async(&work.claimed, &work.destination) {
                    Ok((attempt, request)) => {
                        let id = sending.spawn(attempt).id();
                        in_flight.insert(id, (work, started, request));
                    }
                    Err(ours) => {
                        let tried = self.tried(Err(ours), started.elapsed(), None);
                        let _ = results.send((work.claimed.clone(), tried));
                        self.free_slot(run, &work);
                    }
                }
            }
            tokio::select! {
                Some(done) = sending.join_next_with_id(), if !in_flight.is_empty() => {
                    let (id, sent) = match done {
                        Ok((id, answer)) => (id, Ok(answer)),
                        Err(joined) => (joined.id(), Err(format!("task_panicked: {joined}"))),
                    };
                    if let Some((work, started, request)) = in_flight.remove(&id) {
                        let tried = self.tried(sent, started.elapsed(), Some(request));
                        // Nowhere to go only once recording failed; the lease runs out.
                        let _ = results.send((work.claimed.clone(), tried));
                        self.free_slot(run, &work);
                    }
                }
                _ = run.work_added.notified() => {}
                _ = tokio::time::sleep(NAP) => {}
            }
        }
    }

    /// A delivery of `work`'s connection is no longer in flight: its slot is free, and the
    /// claimer may have room to claim.
    fn free_slot(&self, run: &Run<'_, '_>, work: &Work<'_>) {
        let mut w = lock(&run.waiting);
        if let Some(n) = w.in_flight.get_mut(&work.claimed.connection_id) {
            *n -= 1;
        }
        w.slot_freed = true;
        run.slot_freed.notify_one();
    }

    /// Claims due deliveries for the run, or decides there is nothing to claim.
    fn refill<'c>(&'c self, run: &Run<'c, '_>) -> Refill {
        let (queued, open_queued, claimed, drained, full) = {
            let mut w = lock(&run.waiting);
            w.slot_freed = false;
            // A connection with a batch waiting already gets no more until it is worked off,
            // so a slow one cannot fill the worker with deliveries it is too slow to take.
            let full: Vec<String> = w
                .work
                .iter()
                .filter(|(_, q)| q.len() >= CLAIM_BATCH as usize)
                .map(|(c, _)| c.clone())
                .collect();
            let held_by_full: usize = full.iter().map(|c| w.work[c].len()).sum();
            (
                w.queued,
                w.queued - held_by_full,
                w.claimed,
                w.drained,
                full,
            )
        };
        let room = match run.until {
            Until::Claimed(limit) => limit.saturating_sub(claimed).min(CLAIM_BATCH),
            Until::Stopped { .. } => CLAIM_BATCH,
        };
        if room == 0 || drained || open_queued >= 4 * CLAIM_BATCH as usize {
            // A bounded run with nothing left waiting is over once its requests are answered.
            if queued == 0 && matches!(run.until, Until::Claimed(_)) {
                run.end(&mut lock(&run.waiting));
            }
            return Refill::Wait;
        }
        let now = self.now();
        let batch = match self
            .store
            .write(|tx| Ok::<_, CoreError>(outbox::claim(tx, now, LEASE_MS, room, &full)?))
        {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "claiming due deliveries failed");
                return Refill::Wait;
            }
        };
        if batch.is_empty() && !full.is_empty() {
            // Only the full connections have deliveries due: work those off first.
            return Refill::Wait;
        }
        if batch.is_empty() {
            match run.until {
                Until::Claimed(_) => lock(&run.waiting).drained = true,
                // Nothing due: sleep until an event is queued or retries may have come due.
                Until::Stopped { idle, .. } if queued == 0 => self.delivery.bell.wait(idle),
                Until::Stopped { .. } => return Refill::Wait,
            }
            return Refill::Again;
        }
        let mut destinations: HashMap<String, Arc<CoreResult<Destination<'c>>>> = HashMap::new();
        let mut work = Vec::with_capacity(batch.len());
        for claimed in batch {
            let destination = destinations
                .entry(claimed.connection_id.clone())
                .or_insert_with(|| Arc::new(self.open_destination(&claimed.connection_id)))
                .clone();
            work.push(Work {
                claimed,
                destination,
                lease_ends: now + LEASE_MS,
            });
        }
        let mut w = lock(&run.waiting);
        w.claimed += work.len() as u32;
        w.queued += work.len();
        for item in work {
            let connection = item.claimed.connection_id.clone();
            let queue = w.work.entry(connection.clone()).or_default();
            queue.push_back(item);
            if queue.len() == 1 {
                w.turn.push_back(connection);
            }
        }
        Refill::Added
    }
}

fn lock<'a, 'c>(waiting: &'a Mutex<Waiting<'c>>) -> MutexGuard<'a, Waiting<'c>> {
    waiting.lock().unwrap_or_else(|p| p.into_inner())
}

/// The next waiting delivery of the first connection, in turn, that has room; marked in
/// flight, and its connection sent to the back of the turn.
fn take_next<'c>(w: &mut Waiting<'c>) -> Option<Work<'c>> {
    let in_flight = &w.in_flight;
    let index = w.turn.iter().position(|connection| {
        in_flight
            .get(connection)
            .is_none_or(|n| *n < PER_CONNECTION)
    })?;
    let connection = w.turn.remove(index)?;
    let queue = w.work.get_mut(&connection)?;
    let work = queue.pop_front()?;
    if queue.is_empty() {
        w.work.remove(&connection);
    } else {
        w.turn.push_back(connection.clone());
    }
    w.queued -= 1;
    *w.in_flight.entry(connection).or_default() += 1;
    Some(work)
}
