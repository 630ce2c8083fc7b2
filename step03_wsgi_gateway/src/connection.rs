//! One client connection, and how far it has got with its current request.
//!
//! A worker does not wait for a client to send. When the poller says a
//! connection has bytes, a worker reads them *once*, advances as far as the
//! bytes allow, and if the request is still incomplete, gives the
//! connection back to the poller. So a client that sends one byte every few
//! seconds costs a worker one read every few seconds, not a whole thread.
//!
//! Three waits remain, each bounded. Writing a response to a client that
//! does not read it waits up to the write timeout (`WRITE_TIMEOUT` in
//! `server.rs`). A read after a stale readiness report (rare: the bytes were
//! taken already) waits up to `STALE_READ_TIMEOUT`. And closing a
//! connection lingers until the client closes its side, up to step 2's
//! `LINGER_TIME`, so that our last response is not lost to a reset.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use step02_http_reply::request::{self, FILL_BYTES, RequestReader};
use step02_http_reply::{Error, Head, Limits};

use crate::environ::ConnectionVars;
use crate::framing::{ChunkedDecoder, RequestFraming, request_framing};

/// A client connection with the bytes it sent so far.
pub struct Connection {
    /// The socket, and the bytes read from it but not yet used.
    reader: RequestReader<TcpStream>,
    /// What the environ says about the connection, its two ends included.
    pub vars: ConnectionVars,
    /// Where the current request is.
    phase: Phase,
    /// When the current request's first byte arrived (its head deadline
    /// starts then).
    started: Option<Instant>,
    /// When something last happened: a connection that has been quiet for
    /// too long is closed.
    last_active: Instant,
    /// How many requests this connection has carried.
    pub served: u64,
    /// Whether the last read took all it could hold, so that more bytes
    /// may still wait in the socket, which the poller will not report.
    full_read: bool,
}

/// Where a request is, between its first byte and its last.
enum Phase {
    /// Waiting for (the rest of) a head.
    Head,
    /// The head is in; waiting for the body.
    Body(Head, BodyProgress),
}

enum BodyProgress {
    Length(u64),
    Chunked(ChunkedDecoder),
}

/// What a connection has, after reading and advancing.
pub enum Progress {
    /// A whole request: its head and its body.
    Request(Head, Vec<u8>),
    /// Not enough yet: give the connection back to the poller.
    NeedMore,
    /// The client closed the connection (between requests, or in the
    /// middle of one).
    Closed,
    /// The request is malformed or over a limit.
    Failed(Error),
}

impl Connection {
    /// A newly accepted connection.
    pub fn new(stream: TcpStream, peer: SocketAddr, local: SocketAddr) -> Connection {
        Connection {
            reader: RequestReader::new(stream),
            vars: ConnectionVars::new(local, peer),
            phase: Phase::Head,
            started: None,
            last_active: Instant::now(),
            served: 0,
            full_read: false,
        }
    }

    /// The socket.
    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    // ANCHOR: read_and_advance
    /// Reads once (the poller said there are bytes, so this does not wait),
    /// then advances the request as far as the bytes allow.
    pub fn read_and_advance(&mut self, limits: &Limits) -> Progress {
        match self.reader.fill() {
            Ok(0) => return Progress::Closed,
            Ok(n) => {
                self.last_active = Instant::now();
                self.full_read = n >= FILL_BYTES;
            }
            // A readiness report can be stale; then there is nothing to read
            // yet, and the connection goes back to the poller.
            Err(e) if request::is_timeout(&e) => return Progress::NeedMore,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Progress::NeedMore,
            Err(e) => return Progress::Failed(Error::Io(e)),
        }
        self.advance(limits)
    }

    // ANCHOR_END: read_and_advance

