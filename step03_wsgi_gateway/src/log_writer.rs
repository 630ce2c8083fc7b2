//! The access log's speed trick, kept apart from the lesson: log lines
//! gathered in memory and written in batches, without losing one.
//!
//! Writing each line as it comes is one `write` system call per request,
//! and a lock held around it. Measured on the step 3 demo at 64 keep-alive
//! connections, the access log alone cost about 30% of the requests per
//! second (the step 3 chapter has the figures). Gathering lines and
//! writing many at once removes almost all of that cost. The danger of a
//! buffer is lines that sit in it and are lost, so this one is written out:
//!
//! - whenever no request is under way (the server is *idle*), so a quiet
//!   server's log is always complete, line by line, as it happens;
//! - whenever it holds [`FLUSH_BYTES`], so a busy server's log lags by at
//!   most that much.
//!
//! Stopping needs no rule of its own: a server that stops gracefully first
//! finishes every request under way, and the last one to end finds the
//! server idle and writes everything out.
//!
//! A request whose application panics still ends (its [`Entry`] is dropped
//! as the panic unwinds), so it is logged and counted as over too. Only a
//! process killed outright (SIGKILL, or a second Ctrl-C) while requests are
//! under way can lose the lines of that moment.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How much a busy server gathers before writing: 16 KiB, about 200 lines.
/// One write per 200 requests costs next to nothing, and a pipe (the usual
/// place logs go, to a terminal or a collector) takes 64 KiB without
/// waiting on Linux, so the write does not block on its reader.
pub const FLUSH_BYTES: usize = 16 * 1024;

// ANCHOR: log_writer
/// Where log lines go: `out`, in batches.
pub struct LogWriter {
    state: Mutex<Gathered>,
    /// Entries begun and not yet ended: requests under way.
    under_way: AtomicUsize,
}

struct Gathered {
    out: Box<dyn Write + Send>,
    lines: Vec<u8>,
}

impl LogWriter {
    /// A writer that sends its lines to `out`.
    pub fn new(out: impl Write + Send + 'static) -> Arc<LogWriter> {
        Arc::new(LogWriter {
            state: Mutex::new(Gathered {
                out: Box::new(out),
                lines: Vec::with_capacity(FLUSH_BYTES),
            }),
            under_way: AtomicUsize::new(0),
        })
    }

    /// A request begins: its line will come when the returned entry is
    /// dropped.
    pub fn begin(self: &Arc<Self>) -> Entry {
        self.under_way.fetch_add(1, Ordering::SeqCst);
        Entry {
            writer: Arc::clone(self),
            line: String::new(),
        }
    }

    fn end(&self, line: &str) {
        let mut state = self.lock();
        state.lines.extend_from_slice(line.as_bytes());
        // The count goes down under the lock, so of two requests ending
        // together, the one that sees zero also sees the other's line.
        let idle = self.under_way.fetch_sub(1, Ordering::SeqCst) == 1;
        if idle || state.lines.len() >= FLUSH_BYTES {
            state.write_out();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Gathered> {
        // Every change to the state is one call on a Vec or a writer, so a
        // panic cannot leave it half-changed: keep using it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

// ANCHOR_END: log_writer

// ANCHOR: log_entry
impl Gathered {
    fn write_out(&mut self) {
        if self.lines.is_empty() {
            return;
        }
        // A log that cannot be written (stderr closed) must not take the
        // server down; the lines are dropped, and the next batch tries again.
        let _ = self.out.write_all(&self.lines);
        let _ = self.out.flush();
        self.lines.clear();
    }
}

/// One request's place in the log. Set its line; when the entry is
/// dropped, the line is added and the request counts as over.
pub struct Entry {
    writer: Arc<LogWriter>,
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
        self.writer.end(&self.line);
    }
}
// ANCHOR_END: log_entry

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes a test can read, and that counts its writes.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut inner = self.0.lock().unwrap();
            inner.0.extend_from_slice(buf);
            inner.1 += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().0.clone()).unwrap()
        }
        fn writes(&self) -> usize {
            self.0.lock().unwrap().1
        }
    }

    /// While requests overlap, lines wait; when the last one ends, they
    /// are written in one go.
    #[test]
    fn lines_wait_while_busy_and_go_out_when_idle() {
        let out = Shared::default();
        let log = LogWriter::new(out.clone());
        let mut first = log.begin();
        let mut second = log.begin();
        first.set_line("first\n".into());
        drop(first);
        assert_eq!(out.text(), "", "a request is still under way");
        second.set_line("second\n".into());
        drop(second);
        assert_eq!(out.text(), "first\nsecond\n");
        assert_eq!(out.writes(), 1, "one write for both lines");
    }

    /// A busy server's lines go out once they fill the buffer, even if it
    /// is never idle.
    #[test]
    fn a_full_buffer_is_written_while_busy() {
        let out = Shared::default();
        let log = LogWriter::new(out.clone());
        let _never_ends = log.begin();
        let line = format!("{}\n", "x".repeat(99));
        for _ in 0..FLUSH_BYTES / line.len() + 1 {
            let mut entry = log.begin();
            entry.set_line(line.clone());
        }
        assert!(out.text().len() >= FLUSH_BYTES, "nothing written yet");
    }
}
