//! A fixed set of worker threads and the queue they take work from.
//!
//! The Rust Book builds a pool like this too. Two things differ here. The
//! lock guards the queue only while a job is taken out, never while it
//! runs, so one long job does not stop the others from starting. And a
//! closed queue lets the workers finish what is queued and then stop, which
//! graceful shutdown needs.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

// ANCHOR: queue
/// A queue of jobs shared by the workers. Besides jobs, it hands out one
/// role: *leader*, the worker that watches the connections for the others
/// (see [`Queue::next_task`]).
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

    /// Adds jobs and wakes as many workers.
    pub fn push_all(&self, jobs: impl IntoIterator<Item = T>) {
        let mut state = self.lock();
        let before = state.jobs.len();
        state.jobs.extend(jobs);
        let to_wake = (state.jobs.len() - before).min(state.sleeping);
        drop(state); // wake the workers after letting go of the lock
        self.wake(to_wake);
    }

    /// Takes the next job, waiting for one. `None` once the queue is closed
    /// and empty: the worker should stop.
    pub fn pop(&self) -> Option<T> {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            if state.closed {
                return None;
            }
            state = self.sleep(state);
        }
    }

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
// ANCHOR_END: queue

// ANCHOR: workers
/// Starts `count` threads that run `work` on each job from `queue` until it
/// closes.
pub fn spawn_workers<T, F>(count: usize, queue: &Arc<Queue<T>>, work: F) -> Vec<JoinHandle<()>>
where
    T: Send + 'static,
    F: Fn(T) + Send + Sync + 'static,
{
    let work = Arc::new(work);
    (0..count)
        .map(|n| {
            let (queue, work) = (Arc::clone(queue), Arc::clone(&work));
            thread::Builder::new()
                .name(format!("worker-{n}"))
                .spawn(move || {
                    // `pop` holds the lock only while it takes the job out;
                    // `work(job)` runs with the lock released.
                    while let Some(job) = queue.pop() {
                        work(job);
                    }
                })
                .unwrap_or_else(|e| panic!("cannot start worker thread {n}: {e}"))
        })
        .collect()
}
// ANCHOR_END: workers

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Every job is done once; closing lets the workers drain and stop.
    #[test]
    fn jobs_run_and_workers_stop_on_close() {
        let queue = Arc::new(Queue::new());
        let (done, results) = mpsc::channel();
        let done = Mutex::new(done);
        let workers = spawn_workers(3, &queue, move |n: u32| {
            done.lock().unwrap().send(n * 2).unwrap()
        });
        queue.push_all(1..=100);
        queue.close();
        for worker in workers {
            worker.join().unwrap();
        }
        let mut got: Vec<u32> = results.try_iter().collect();
        got.sort();
        assert_eq!(got, (1..=100).map(|n| n * 2).collect::<Vec<_>>());
    }

    /// A job that never ends holds one worker, not the queue: the other
    /// worker keeps taking jobs.
    #[test]
    fn a_stuck_job_does_not_block_the_others() {
        let queue = Arc::new(Queue::new());
        let (release, stuck) = mpsc::channel::<()>();
        let stuck = Mutex::new(stuck);
        let (done, finished) = mpsc::channel();
        let done = Mutex::new(done);
        let workers = spawn_workers(2, &queue, move |job: &'static str| {
            if job == "stuck" {
                let _ = stuck.lock().unwrap().recv();
            } else {
                done.lock().unwrap().send(job).unwrap();
            }
        });
        queue.push_all(["stuck"]);
        queue.push_all(["a", "b", "c"]);
        let mut got: Vec<&str> = (0..3)
            .map(|_| finished.recv_timeout(Duration::from_secs(30)).unwrap())
            .collect();
        got.sort();
        assert_eq!(got, ["a", "b", "c"]);
        release.send(()).unwrap();
        queue.close();
        for worker in workers {
            worker.join().unwrap();
        }
    }
}
