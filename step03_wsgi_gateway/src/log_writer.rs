//! The access log's speed trick, kept apart from the lesson: log lines
//! gathered in memory and written in batches by a thread of their own,
//! without losing one.
//!
//! Writing each line as it comes is one `write` system call per request,
//! made while the client waits, with a lock held around it; and when the
//! log is a pipe, each write also wakes the program reading it. Measured on
//! the step 3 demo at 64 keep-alive connections, the access log cost about
//! a fifth of the requests per second (the appendix on measuring has the
//! figures). So the lines are gathered in memory, and a thread of their
//! own writes them out, the way nginx's `access_log` directive does when
//! it is given a `buffer=` size and a `flush=` time:
//!
//! - at most [`FLUSH_AFTER`] after a line is gathered, so even a quiet
//!   server's log is never further behind than that;
//! - as soon as [`FLUSH_BYTES`] have gathered, so a busy server's buffer
//!   stays small;
//! - when the writer is dropped. The server drops its application, and the
//!   access log with it, only after the last request in flight has ended,
//!   so a graceful stop writes every line.
//!
//! A request whose application panics still ends (its [`Entry`] is dropped
//! as the panic unwinds), so its line is gathered too. Only a process
//! killed outright (SIGKILL, or a second Ctrl-C) loses lines: those of its
//! last [`FLUSH_AFTER`].

use std::cell::RefCell;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How much a thread gathers before its lines are written: 16 KiB, about
/// 200 lines. One write per 200 requests costs next to nothing, and a pipe
/// (the usual place logs go, to a terminal or a collector) takes 64 KiB
/// without waiting on Linux, so the write does not block on its reader.
pub const FLUSH_BYTES: usize = 16 * 1024;

/// How long a line may wait to be written: a twentieth of a second, less
/// than a person watching the log notices, and long enough that a server
/// answering thousands of requests a second writes them many at a time.
pub const FLUSH_AFTER: Duration = Duration::from_millis(50);

// ANCHOR: log_writer
/// Where log lines go: `out`, in batches written by a thread of their own.
pub struct LogWriter {
    shared: Arc<Shared>,
    /// Tells this writer's buffers from other writers' in a thread's list.
    id: u64,
    /// The thread that writes; `None` if none could be started, and then
    /// each line is written as its request ends.
    flusher: Option<JoinHandle<()>>,
}

struct Shared {
    /// A buffer for each thread that has logged a line.
    buffers: Mutex<Vec<Arc<Buffer>>>,
    alarm: Mutex<Alarm>,
    /// Wakes the flusher: see [`Alarm`].
    wake: Condvar,
    out: Mutex<Box<dyn Write + Send>>,
}

/// What the flusher is woken for.
#[derive(Default)]
struct Alarm {
    /// A buffer that was empty has a line.
    lines: bool,
    /// A buffer holds [`FLUSH_BYTES`].
    full: bool,
    /// The writer is dropped: write everything, and stop.
    closed: bool,
}

/// One thread's lines. Only that thread adds to it and the flusher takes
/// from it once a batch, so its lock is nearly never waited for, and the
/// requests of different threads do not pass one lock and one counter
/// between processors on every line.
struct Buffer {
    lines: Mutex<Lines>,
    shared: Arc<Shared>,
}

struct Lines {
    bytes: Vec<u8>,
    /// No flusher runs any more: whoever adds a line writes it.
    closed: bool,
}

/// Each writer gets its own number.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's buffer in each writer it has logged to.
    static MINE: RefCell<Vec<(u64, Arc<Buffer>)>> = const { RefCell::new(Vec::new()) };
}
// ANCHOR_END: log_writer

impl LogWriter {
    /// A writer that sends its lines to `out`.
    pub fn new(out: impl Write + Send + 'static) -> LogWriter {
        LogWriter::every(out, FLUSH_AFTER)
    }

    fn every(out: impl Write + Send + 'static, after: Duration) -> LogWriter {
        let shared = Arc::new(Shared {
            buffers: Mutex::new(Vec::new()),
            alarm: Mutex::new(Alarm::default()),
            wake: Condvar::new(),
            out: Mutex::new(Box::new(out)),
        });
        let for_flusher = Arc::clone(&shared);
        let flusher = thread::Builder::new()
            .name("access-log".into())
            .spawn(move || for_flusher.flush_in_batches(after))
            .ok();
        if flusher.is_none() {
            lock(&shared.alarm).closed = true;
        }
        LogWriter {
            shared,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            flusher,
        }
    }
}

