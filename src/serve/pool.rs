//! Threads for query evaluation that are reused from one query to the next.
//!
//! Each SPARQL query runs on a thread of its own so that the handler can answer 503 at the
//! deadline while the query is still being cancelled. Spawning and tearing down a thread per
//! query cost a quarter of the server's time under load (`clone3`, and `madvise` with TLB
//! shootdowns when the stack is freed), so finished threads wait here for the next query. The
//! pool is not bounded: a query never waits for a thread, so slow queries cannot starve quick
//! ones (the connection limit bounds the number of threads). A thread idle for
//! [`IDLE`] exits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long an idle thread waits for work before it exits.
pub const IDLE: Duration = Duration::from_secs(30);

type Job = Box<dyn FnOnce() + Send>;

/// Idle threads, each with its id and the sender of its job channel.
type Idle = Arc<Mutex<Vec<(u64, Sender<Job>)>>>;

/// A cached pool of query threads.
#[derive(Default, Clone)]
pub struct Pool {
    /// Idle threads, each with the id it was given and the sender of its job channel.
    idle: Idle,
    next_id: Arc<AtomicU64>,
}

impl Pool {
    /// Runs `job` on an idle thread, or on a new one when none is idle.
    pub fn run(&self, job: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
        let mut job: Job = Box::new(job);
        loop {
            let idle = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            match idle {
                Some((_, sender)) => match sender.send(job) {
                    Ok(()) => return Ok(()),
                    // That thread is gone (it panicked): try another.
                    Err(mpsc::SendError(back)) => job = back,
                },
                None => return self.spawn(job),
            }
        }
    }

    fn spawn(&self, first: Job) -> std::io::Result<()> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let idle = Arc::clone(&self.idle);
        std::thread::Builder::new()
            .name("histkg-query".into())
            .spawn(move || {
                let (sender, receiver) = mpsc::channel::<Job>();
                first();
                loop {
                    idle.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((id, sender.clone()));
                    match spin_then_wait(&receiver, IDLE) {
                        Ok(job) => job(),
                        Err(_) => {
                            let mut list = idle.lock().unwrap_or_else(PoisonError::into_inner);
                            if let Some(i) = list.iter().position(|(other, _)| *other == id) {
                                list.remove(i);
                                return;
                            }
                            drop(list);
                            // A caller took this thread just before the timeout: its job is
                            // on the way.
                            match receiver.recv() {
                                Ok(job) => job(),
                                Err(_) => return,
                            }
                        }
                    }
                }
            })
            .map(drop)
    }

    /// Number of idle threads (for tests).
    pub fn idle(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// How long a thread polls a channel, yielding the CPU between polls, before it sleeps.
/// Waking a sleeping thread costs tens of microseconds on a virtual machine, a good part of
/// a quick query; back-to-back queries on one connection arrive within this window.
pub const SPIN: Duration = Duration::from_micros(200);

/// Receives from `receiver`, first polling for [`SPIN`], then blocking for at most `timeout`
/// in all.
pub fn spin_then_wait<T>(
    receiver: &mpsc::Receiver<T>,
    timeout: Duration,
) -> Result<T, mpsc::RecvTimeoutError> {
    let start = std::time::Instant::now();
    while start.elapsed() < SPIN.min(timeout) {
        match receiver.try_recv() {
            Ok(value) => return Ok(value),
            Err(mpsc::TryRecvError::Disconnected) => {
                return Err(mpsc::RecvTimeoutError::Disconnected);
            }
            Err(mpsc::TryRecvError::Empty) => std::thread::yield_now(),
        }
    }
    receiver.recv_timeout(timeout.saturating_sub(start.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_a_finished_thread_and_never_makes_a_job_wait() {
        let pool = Pool::default();
        let (done, finished) = mpsc::channel();
        let d = done.clone();
        pool.run(move || d.send(std::thread::current().id()).unwrap())
            .unwrap();
        let first = finished.recv().unwrap();
        // Wait until the thread is back in the pool.
        while pool.idle() == 0 {
            std::thread::yield_now();
        }
        let d = done.clone();
        pool.run(move || d.send(std::thread::current().id()).unwrap())
            .unwrap();
        assert_eq!(finished.recv().unwrap(), first, "the idle thread is reused");

        // A job that blocks does not hold up the next one: it gets a thread of its own.
        let (release, blocked) = mpsc::channel::<()>();
        pool.run(move || blocked.recv().unwrap()).unwrap();
        let d = done.clone();
        pool.run(move || d.send(std::thread::current().id()).unwrap())
            .unwrap();
        finished
            .recv_timeout(Duration::from_secs(5))
            .expect("the second job ran while the first was blocked");
        release.send(()).unwrap();
    }
}
