//! # Step 1: a web server on a bare TCP socket
//!
//! **What this step adds.** The smallest web server that works in a real
//! browser every time: a [`TcpListener`] accepts a connection, we read the
//! browser's request head up to the blank line that ends it, and we write back
//! a fixed HTTP response whose body is `Hello, Seven`. No HTTP library is
//! involved: the response is bytes we write by hand, so you can see every one.
//!
//! **What it leaves out on purpose.** We do not parse the request: every
//! request gets the same answer (step 2 parses it with `httparse`). We serve
//! one connection at a time, so a slow client makes the next one wait until
//! its deadline runs out (an exercise here adds a thread per connection; step
//! 3 builds a proper pool of worker threads). Request bodies are not read
//! (step 2).
//!
//! **How to run it.**
//!
//! ```text
//! $ cargo run -p step01_raw_socket
//! Serving Hello, Seven on http://127.0.0.1:8000/
//! ```
//!
//! Open that URL in a browser, or `curl -i http://127.0.0.1:8000/`. The same
//! crate has an echo pair: `cargo run -p step01_raw_socket --bin echo_server`
//! and, in another terminal, `cargo run -p step01_raw_socket --bin echo_client`.

// Nothing that comes from the network is unwrapped: a bad client must never
// be able to crash the server. (Tests may unwrap; see clippy.toml.)
#![warn(clippy::unwrap_used)]

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

// ANCHOR: limits
/// The most bytes we read while looking for the end of a request head.
///
/// A browser's head is usually well under 2 KiB, but cookies can make it much
/// larger. Apache's default limit for one line of a head is 8190 bytes
/// (`LimitRequestLine`, `LimitRequestFieldSize`); we use the same order of
/// magnitude for the whole head. Without *some* limit a client could make us
/// buffer bytes forever.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

/// How long a client has, from the moment we accept it, to send its head.
///
/// We serve one connection at a time, so this is also the longest a silent or
/// dribbling client can make everybody else wait. Ten seconds is generous for
/// a program and short enough that a stuck client does not look like a dead
/// server.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);
// ANCHOR_END: limits

/// The body every request gets.
pub const BODY: &str = "Hello, Seven";

// ANCHOR: serve
/// Answers the connections `listener` accepts, one at a time, forever.
///
/// A failure on one connection is logged and forgotten: it never stops the
/// server. The listener is bound by the caller, so a test can bind port 0 and
/// read back the port the system picked.
pub fn serve(listener: TcpListener) {
    for stream in accepted(&listener) {
        handle_connection(stream);
    }
}

/// The connections `listener` accepts, forever. `accept` itself can fail,
/// for example when the process is out of file descriptors: the failure is
/// logged and skipped, and listening goes on. This server, the echo
/// server, step 2's server and step 3's two simple servers take their
/// connections from here; step 3's production server has its own accept
/// loop, which also waits for idle connections (with `mio`).
pub fn accepted(listener: &TcpListener) -> impl Iterator<Item = TcpStream> + '_ {
    listener.incoming().filter_map(|stream| {
        stream
            .inspect_err(|error| eprintln!("accept failed: {error}"))
            .ok()
    })
}

/// Reads one request head from `stream`, answers it, and closes.
pub fn handle_connection(mut stream: TcpStream) {
    let peer = stream.peer_addr();
    let deadline = Instant::now() + HEAD_DEADLINE;
    let result = read_head(&mut stream, deadline).and_then(|_head| {
        stream.write_all(hello_response().as_bytes())?;
        Ok(())
    });
    if let Err(error) = result {
        match peer {
            Ok(peer) => eprintln!("{peer}: {error}"),
            Err(_) => eprintln!("unknown peer: {error}"),
        }
    }
    // `stream` is dropped here, which closes the socket. If nothing followed
    // the head, every byte the client sent has been read, and the kernel
    // closes politely with a FIN. If unread bytes are still waiting (a body,
    // or a second request sent at once), it sends a reset instead, and the
    // client may lose our response: step 2's `close_gracefully` handles
    // that case.
}
// ANCHOR_END: serve

// ANCHOR: response
/// The complete HTTP response, status line to body.
///
/// `Content-Length` tells the client where the body ends and
/// `Content-Type` tells the browser how to show it; `Connection: close`
/// says we will close after this response.
pub fn hello_response() -> String {
    format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\
         \r\n\
         {}",
        BODY.len(),
        BODY
    )
}
// ANCHOR_END: response