// ANCHOR: log_begin
impl LogWriter {
    /// A request begins: its line will come when the returned entry is
    /// dropped.
    pub fn begin(&self) -> Entry {
        Entry {
            buffer: self.buffer_of_this_thread(),
            line: String::new(),
        }
    }

    fn buffer_of_this_thread(&self) -> Arc<Buffer> {
        MINE.with(|mine| {
            let mut mine = mine.borrow_mut();
            if let Some((_, buffer)) = mine.iter().find(|(id, _)| *id == self.id) {
                return Arc::clone(buffer);
            }
            // The first line of this thread: forget the buffers of writers
            // that are gone, and make one for this writer.
            mine.retain(|(_, buffer)| !buffer.lock().closed);
            let closed = self.flusher.is_none();
            let buffer = Arc::new(Buffer {
                lines: Mutex::new(Lines {
                    bytes: Vec::with_capacity(FLUSH_BYTES),
                    closed,
                }),
                shared: Arc::clone(&self.shared),
            });
            lock(&self.shared.buffers).push(Arc::clone(&buffer));
            mine.push((self.id, Arc::clone(&buffer)));
            buffer
        })
    }
}

impl Drop for LogWriter {
    /// Writes what is gathered, and stops the flusher.
    fn drop(&mut self) {
        self.shared.ring(|alarm| alarm.closed = true);
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        // The buffers point back at `shared`: let go of them, or neither
        // would ever be freed. (The flusher did so already, if there was one.)
        lock(&self.shared.buffers).clear();
    }
}
// ANCHOR_END: log_begin

// ANCHOR: log_flusher
impl Shared {
    /// The flusher's life: wait for a line, give the batch `after` to
    /// fill (or until a buffer is full), write it, again.
    fn flush_in_batches(&self, after: Duration) {
        let mut batch = Vec::with_capacity(FLUSH_BYTES);
        let mut alarm = lock(&self.alarm);
        loop {
            while !alarm.lines && !alarm.closed {
                alarm = self.wait(alarm, None);
            }
            let deadline = Instant::now() + after;
            while !alarm.full && !alarm.closed {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                alarm = self.wait(alarm, Some(left));
            }
            let closed = alarm.closed;
            *alarm = Alarm {
                closed,
                ..Alarm::default()
            };
            drop(alarm);
            self.write_every_buffer(&mut batch, closed);
            if closed {
                return;
            }
            alarm = lock(&self.alarm);
        }
    }

    /// Takes every thread's lines into `batch` and writes it. The last
    /// time (`closing`), each buffer is told that from now on its thread
    /// writes for itself, and the writer lets go of the buffers.
    fn write_every_buffer(&self, batch: &mut Vec<u8>, closing: bool) {
        let buffers = if closing {
            std::mem::take(&mut *lock(&self.buffers))
        } else {
            lock(&self.buffers).clone()
        };
        // Held while gathering, so that batches go out in order.
        let mut out = lock(&self.out);
        for buffer in &buffers {
            let mut lines = buffer.lock();
            batch.extend_from_slice(&lines.bytes);
            lines.bytes.clear();
            lines.closed |= closing;
        }
        write_batch(&mut out, batch);
        batch.clear();
    }
}
// ANCHOR_END: log_flusher

impl Shared {
    /// Sets what `change` sets, and wakes the flusher.
    fn ring(&self, change: impl FnOnce(&mut Alarm)) {
        change(&mut lock(&self.alarm));
        self.wake.notify_one();
    }

    fn wait<'a>(
        &self,
        alarm: MutexGuard<'a, Alarm>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, Alarm> {
        match timeout {
            None => self
                .wake
                .wait(alarm)
                .unwrap_or_else(PoisonError::into_inner),
            Some(timeout) => {
                let (alarm, _) = self
                    .wake
                    .wait_timeout(alarm, timeout)
                    .unwrap_or_else(PoisonError::into_inner);
                alarm
            }
        }
    }
}

