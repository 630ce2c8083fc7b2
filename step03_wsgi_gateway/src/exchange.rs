//! The server's half of the gateway, for one exchange (a request and its
//! response): build the environ, call the application, check what it
//! recorded with `start_response`, and send its body with the right
//! framing. Every server in this crate uses it. (Python's `wsgiref` calls
//! this part a *handler*: `handler.run(application)`.)

use std::cell::RefCell;
use std::io::{self, BufWriter, Write};
use std::net::TcpStream;
use std::panic::{self, AssertUnwindSafe};
use std::time::{SystemTime, UNIX_EPOCH};

use step02_http_reply::request::Version;
use step02_http_reply::response::{check_header, http_date, write_head};
use step02_http_reply::{Head, Response, Status};

use crate::environ::{self, ConnectionVars};
use crate::framing::ResponseFraming;
use crate::gateway::{Application, Body, StartResponse, panic_message, parse_status};

/// What this server calls itself in the `Server` header.
pub const SERVER: &str = concat!("step03_wsgi_gateway/", env!("CARGO_PKG_VERSION"));

/// Whether a connection carries another request after this response:
/// HTTP's *keep-alive* (RFC 9112, section 9.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepAlive {
    /// Keep the connection open for the next request.
    Yes,
    /// Close the connection after the response.
    No,
}

/// The request being answered, and where it came from.
pub struct Exchange<'a> {
    /// The request head.
    pub head: &'a Head,
    /// The request body, read whole.
    pub body: Vec<u8>,
    /// What the environ says about the connection.
    pub connection: &'a ConnectionVars,
    /// Whether the server allows keep-alive after this response. Asked
    /// when the response is sent, not before the application runs: a
    /// shutdown that comes meanwhile still makes this the connection's last
    /// response.
    pub keep_alive_allowed: &'a dyn Fn() -> bool,
}

// ANCHOR: run
/// Calls `app` for the request and sends its response on `out`.
///
/// Nothing the application does can crash the worker: a panic becomes a
/// `500`, and so does a response that breaks the interface (no status, a
/// header that would split the response). Problems are logged in one line.
pub fn run(app: &dyn Application, exchange: Exchange<'_>, out: &TcpStream) -> KeepAlive {
    let Exchange {
        head,
        body,
        connection,
        keep_alive_allowed,
    } = exchange;
    let peer = connection.peer;
    let mut environ = match environ::from_request(head, body, connection) {
        Ok(environ) => environ,
        Err(error) => {
            eprintln!("{peer}: {error}");
            let status = error.status().unwrap_or(Status::BAD_REQUEST);
            return send_error(out, head, status, &error.to_string());
        }
    };

    // The application is somebody else's code: if it panics, the panic
    // stops here, the client gets a 500, and this worker lives on.
    let mut start_response = StartResponse::new();
    let called = panic::catch_unwind(AssertUnwindSafe(|| {
        app.call(&mut environ, &mut start_response)
    }));
    let mut body = match called {
        Ok(body) => body,
        Err(panic) => {
            eprintln!(
                "{peer}: the application panicked: {}",
                panic_message(&*panic)
            );
            return send_error(
                out,
                head,
                Status::INTERNAL_SERVER_ERROR,
                "The application failed.",
            );
        }
    };
    // ANCHOR_END: run

    // ANCHOR: run_checked
    let status = match Recorded::check(start_response) {
        Ok(status) => status,
        Err(problem) => {
            eprintln!("{peer}: {problem}");
            return send_error(
                out,
                head,
                Status::INTERNAL_SERVER_ERROR,
                "The application failed.",
            );
        }
    };
    // Nothing is sent before the first non-empty chunk exists: until then a
    // failure can still become a clean 500.
    let length = body.length();
    let first = match next_chunk(&mut body) {
        Ok(first) => first,
        Err(panic) => {
            eprintln!("{peer}: the application panicked in its body: {panic}");
            return send_error(
                out,
                head,
                Status::INTERNAL_SERVER_ERROR,
                "The application failed.",
            );
        }
    };
    let keep_alive = keep_alive_allowed() && head.version == Version::Http11 && !wants_close(head);
    match send(out, head, status, length, first, &mut body, keep_alive) {
        Ok(keep_alive) => keep_alive,
        Err(problem) => {
            eprintln!("{peer}: {problem}");
            KeepAlive::No
        }
    }
    // `body` is dropped here, on every path above too: WSGI's close().
}
// ANCHOR_END: run_checked

/// The status and header fields an application recorded, checked.
struct Recorded {
    code: u16,
    reason: String,
    headers: Vec<(String, String)>,
    /// The application's own `Content-Length`, if it set one.
    content_length: Option<u64>,
}

/// Header fields that describe a connection rather than a response. They
/// are the server's business; an application must not set them (PEP 3333).
pub const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

