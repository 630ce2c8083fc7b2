//! The server's queue: connections with bytes to read, waiting for a
//! worker, and one role handed out with them, *leader*, the worker that
//! watches every connection for the others (the "leader/followers"
//! pattern; see the server's `run_worker`).
//!
//! It is the pool's queue (`pool.rs`) grown by two needs. A worker asks
//! for "a job, or else the lead", so that whoever is idle watches the
//! sockets and no thread is spent on watching alone. And a closed queue
//! lets the workers finish what is queued and then stop, which graceful
//! shutdown needs.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

// ANCHOR: queue
/// A queue of jobs shared by the workers. Besides jobs, it hands out one
/// role: *leader*, the worker that watches the connections for the others
/// (see [`Queue::next_task`]). The lock guards the queue only while a job
/// is taken out or put in, never while one runs.
pub struct Queue<T> {
    state: Mutex<QueueState<T>>,
    /// Signalled when a job arrives or the queue closes.
    ready: Condvar,
}

struct QueueState<T> {
    jobs: VecDeque<T>,
    closed: bool,
    /// Whether a worker is leading: watching the connections for the others.
    leading: bool,
    /// Workers waiting for a job. Waking a thread is a system call, so it is
    /// only made when somebody is actually asleep.
    sleeping: usize,
}

impl<T> Queue<T> {
    /// An empty, open queue.
    pub fn new() -> Queue<T> {
        Queue {
            state: Mutex::new(QueueState {
                jobs: VecDeque::new(),
                closed: false,
                leading: false,
                sleeping: 0,
            }),
            ready: Condvar::new(),
        }
    }

    // ANCHOR_END: queue

    // ANCHOR: queue_next
    /// Takes the next job, or else the role of leader if nobody has it,
    /// waiting if there is neither. See the server's `run_worker`.
    pub fn next_task(&self) -> Task<T> {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.jobs.pop_front() {
                return Task::Job(job);
            }
            if state.closed {
                return Task::Stop;
            }
            if !state.leading {
                state.leading = true;
                return Task::Lead;
            }
            state = self.sleep(state);
        }
    }

    /// Gives up the role of leader and queues the jobs the leader found. One
    /// more sleeper than there are jobs is woken: it takes over leading.
    pub fn end_lead(&self, jobs: impl IntoIterator<Item = T>) {
        let mut state = self.lock();
        state.leading = false;
        let before = state.jobs.len();
        state.jobs.extend(jobs);
        let to_wake = (state.jobs.len() - before + 1).min(state.sleeping);
        drop(state);
        self.wake(to_wake);
    }

    // ANCHOR_END: queue_next

    // ANCHOR: queue_sleep
    /// Waits until woken, counted among the sleepers meanwhile.
    fn sleep<'a>(&self, mut state: MutexGuard<'a, QueueState<T>>) -> MutexGuard<'a, QueueState<T>> {
        state.sleeping += 1;
        let mut state = self
            .ready
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner);
        state.sleeping -= 1;
        state
    }

    /// Wakes `n` sleeping workers. Waking a thread is a system call, so
    /// none is made when nobody sleeps.
    fn wake(&self, n: usize) {
        match n {
            0 => {}
            1 => self.ready.notify_one(),
            _ => self.ready.notify_all(),
        }
    }

    /// Lets the workers finish what is queued, then stop.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// A job that panicked while holding the lock cannot have left the queue
    /// half-changed (every change is one call on `VecDeque`), so a poisoned
    /// lock is safe to keep using.
    fn lock(&self) -> MutexGuard<'_, QueueState<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a worker does next; see [`Queue::next_task`].
pub enum Task<T> {
    /// Handle this job.
    Job(T),
    /// Watch the connections: nobody else is.
    Lead,
    /// The queue is closed and empty: stop.
    Stop,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue::new()
    }
}
// ANCHOR_END: queue_sleep

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    /// Jobs come before the lead, and one worker leads at a time. Closing
    /// lets the queued jobs be finished, then stops everybody.
    #[test]
    fn jobs_first_one_leader_at_a_time() {
        let queue: Queue<u32> = Queue::new();
        assert!(matches!(queue.next_task(), Task::Lead));
        queue.end_lead([1, 2]);
        assert!(matches!(queue.next_task(), Task::Job(1)));
        assert!(matches!(queue.next_task(), Task::Job(2)));
        assert!(matches!(queue.next_task(), Task::Lead));
        queue.close();
        queue.end_lead([3]);
        assert!(
            matches!(queue.next_task(), Task::Job(3)),
            "queued jobs are finished"
        );
        assert!(matches!(queue.next_task(), Task::Stop));
    }

    /// A worker asleep in `next_task` is woken by the jobs a leader found,
    /// and every job is taken exactly once.
    #[test]
    fn sleeping_workers_wake_for_jobs() {
        let queue = Arc::new(Queue::new());
        assert!(matches!(queue.next_task(), Task::Lead));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        match queue.next_task() {
                            Task::Job(n) => got.push(n),
                            Task::Lead => queue.end_lead([]),
                            Task::Stop => return got,
                        }
                    }
                })
            })
            .collect();
        queue.end_lead(0..100u32);
        queue.close();
        let mut all: Vec<u32> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        all.sort();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }
}
