//! A fixed set of worker threads, in the shape of the Rust Book's final
//! web server (chapter 21): a channel of jobs, one receiver shared behind a
//! mutex, and workers that each take a job and run it.
//!
//! The one thing to get right is when the lock is let go. `recv()` is
//! called inside a `let` statement, so the guard is dropped at the end of
//! that statement, before the job runs: one long job does not stop the
//! others from taking theirs. (The Book shows the opposite first: its
//! `while let Ok(job) = receiver.lock().unwrap().recv()` listing keeps the
//! guard alive for the whole loop body, job included, and says why.)
//!
//! This pool is the first server design of the step 3 chapter (see
//! `per_connection.rs`): each job is a whole connection. The server
//! proper uses a queue of its own (`queue.rs`), grown from this one.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// A job: any closure a worker can run once.
type Job = Box<dyn FnOnce() + Send + 'static>;

// ANCHOR: pool
/// A fixed number of threads that run the jobs they are given, in order of
/// arrival, each on whichever thread is free.
pub struct ThreadPool {
    workers: Vec<JoinHandle<()>>,
    /// Where jobs go in. `None` once the pool is being dropped: closing the
    /// channel is what tells the workers to stop.
    jobs: Option<Sender<Job>>,
}

impl ThreadPool {
    /// Starts `size` workers (at least one).
    pub fn new(size: usize) -> ThreadPool {
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = (0..size.max(1))
            .map(|n| {
                let receiver = Arc::clone(&receiver);
                thread::Builder::new()
                    .name(format!("worker-{n}"))
                    .spawn(move || work(&receiver))
                    .unwrap_or_else(|e| panic!("cannot start worker thread {n}: {e}"))
            })
            .collect();
        ThreadPool {
            workers,
            jobs: Some(jobs),
        }
    }

    /// Runs `job` on the next free worker.
    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(jobs) = &self.jobs {
            // Fails only if every worker is gone, which `work` never lets
            // happen while the pool lives.
            let _ = jobs.send(Box::new(job));
        }
    }
}

// ANCHOR_END: pool

// ANCHOR: pool_worker
/// A worker's life: take a job, run it, until the channel closes.
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        // The guard lives only until the end of this statement, so the
        // lock is free again before the job runs. A job that panicked
        // cannot have poisoned it: jobs run with the lock released.
        let next = receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv();
        match next {
            Ok(job) => job(),
            Err(_) => return, // the pool closed the channel
        }
    }
}

impl Drop for ThreadPool {
    /// Closes the channel and waits: the workers finish every job already
    /// queued, then stop.
    fn drop(&mut self) {
        drop(self.jobs.take());
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}
// ANCHOR_END: pool_worker

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Every job runs once, and dropping the pool waits for all of them.
    #[test]
    fn jobs_run_and_drop_waits_for_them() {
        let (done, results) = mpsc::channel();
        let pool = ThreadPool::new(3);
        for n in 1..=100u32 {
            let done = done.clone();
            pool.execute(move || done.send(n * 2).unwrap());
        }
        drop(pool);
        let mut got: Vec<u32> = results.try_iter().collect();
        got.sort();
        assert_eq!(got, (1..=100).map(|n| n * 2).collect::<Vec<_>>());
    }

    /// A job that never ends holds one worker, not the lock: the other
    /// worker keeps taking jobs.
    #[test]
    fn a_stuck_job_does_not_block_the_others() {
        let pool = ThreadPool::new(2);
        let (release, stuck) = mpsc::channel::<()>();
        pool.execute(move || {
            let _ = stuck.recv();
        });
        let (done, finished) = mpsc::channel();
        for job in ["a", "b", "c"] {
            let done = done.clone();
            pool.execute(move || done.send(job).unwrap());
        }
        let mut got: Vec<&str> = (0..3)
            .map(|_| finished.recv_timeout(Duration::from_secs(30)).unwrap())
            .collect();
        got.sort();
        assert_eq!(got, ["a", "b", "c"]);
        release.send(()).unwrap();
    }
}
