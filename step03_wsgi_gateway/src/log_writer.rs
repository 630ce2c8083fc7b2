//! The access log's speed trick, kept apart from the lesson: log lines
//! gathered in memory and written in batches by a thread of their own,
//! without losing one.
//!
//! Writing each line as it comes is one `write` system call per request,
//! made while the client waits, with a lock held around it; and when the
//! log is a pipe, each write also wakes the program reading it. Measured on
//! the step 3 demo at 64 keep-alive connections, the access log cost
//! nearly a quarter of the requests per second (the appendix on measuring
//! has the figures). So the lines are gathered in memory, and a thread of
//! their own writes them out, the way nginx's `access_log` directive does
//! when it is given a `buffer=` size and a `flush=` time:
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

use std::io::Write;
use std::mem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How much a busy server gathers before writing: 16 KiB, about 200 lines.
/// One write per 200 requests costs next to nothing, and a pipe (the usual
/// place logs go, to a terminal or a collector) takes 64 KiB without
/// waiting on Linux, so the write does not block on its reader.
pub const FLUSH_BYTES: usize = 16 * 1024;

/// How long a line may wait to be written: a twentieth of a second, less
/// than a person watching the log notices, and long enough that a server
/// answering thousands of requests a second writes them many at a time.
pub const FLUSH_AFTER: Duration = Duration::from_millis(50);

// ANCHOR: log_writer
/// Where log lines go: `out`, in batches written by a thread of their own.
pub struct LogWriter {
    shared: Arc<Shared>,
    /// The thread that writes; `None` if none could be started, and then
    /// each line is written as its request ends.
    flusher: Option<JoinHandle<()>>,
}

struct Shared {
    gathered: Mutex<Gathered>,
    /// Wakes the flusher: a batch's first line, a full buffer, or the end.
    wake: Condvar,
    /// Taken only while `gathered` is held, so batches go out in order.
    out: Mutex<Box<dyn Write + Send>>,
}

struct Gathered {
    lines: Vec<u8>,
    /// No flusher runs (any more): whoever adds a line writes it.
    closed: bool,
}
// ANCHOR_END: log_writer

impl LogWriter {
    /// A writer that sends its lines to `out`.
    pub fn new(out: impl Write + Send + 'static) -> LogWriter {
        LogWriter::every(out, FLUSH_AFTER)
    }

    fn every(out: impl Write + Send + 'static, after: Duration) -> LogWriter {
        let shared = Arc::new(Shared {
            gathered: Mutex::new(Gathered {
                lines: Vec::with_capacity(FLUSH_BYTES),
                closed: false,
            }),
            wake: Condvar::new(),
            out: Mutex::new(Box::new(out)),
        });
        let for_flusher = Arc::clone(&shared);
        let flusher = thread::Builder::new()
            .name("access-log".into())
            .spawn(move || for_flusher.flush_in_batches(after))
            .ok();
        if flusher.is_none() {
            shared.lock().closed = true;
        }
        LogWriter { shared, flusher }
    }
}

// ANCHOR: log_begin
impl LogWriter {
    /// A request begins: its line will come when the returned entry is
    /// dropped.
    pub fn begin(&self) -> Entry {
        Entry {
            shared: Arc::clone(&self.shared),
            line: String::new(),
        }
    }
}

impl Drop for LogWriter {
    /// Writes what is gathered, and stops the flusher.
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
    }
}
// ANCHOR_END: log_begin

// ANCHOR: log_flusher
impl Shared {
    /// The flusher's life: wait for a line, give the batch `after` to
    /// fill (or until it is full), write it, again. Two buffers take
    /// turns, so neither is ever allocated again: requests gather into
    /// one while the other is written.
    fn flush_in_batches(&self, after: Duration) {
        let mut spare = Vec::with_capacity(FLUSH_BYTES);
        let mut gathered = self.lock();
        loop {
            while gathered.lines.is_empty() && !gathered.closed {
                gathered = self.wait(gathered, None);
            }
            let deadline = Instant::now() + after;
            while gathered.lines.len() < FLUSH_BYTES && !gathered.closed {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                gathered = self.wait(gathered, Some(left));
            }
            let closed = gathered.closed;
            mem::swap(&mut gathered.lines, &mut spare);
            // Taken before the lock is given back, so that batches go out
            // in the order they were gathered.
            let mut out = self.out();
            drop(gathered);
            write_batch(&mut out, &spare);
            drop(out);
            spare.clear();
            if closed {
                return;
            }
            gathered = self.lock();
        }
    }
}
// ANCHOR_END: log_flusher

// ANCHOR: log_add
impl Shared {
    /// A request's line, gathered; the flusher is woken for the first line
    /// of a batch and when the buffer fills, not for every line.
    fn add(&self, line: &str) {
        let mut gathered = self.lock();
        let before = gathered.lines.len();
        gathered.lines.extend_from_slice(line.as_bytes());
        if gathered.closed {
            // No flusher: write the line now.
            let mut out = self.out();
            let lines = mem::take(&mut gathered.lines);
            drop(gathered);
            write_batch(&mut out, &lines);
        } else if before == 0 || (before < FLUSH_BYTES && gathered.lines.len() >= FLUSH_BYTES) {
            self.wake.notify_one();
        }
    }
}
// ANCHOR_END: log_add

impl Shared {
    fn out(&self) -> MutexGuard<'_, Box<dyn Write + Send>> {
        self.out.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> MutexGuard<'_, Gathered> {
        // Every change to the state is one call on a Vec or a flag, so a
        // panic cannot leave it half-changed: keep using it.
        self.gathered.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(
        &self,
        gathered: MutexGuard<'a, Gathered>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, Gathered> {
        match timeout {
            None => self
                .wake
                .wait(gathered)
                .unwrap_or_else(PoisonError::into_inner),
            Some(timeout) => {
                let (gathered, _) = self
                    .wake
                    .wait_timeout(gathered, timeout)
                    .unwrap_or_else(PoisonError::into_inner);
                gathered
            }
        }
    }
}

fn write_batch(out: &mut Box<dyn Write + Send>, lines: &[u8]) {
    if lines.is_empty() {
        return;
    }
    // A log that cannot be written (stderr closed) must not take the
    // server down; the lines are dropped, and the next batch tries again.
    let _ = out.write_all(lines);
    let _ = out.flush();
}

// ANCHOR: log_entry
/// One request's place in the log. Set its line; when the entry is
/// dropped, the line is gathered to be written.
pub struct Entry {
    shared: Arc<Shared>,
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
        self.shared.add(&self.line);
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

    /// Lines from two threads go out in the order their requests ended,
    /// as a learner who sends one request after another expects: this
    /// thread logs 1 and 3, another thread 2 and 4, taking turns.
    #[test]
    fn lines_keep_their_order_across_threads() {
        let (writer, writes) = writer(Duration::from_secs(3600));
        let shared_writer = &writer;
        std::thread::scope(|scope| {
            let (to_other, other_gets) = mpsc::channel::<&str>();
            let (logged, other_logged) = mpsc::channel();
            scope.spawn(move || {
                for line in other_gets {
                    log(shared_writer, line);
                    logged.send(()).unwrap();
                }
            });
            for (mine, theirs) in [("1\n", "2\n"), ("3\n", "4\n")] {
                log(shared_writer, mine);
                to_other.send(theirs).unwrap();
                other_logged.recv().unwrap();
            }
        });
        drop(writer);
        let all: Vec<u8> = writes.try_iter().flatten().collect();
        assert_eq!(String::from_utf8(all).unwrap(), "1\n2\n3\n4\n");
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