    // ANCHOR: advance
    /// Advances using only the bytes already read: the next request may be
    /// buffered already (a client that sends several at once).
    pub fn advance(&mut self, limits: &Limits) -> Progress {
        match self.try_advance(limits) {
            Ok(Some((head, body))) => {
                self.phase = Phase::Head;
                self.started = None;
                Progress::Request(head, body)
            }
            Ok(None) => {
                if self.started.is_none() && !self.reader.buffered().is_empty() {
                    self.started = Some(Instant::now());
                }
                Progress::NeedMore
            }
            Err(error) => Progress::Failed(error),
        }
    }

    // ANCHOR_END: advance

    // ANCHOR: try_advance
    fn try_advance(&mut self, limits: &Limits) -> Result<Option<(Head, Vec<u8>)>, Error> {
        if let Phase::Head = self.phase {
            let Some(head) = self.reader.parse_buffered()? else {
                return Ok(None);
            };
            let progress = match request_framing(&head, limits.max_body)? {
                RequestFraming::Empty => return Ok(Some((head, Vec::new()))),
                RequestFraming::Length(n) => BodyProgress::Length(n),
                RequestFraming::Chunked(decoder) => BodyProgress::Chunked(decoder),
            };
            if request::expects_continue(&head) {
                // The client waits for this before it sends the body. A
                // few bytes on an idle socket: this write does not wait.
                let mut out = self.stream();
                out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            }
            self.phase = Phase::Body(head, progress);
        }
        let Phase::Body(_, progress) = &mut self.phase else {
            return Ok(None);
        };
        let complete = match progress {
            BodyProgress::Length(n) => self.reader.buffered().len() as u64 >= *n,
            BodyProgress::Chunked(decoder) => {
                let used = decoder.feed(self.reader.buffered())?;
                self.reader.consume(used);
                decoder.is_done()
            }
        };
        if !complete {
            return Ok(None);
        }
        let Phase::Body(head, progress) = std::mem::replace(&mut self.phase, Phase::Head) else {
            return Ok(None); // cannot happen: we are in the body phase
        };
        let body = match progress {
            BodyProgress::Length(n) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                let body = self.reader.buffered()[..n].to_vec();
                self.reader.consume(n);
                body
            }
            BodyProgress::Chunked(decoder) => decoder.into_body(),
        };
        Ok(Some((head, body)))
    }
    // ANCHOR_END: try_advance

    // ANCHOR: deadline
    /// When the poller should give up on this connection, if it stays quiet.
    pub fn deadline(&self, limits: &Limits, idle_timeout: Duration) -> Instant {
        match (&self.phase, self.started) {
            // A head under way must be complete within the head deadline,
            // however the client dribbles it (the slowloris attack).
            (Phase::Head, Some(started)) => started + limits.head_deadline,
            // A body must keep arriving.
            (Phase::Body(..), _) => self.last_active + limits.body_idle_timeout,
            // Between requests: a new connection gets the head deadline to
            // start, a kept-alive one the idle timeout.
            (Phase::Head, None) if self.served == 0 => self.last_active + limits.head_deadline,
            (Phase::Head, None) => self.last_active + idle_timeout,
        }
    }

    /// Whether the connection is between requests, with nothing received.
    pub fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Head) && self.reader.buffered().is_empty()
    }
    // ANCHOR_END: deadline

    /// The error for a connection whose deadline passed: a head or a body cut
    /// off (`408`), or an idle connection (no status: it is just closed).
    pub fn timed_out(&self) -> Error {
        match self.phase {
            Phase::Head => Error::HeadTimeout {
                received: self.reader.buffered().len(),
            },
            Phase::Body(..) => Error::BodyTimeout,
        }
    }

    /// Whether bytes may be waiting in the socket that the poller will not
    /// report: the last read took as much as one read takes.
    pub fn may_have_unreported_bytes(&self) -> bool {
        self.full_read
    }

    /// Marks the end of a response: the idle timeout counts from here.
    pub fn finished_request(&mut self) {
        self.served += 1;
        self.last_active = Instant::now();
    }
}