impl Recorded {
    // ANCHOR: check
    /// Checks what the application recorded; the error says what is wrong.
    fn check(start_response: StartResponse) -> Result<Recorded, String> {
        let status = match (start_response.status(), start_response.calls()) {
            (None, _) => return Err("the application did not call start_response".into()),
            (Some(_), 2..) if !start_response.restarted() => {
                return Err("start_response was called twice without an error".into());
            }
            (Some(status), _) => status,
        };
        let (code, reason) = parse_status(status)?;
        let mut content_length = None;
        for (name, value) in start_response.headers() {
            check_header(name, value).map_err(|why| format!("the application's {why}"))?;
            if HOP_BY_HOP
                .iter()
                .any(|field| name.eq_ignore_ascii_case(field))
            {
                return Err(format!(
                    "the application set {name}, which is the server's business"
                ));
            }
            if name.eq_ignore_ascii_case("Content-Length") {
                let parsed = value.parse().map_err(|_| {
                    format!("the application's Content-Length {value:?} is not a number")
                })?;
                content_length = Some(parsed);
            }
        }
        let reason = reason.to_string();
        let headers = start_response.into_headers();
        Ok(Recorded {
            code,
            reason,
            headers,
            content_length,
        })
    }
    // ANCHOR_END: check
}

// ANCHOR: send
/// Sends the head and the body, choosing how the body is delimited:
/// `Content-Length` when its length is known, chunked encoding otherwise
/// (HTTP/1.1), or closing the connection after it (HTTP/1.0).
fn send(
    out: &TcpStream,
    head: &Head,
    status: Recorded,
    length: Option<u64>,
    first: Option<Vec<u8>>,
    body: &mut Body,
    mut keep_alive: bool,
) -> Result<KeepAlive, String> {
    let code = Status(status.code);
    let no_body = code.forbids_body() || head.method == "HEAD";
    let length = status.content_length.or(length);
    let mut headers = status.headers;
    let framing = if no_body {
        // HEAD says how long the body would be, when that is known; 204 and
        // 304 have no length at all.
        let head_with_length = head.method == "HEAD" && !code.forbids_body();
        if let (true, None, Some(length)) = (head_with_length, status.content_length, length) {
            headers.push(("Content-Length".into(), length.to_string()));
        }
        ResponseFraming::Empty
    } else if let Some(length) = length {
        if status.content_length.is_none() {
            headers.push(("Content-Length".into(), length.to_string()));
        }
        ResponseFraming::Length(length)
    } else if head.version == Version::Http11 {
        headers.push(("Transfer-Encoding".into(), "chunked".into()));
        ResponseFraming::Chunked
    } else {
        // An HTTP/1.0 client knows no chunks: the end of the body is the end
        // of the connection.
        keep_alive = false;
        ResponseFraming::UntilClose
    };
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Date")) {
        headers.push(("Date".into(), date_now()));
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("Server"))
    {
        headers.push(("Server".into(), SERVER.into()));
    }
    if !keep_alive && head.version == Version::Http11 {
        headers.push(("Connection".into(), "close".into()));
    }

    // ANCHOR_END: send

    // ANCHOR: send_body
    // Small writes are gathered into one system call: the head (a few
    // hundred bytes) and a short body leave together. 4 KiB holds a typical
    // page, error page or JSON answer whole. A chunk bigger than the buffer
    // is not copied into it: `BufWriter` writes it straight through.
    let mut writer = BufWriter::with_capacity(4 * 1024, out);
    let gone = |e: io::Error| format!("the client went away: {e}");
    write_head(
        &mut writer,
        Version::Http11,
        status.code,
        &status.reason,
        &headers,
    )
    .map_err(gone)?;
    // ANCHOR_END: send_body

    // ANCHOR: send_chunks
    let mut chunk = first;
    let mut sent: u64 = 0;
    while let Some(bytes) = chunk {
        match framing {
            ResponseFraming::Empty => break,
            ResponseFraming::Length(length) => {
                let room = usize::try_from(length - sent).unwrap_or(usize::MAX);
                if bytes.len() > room {
                    writer.write_all(&bytes[..room]).map_err(gone)?;
                    writer.flush().map_err(gone)?;
                    return Err(format!(
                        "the body is longer than its Content-Length ({length}); \
                         the rest was dropped"
                    ));
                }
                writer.write_all(&bytes).map_err(gone)?;
            }
            ResponseFraming::Chunked => {
                write!(writer, "{:x}\r\n", bytes.len()).map_err(gone)?;
                writer.write_all(&bytes).map_err(gone)?;
                writer.write_all(b"\r\n").map_err(gone)?;
            }
            ResponseFraming::UntilClose => writer.write_all(&bytes).map_err(gone)?,
        }
        sent += bytes.len() as u64;
        chunk = next_chunk(body).map_err(|panic| {
            // Too late for a 500: the head is gone. Closing without the end
            // of the body tells the client the response is incomplete.
            let _ = writer.flush();
            format!("the application panicked in its body after {sent} bytes: {panic}")
        })?;
    }
    if let ResponseFraming::Length(length) = framing {
        if sent < length {
            writer.flush().map_err(gone)?;
            return Err(format!("the body ended after {sent} of its {length} bytes"));
        }
    }
    if framing == ResponseFraming::Chunked {
        writer.write_all(b"0\r\n\r\n").map_err(gone)?;
    }
    writer.flush().map_err(gone)?;
    Ok(if keep_alive {
        KeepAlive::Yes
    } else {
        KeepAlive::No
    })
}
// ANCHOR_END: send_chunks