// ANCHOR: read_head
/// Reads from `stream` until the blank line that ends a request head.
///
/// Returns the head without the blank line. Gives up with an error when the
/// client closes first, sends more than [`MAX_HEAD_BYTES`], or is still
/// sending at `deadline`.
pub fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        // Each read may wait only as long as the deadline leaves, so a client
        // that sends one byte every few seconds still runs out of time.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::TimedOut {
                received: head.len(),
            });
        }
        stream.set_read_timeout(Some(left))?;

        // Never read past the limit: at most one byte more than allowed, so
        // that we can tell "exactly at the limit" from "over it".
        let room = (MAX_HEAD_BYTES + 1 - head.len()).min(chunk.len());
        let n = match stream.read(&mut chunk[..room]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => {
                return Err(HeadError::TimedOut {
                    received: head.len(),
                });
            }
            Err(e) => return Err(HeadError::Io(e)),
        };
        if n == 0 {
            // The client closed its side before finishing the head.
            return Err(if head.is_empty() {
                HeadError::Empty
            } else {
                HeadError::Incomplete {
                    received: head.len(),
                }
            });
        }

        // The blank line may straddle two reads, so search from a little
        // before the new bytes, not only within them.
        let search_from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_blank_line(&head, search_from) {
            head.truncate(end);
            return Ok(head);
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
    }
}

// ANCHOR_END: read_head

/// Whether a read failed because its time was up: `WouldBlock` on Unix,
/// `TimedOut` on Windows.
fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

// ANCHOR: find_blank_line
/// Finds the empty line that ends a head, searching `buf` from `from`.
///
/// Returns where the empty line starts. HTTP ends lines with CRLF, but a
/// person typing into `nc` sends a bare LF, and RFC 9112 (section 2.2) lets a
/// server accept that, so we accept both `\r\n\r\n` and `\n\n` (and mixes).
pub fn find_blank_line(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(offset) = buf.get(i..)?.iter().position(|&b| b == b'\n') {
        let lf = i + offset;
        // After this LF, is the next line empty (LF or CR LF)?
        match &buf[lf + 1..] {
            [b'\n', ..] | [b'\r', b'\n', ..] => return Some(lf + 1),
            _ => i = lf + 1,
        }
    }
    None
}
// ANCHOR_END: find_blank_line

// ANCHOR: error
/// Why a connection ended without a response.
#[derive(Debug)]
pub enum HeadError {
    /// The client connected and closed without sending a byte.
    Empty,
    /// The client closed in the middle of its head.
    Incomplete {
        /// How many bytes of the head had arrived.
        received: usize,
    },
    /// The head is longer than [`MAX_HEAD_BYTES`].
    TooLarge,
    /// The head was not complete by the deadline.
    TimedOut {
        /// How many bytes of the head had arrived.
        received: usize,
    },
    /// The socket failed, for example with a reset from the client.
    Io(io::Error),
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::Empty => write!(f, "closed without sending a request"),
            HeadError::Incomplete { received } => {
                write!(
                    f,
                    "closed after {received} bytes, before the end of the head"
                )
            }
            HeadError::TooLarge => write!(f, "head larger than {MAX_HEAD_BYTES} bytes, closing"),
            HeadError::TimedOut { received } => write!(
                f,
                "no complete head within {}s ({received} bytes received), closing",
                HEAD_DEADLINE.as_secs()
            ),
            HeadError::Io(error) => write!(f, "socket error: {error}"),
        }
    }
}

impl std::error::Error for HeadError {}

impl From<io::Error> for HeadError {
    fn from(error: io::Error) -> Self {
        HeadError::Io(error)
    }
}
// ANCHOR_END: error

/// Binds `addr` and returns the listener with the address it really got
/// (with port 0, the port the system picked).
///
/// "Address already in use" usually means another step is still running on
/// the same port, so that error says how to pick a different one.
pub fn bind(addr: &str) -> io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).map_err(|error| {
        let hint = if error.kind() == io::ErrorKind::AddrInUse {
            " (is another server running? stop it, or pass --addr 127.0.0.1:0 for a free port)"
        } else {
            ""
        };
        io::Error::new(
            error.kind(),
            format!("cannot listen on {addr}: {error}{hint}"),
        )
    })?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// The URL a browser should open to reach `addr`.
pub fn url_for(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the head ends, for every line-ending style a client might use.
    #[test]
    fn blank_line_is_found_after_crlf_or_lf() {
        let cases: &[(&[u8], Option<usize>)] = &[
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Some(25)),
            (b"GET / HTTP/1.1\r\n\r\nbody", Some(16)),
            (b"GET / HTTP/1.1\n\n", Some(15)),
            (b"GET / HTTP/1.1\nHost: x\r\n\r\n", Some(24)),
            (b"GET / HTTP/1.1\r\nHost: x\r\n", None),
            (b"GET / HTTP/1.1\r\n\r", None),
            (b"", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                find_blank_line(input, 0),
                *expected,
                "input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// However the head is split across two reads, searching from three bytes
    /// before the new data (what `read_head` does) still finds its end.
    #[test]
    fn end_is_found_whatever_the_split() {
        let head = b"GET / HTTP/1.1\r\n\r\n";
        for split in 0..head.len() {
            let search_from = split.saturating_sub(3);
            assert_eq!(
                find_blank_line(head, search_from),
                Some(16),
                "split at {split}"
            );
        }
    }

    /// The response is valid HTTP with a Content-Length that matches the body.
    #[test]
    fn response_declares_its_length() {
        let response = hello_response();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert!(head.contains("Content-Type: text/plain"));
        assert_eq!(body, "Hello, Seven");
    }
}
