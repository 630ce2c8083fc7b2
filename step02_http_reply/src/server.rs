//! The server loop: accept a connection, give it a thread, read one request,
//! let the handler answer it, close.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::request::{self, Limits, Request, RequestReader};
use crate::response::{Response, Status};

// ANCHOR: limits
/// The most connections served at once. Each one is a thread here; past
/// this many, a new client gets `503 Service Unavailable` at once, rather
/// than the server running out of threads or memory. (Step 3 replaces
/// thread-per-connection with a fixed pool of workers.)
pub const MAX_CONNECTIONS: usize = 256;

/// How long, at most, we wait for a client to close its side after we have
/// closed ours (see [`close_gracefully`]). A client that reads our response
/// closes within a round trip, a few milliseconds even across the world; two
/// seconds leaves room for a slow network and still frees the thread soon
/// when the client never closes. (Apache httpd's shortened lingering close,
/// `SECONDS_TO_LINGER`, is 2 s too; its normal one allows up to 30 s.)
pub const LINGER_TIME: Duration = Duration::from_secs(2);

/// How many bytes we read and throw away while we wait, at most. What a
/// client had in flight when our response reached it: a socket's receive
/// buffer holds up to a few hundred KiB on Linux (`net.ipv4.tcp_rmem`), so
/// 256 KiB drains a typical upload that we refused halfway. A client that
/// keeps sending past that is not listening, and gets its reset.
pub const LINGER_BYTES: usize = 256 * 1024;
// ANCHOR_END: limits

/// Binds `addr` and returns the listener with the address it really got;
/// an "address in use" error says how to pick another port. It is step 1's
/// function, used as it is: listening has not changed since then.
pub use step01_raw_socket::bind;

/// The connections a listener accepts, accept errors logged and skipped:
/// step 1's function too.
pub use step01_raw_socket::accepted;

// ANCHOR: serve
/// Serves `listener` forever, with the default [`Limits`].
///
/// Every connection gets its own thread, so one slow client never holds up
/// the others. `handler` turns a request into a response; it is shared by
/// all threads, hence `Send + Sync`.
pub fn serve<H>(listener: TcpListener, handler: H)
where
    H: Fn(&Request) -> Response + Send + Sync + 'static,
{
    serve_with(listener, handler, Limits::default());
}

/// Serves `listener` forever, with the given limits.
pub fn serve_with<H>(listener: TcpListener, handler: H, limits: Limits)
where
    H: Fn(&Request) -> Response + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let live = Arc::new(AtomicUsize::new(0));
    for stream in accepted(&listener) {
        if live.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            refuse_busy(&stream, MAX_CONNECTIONS, &[]);
            continue;
        }
        let slot = Slot::take(&live);
        let (handler, limits) = (Arc::clone(&handler), limits.clone());
        thread::spawn(move || {
            let _slot = slot; // given back when the thread ends, even by a panic
            handle_connection(&stream, &*handler, &limits);
        });
    }
}

// ANCHOR_END: serve

// ANCHOR: slot
/// One of the [`MAX_CONNECTIONS`] places, held while a connection is served.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(live: &Arc<AtomicUsize>) -> Slot {
        live.fetch_add(1, Ordering::SeqCst);
        Slot(Arc::clone(live))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers a client there is no room for, at once: `503 Service
/// Unavailable` with `Retry-After`, and the connection is dropped. `max` is
/// the limit that was reached, for the log; `extra` header fields go with
/// the page (step 3 adds its `Server` field). Steps 2 and 3 both use it.
pub fn refuse_busy(stream: &TcpStream, max: usize, extra: &[(&str, &str)]) {
    let peer = peer_of(stream);
    eprintln!("{peer}: refused, {max} connections already open");
    // This runs where connections are accepted, so it must not wait. A new
    // socket's send buffer is empty, so this short write fits in it whole.
    let _ = stream.set_nonblocking(true);
    let mut busy = Response::error_page(
        Status::SERVICE_UNAVAILABLE,
        "The server is busy; try again.",
    )
    .with_header("Retry-After", "1");
    for (name, value) in extra {
        busy = busy.with_header(*name, *value);
    }
    let _ = busy.write_to(stream, false);
}
// ANCHOR_END: slot

// ANCHOR: handle_connection
/// Reads one request from `stream`, answers it, and closes the connection.
/// Every outcome is logged in one line.
pub fn handle_connection<H>(stream: &TcpStream, handler: &H, limits: &Limits)
where
    H: Fn(&Request) -> Response + ?Sized,
{
    let peer = peer_of(stream);
    let mut reader = RequestReader::new(stream);
    let request = match read_request(&mut reader, stream, limits) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("{peer}: {error}");
            if let Some(status) = error.status() {
                let _ = Response::error_page(status, &error.to_string()).write_to(stream, false);
                close_gracefully(stream);
            }
            return;
        }
    };

    let head = &request.head;
    let response = handler(&request);
    let status = response.status;
    // A HEAD request gets the head a GET would get, and no body.
    let written = response.write_to(stream, head.method == "HEAD");
    let line = format!(
        "{peer} \"{} {} {}\" {}",
        head.method,
        head.target,
        head.version.as_str(),
        status.code()
    );
    match written {
        Ok(()) => println!("{line}"),
        Err(error) => eprintln!("{line}, failed to send: {error}"),
    }
    close_gracefully(stream);
}

// ANCHOR_END: handle_connection

// ANCHOR: read_request
/// Reads a head and the body it announces, checking every limit first.
fn read_request<T: request::Transport>(
    reader: &mut RequestReader<T>,
    stream: &TcpStream,
    limits: &Limits,
) -> Result<Request, Error> {
    let head = reader.read_head(Instant::now() + limits.head_deadline)?;
    request::check_host(&head)?;
    if head.header("Transfer-Encoding").is_some() {
        return Err(Error::NotImplemented(
            "Transfer-Encoding (step 3 reads chunked bodies)",
        ));
    }
    let length = request::content_length(&head)?.unwrap_or(0);
    if length > limits.max_body {
        return Err(Error::BodyTooLarge); // refused before a byte of it is read
    }
    if length > 0 && request::expects_continue(&head) {
        // `&TcpStream` implements Write (and Read): one socket, two directions.
        let mut out = stream;
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = reader.read_body(length, limits.body_idle_timeout)?;
    Ok(Request { head, body })
}
// ANCHOR_END: read_request

// ANCHOR: close_gracefully
/// Closes a connection so that the response we sent actually arrives.
///
/// Closing a socket that still has unread bytes makes the kernel reset the
/// connection, and a reset can destroy the response before the client reads
/// it: the bug of step 1's naive server. That is exactly the situation after
/// an error (a `413` sent while the client is still uploading) or when a
/// client sent more than one request. So: first tell the client we are done
/// (`shutdown` sends FIN), then read and discard until it closes too, for a
/// bounded time and amount. Apache and nginx call this a "lingering close".
pub fn close_gracefully(stream: &TcpStream) {
    if stream.shutdown(Shutdown::Write).is_err() {
        return; // already gone
    }
    let deadline = Instant::now() + LINGER_TIME;
    let mut discarded = 0;
    let mut buf = [0u8; 8192];
    while discarded < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        let mut input = stream;
        match input.read(&mut buf) {
            Ok(0) => break, // the client closed: a clean ending
            Ok(n) => discarded += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}
// ANCHOR_END: close_gracefully

fn peer_of(stream: &TcpStream) -> String {
    stream.peer_addr().map_or_else(
        |_| "unknown peer".to_string(),
        |a: SocketAddr| a.to_string(),
    )
}