/// The `Date` value for now. It changes once a second, and formatting it
/// for every response costs more than a small response itself, so each
/// thread keeps the last one it made.
fn date_now() -> String {
    thread_local! {
        static LAST: PerSecond = const { PerSecond::new() };
    }
    LAST.with(|last| last.text(http_date))
}

/// Text made from the time to the second (a `Date` field, a log line's
/// time), kept until the second changes. Each thread has its own, in a
/// `thread_local!`, so no lock is needed.
pub(crate) struct PerSecond {
    last: RefCell<(u64, String)>,
}

impl PerSecond {
    /// Nothing made yet.
    pub(crate) const fn new() -> PerSecond {
        PerSecond {
            last: RefCell::new((u64::MAX, String::new())),
        }
    }

    /// `format(now)`, made again only if the second changed.
    pub(crate) fn text(&self, format: fn(SystemTime) -> String) -> String {
        self.with_text(format, str::to_string)
    }

    /// Calls `f` with `format(now)`, made again only if the second
    /// changed: no copy is made.
    pub(crate) fn with_text<R>(
        &self,
        format: fn(SystemTime) -> String,
        f: impl FnOnce(&str) -> R,
    ) -> R {
        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let mut last = self.last.borrow_mut();
        if last.0 != second {
            *last = (second, format(now));
        }
        f(&last.1)
    }
}

/// The next non-empty chunk of the body, or the panic that stopped it.
fn next_chunk(body: &mut Body) -> Result<Option<Vec<u8>>, String> {
    loop {
        match panic::catch_unwind(AssertUnwindSafe(|| body.next())) {
            Ok(Some(chunk)) if chunk.is_empty() => continue,
            Ok(chunk) => return Ok(chunk),
            Err(panic) => return Err(panic_message(&*panic)),
        }
    }
}

/// A page the server makes itself (a malformed request, a failed
/// application, a timeout): step 2's error page, whole HTML document and
/// all, with this server's name on it. Every server in this crate sends its
/// error pages through here.
pub fn error_page(status: Status, detail: &str) -> Response {
    Response::error_page(status, detail).with_header("Server", SERVER)
}

/// Sends a server-made error page and asks for the connection to close.
fn send_error(out: &TcpStream, head: &Head, status: Status, detail: &str) -> KeepAlive {
    let _ = error_page(status, detail).write_to(out, head.method == "HEAD");
    KeepAlive::No
}

/// Whether the client asked to close after this request (`Connection: close`).
pub fn wants_close(head: &Head) -> bool {
    head.headers_named("Connection")
        .flat_map(|value| value.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("close"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(status: &str, headers: &[(&str, &str)]) -> Result<Recorded, String> {
        let mut start_response = StartResponse::new();
        start_response.start(status, headers);
        Recorded::check(start_response)
    }

    /// What the server accepts from an application, and what it refuses.
    #[test]
    fn recorded_status_and_headers() {
        assert!(recorded("200 OK", &[("Content-Type", "text/plain")]).is_ok());
        assert!(recorded("404 Not Found", &[]).is_ok());
        assert!(
            recorded("200", &[]).is_ok(),
            "the reason phrase may be empty"
        );
        for status in [
            "OK",
            "2000 OK",
            "20 OK",
            "abc OK",
            "600 Nope",
            "200 OK\r\nX: y",
        ] {
            assert!(recorded(status, &[]).is_err(), "{status:?}");
        }
        for (name, value) in [
            ("X-A", "a\r\nSet-Cookie: x"),
            ("X-A", "a\nb"),
            ("X-A", "a\0b"),
            ("Bad Name", "x"),
            ("Transfer-Encoding", "chunked"),
            ("Connection", "close"),
            ("Content-Length", "ten"),
        ] {
            assert!(
                recorded("200 OK", &[(name, value)]).is_err(),
                "{name}: {value:?}"
            );
        }
    }

    /// start_response must be called, and only once unless after an error.
    #[test]
    fn start_response_must_be_called_once() {
        assert!(Recorded::check(StartResponse::new()).is_err());
        let mut twice = StartResponse::new();
        twice.start("200 OK", [("A", "1")]);
        twice.start("200 OK", [("A", "1")]);
        assert!(Recorded::check(twice).is_err());
        let mut restarted = StartResponse::new();
        restarted.start("200 OK", [("A", "1")]);
        restarted.restart_after_error("500 Internal Server Error", [("A", "1")]);
        assert_eq!(Recorded::check(restarted).map(|r| r.code), Ok(500));
    }
}