// ANCHOR: log_add
impl Buffer {
    /// A request's line, gathered. The flusher is rung for the first line
    /// of a batch and when the buffer fills, not for every line.
    fn add(&self, line: &str) {
        let mut lines = self.lock();
        let before = lines.bytes.len();
        lines.bytes.extend_from_slice(line.as_bytes());
        if lines.closed {
            // No flusher: write the line now (`out` first, as the flusher
            // takes the two locks).
            drop(lines);
            let mut out = lock(&self.shared.out);
            let mut lines = self.lock();
            write_batch(&mut out, &lines.bytes);
            lines.bytes.clear();
            return;
        }
        let now = lines.bytes.len();
        drop(lines);
        if before == 0 {
            self.shared.ring(|alarm| alarm.lines = true);
        }
        if before < FLUSH_BYTES && now >= FLUSH_BYTES {
            self.shared.ring(|alarm| alarm.full = true);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Lines> {
        lock(&self.lines)
    }
}
// ANCHOR_END: log_add

fn write_batch(out: &mut Box<dyn Write + Send>, lines: &[u8]) {
    if lines.is_empty() {
        return;
    }
    // A log that cannot be written (stderr closed) must not take the
    // server down; the lines are dropped, and the next batch tries again.
    let _ = out.write_all(lines);
    let _ = out.flush();
}

/// Every change under these locks is one call on a Vec, a flag or a
/// writer, so a panic cannot leave the state half-changed: keep using it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ANCHOR: log_entry
/// One request's place in the log. Set its line; when the entry is
/// dropped, the line is gathered to be written.
pub struct Entry {
    buffer: Arc<Buffer>,
    line: String,
}

impl Entry {
    /// The line to log, ending in `\n`.
    pub fn set_line(&mut self, line: String) {
        self.line = line;
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.buffer.add(&self.line);
    }
}
// ANCHOR_END: log_entry

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, Receiver};

    /// How long a test waits for a write it expects: far longer than any
    /// rule allows, so only a broken rule runs into it.
    const PATIENCE: Duration = Duration::from_secs(10);

    /// A writer that hands each write to the test, as it happens.
    struct Writes(mpsc::Sender<Vec<u8>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _ = self.0.send(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn writer(after: Duration) -> (LogWriter, Receiver<Vec<u8>>) {
        let (sender, writes) = mpsc::channel();
        (LogWriter::every(Writes(sender), after), writes)
    }

    fn log(writer: &LogWriter, line: &str) {
        writer.begin().set_line(line.into());
    }

    /// A quiet server's line is written by itself, soon, with no other
    /// request to push it out and without the writer being dropped.
    #[test]
    fn a_lone_line_is_written_soon() {
        let (writer, writes) = writer(FLUSH_AFTER);
        log(&writer, "alone\n");
        assert_eq!(writes.recv_timeout(PATIENCE).unwrap(), b"alone\n");
        drop(writer);
    }

    /// Lines that come together are written together, in one write, in
    /// the order they came; dropping the writer writes them.
    #[test]
    fn lines_gathered_together_go_out_in_one_write() {
        let hour = Duration::from_secs(3600);
        let (writer, writes) = writer(hour);
        log(&writer, "first\n");
        log(&writer, "second\n");
        assert!(writes.try_recv().is_err(), "written before the hour");
        drop(writer);
        let all: Vec<Vec<u8>> = writes.try_iter().collect();
        assert_eq!(all, vec![b"first\nsecond\n".to_vec()]);
    }

    /// A full buffer is written at once, without waiting for its time.
    #[test]
    fn a_full_buffer_is_written_at_once() {
        let (writer, writes) = writer(Duration::from_secs(3600));
        let line = format!("{}\n", "x".repeat(99));
        for _ in 0..FLUSH_BYTES / line.len() + 1 {
            log(&writer, &line);
        }
        let batch = writes.recv_timeout(PATIENCE).unwrap();
        assert!(batch.len() >= FLUSH_BYTES, "{} bytes", batch.len());
        drop(writer);
    }

    /// A request that ends after the writer is gone is still logged.
    #[test]
    fn a_line_that_ends_after_the_writer_is_still_written() {
        let (writer, writes) = writer(FLUSH_AFTER);
        let mut late = writer.begin();
        drop(writer);
        late.set_line("late\n".into());
        drop(late);
        assert_eq!(
            writes.try_iter().collect::<Vec<_>>(),
            vec![b"late\n".to_vec()]
        );
    }
}
