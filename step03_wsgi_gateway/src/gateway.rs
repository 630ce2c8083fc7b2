//! The gateway interface: what a server hands an application, and what the
//! application hands back. It is Python's WSGI (PEP 3333) in Rust:
//!
//! ```python
//! def application(environ, start_response):
//!     start_response("200 OK", [("Content-Type", "text/plain")])
//!     return [b"Hello, web!"]
//! ```
//!
//! ```rust
//! use step03_wsgi_gateway::{Body, Environ, StartResponse};
//!
//! fn application(environ: &mut Environ, start_response: &mut StartResponse) -> Body {
//!     start_response.start("200 OK", [("Content-Type", "text/plain")]);
//!     Body::from("Hello, web!")
//! }
//! ```
//!
//! Any server that speaks this interface can run any application that does,
//! and that is the whole point: the server in `server.rs` and the
//! one-at-a-time server in `simple.rs` both run the same applications.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Cursor, Read, Write};
use std::sync::Arc;

use percent_encoding::percent_decode_str;

// ANCHOR: application
/// An application: anything callable as `app(environ, start_response)` that
/// returns a body. Plain functions and closures qualify, through the blanket
/// implementation below; middleware are structs that wrap an application.
///
/// `Send + Sync` because the server calls one application from many worker
/// threads at once, the way a Python WSGI server with threads does.
pub trait Application: Send + Sync + 'static {
    /// Answers one request.
    fn call(&self, environ: &mut Environ, start_response: &mut StartResponse) -> Body;
}

impl<F> Application for F
where
    F: Fn(&mut Environ, &mut StartResponse) -> Body + Send + Sync + 'static,
{
    fn call(&self, environ: &mut Environ, start_response: &mut StartResponse) -> Body {
        self(environ, start_response)
    }
}
// ANCHOR_END: application

// ANCHOR: application_fn
/// Makes a closure an application, and lets Rust infer its parameter types.
///
/// A closure passed where `impl Application` is expected needs its
/// parameter types spelled out (`|environ: &mut Environ, start_response:
/// &mut StartResponse|`), because a trait bound does not tell the compiler
/// which types they are. Passed through this function, whose bound *is* the
/// `Fn` signature, it needs none. (`tower::service_fn` does the same.)
///
/// ```
/// use step03_wsgi_gateway::{Body, application_fn};
///
/// let app = application_fn(|environ, start_response| {
///     let greeting = format!("Hello from {}", environ.path_info());
///     start_response.start("200 OK", [("Content-Type", "text/plain")]);
///     Body::from(greeting)
/// });
/// # let _ = app;
/// ```
pub fn application_fn<F>(f: F) -> F
where
    F: Fn(&mut Environ, &mut StartResponse) -> Body + Send + Sync + 'static,
{
    f
}
// ANCHOR_END: application_fn

// ANCHOR: environ
/// What the server tells the application about a request: the CGI
/// variables as strings (`REQUEST_METHOD`, `PATH_INFO`, `HTTP_HOST`, ...),
/// the body to read (`wsgi.input`), and a place for error messages
/// (`wsgi.errors`).
pub struct Environ {
    /// The variables, by name. A `BTreeMap` keeps them in order, so they
    /// list sorted (the demo's `/environ` page). It is also the fastest of
    /// the maps measured for this job (`benches/environ.rs`).
    vars: BTreeMap<String, String>,
    /// `wsgi.input`: the request body. The server has read it whole before
    /// calling the application, so reading never waits on the network.
    pub input: Input,
    /// `wsgi.errors`: where the application writes its error messages.
    pub errors: Errors,
}
// ANCHOR_END: environ

impl Environ {
    /// An environ with the given variables, body and error sink.
    pub fn new(vars: BTreeMap<String, String>, input: Input, errors: Errors) -> Environ {
        Environ {
            vars,
            input,
            errors,
        }
    }

    /// An environ for calling an application directly, without a server:
    /// a request for `target` (path and query, as in a request line) with
    /// `body`. `PATH_INFO` is decoded, as a server decodes it (bytes that
    /// are not UTF-8 become U+FFFD here; a server answers them with `400`).
    /// Errors go to memory, where a test can read them.
    ///
    /// ```
    /// use step03_wsgi_gateway::Environ;
    ///
    /// let environ = Environ::synthetic("GET", "/hello?name=Seven", b"");
    /// assert_eq!(environ.path_info(), "/hello");
    /// assert_eq!(environ.query_string(), "name=Seven");
    /// ```
    pub fn synthetic(method: &str, target: &str, body: &[u8]) -> Environ {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut vars = BTreeMap::new();
        let mut set = |key: &str, value: &str| vars.insert(key.to_string(), value.to_string());
        set("REQUEST_METHOD", method);
        set("SCRIPT_NAME", "");
        set("PATH_INFO", &percent_decode_str(path).decode_utf8_lossy());
        set("QUERY_STRING", query);
        set("REQUEST_URI", target);
        set("SERVER_NAME", "localhost");
        set("SERVER_PORT", "80");
        set("SERVER_PROTOCOL", "HTTP/1.1");
        set("REMOTE_ADDR", "127.0.0.1");
        set("HTTP_HOST", "localhost");
        set("wsgi.version", "1.0");
        set("wsgi.url_scheme", "http");
        set("wsgi.multithread", "true");
        set("wsgi.multiprocess", "false");
        set("wsgi.run_once", "false");
        if !body.is_empty() {
            set("CONTENT_LENGTH", &body.len().to_string());
        }
        Environ::new(vars, Input::new(body.to_vec()), Errors::in_memory())
    }

    /// The value of a variable.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// Sets a variable (middleware may rewrite what the application sees).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(key.into(), value.into());
    }

    /// Removes a variable, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.vars.remove(key)
    }

    /// Every variable, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `REQUEST_METHOD`, such as `GET`.
    pub fn method(&self) -> &str {
        self.get("REQUEST_METHOD").unwrap_or_default()
    }

    /// `PATH_INFO`: the path below the application's mount point, decoded.
    pub fn path_info(&self) -> &str {
        self.get("PATH_INFO").unwrap_or_default()
    }

    /// `QUERY_STRING`: what follows the `?`, still encoded.
    pub fn query_string(&self) -> &str {
        self.get("QUERY_STRING").unwrap_or_default()
    }
}

impl fmt::Debug for Environ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environ")
            .field("vars", &self.vars)
            .finish_non_exhaustive()
    }
}

/// `wsgi.input`: the request body, read like a file.
#[derive(Debug)]
pub struct Input {
    body: Cursor<Vec<u8>>,
}

impl Input {
    /// An input that reads `body`.
    pub fn new(body: Vec<u8>) -> Input {
        Input {
            body: Cursor::new(body),
        }
    }

    /// What is left to read, taken out without a copy (for a framework that
    /// keeps the body as bytes).
    pub fn into_bytes(self) -> Vec<u8> {
        // The position is at most the length: a cursor only reads forward.
        let read = usize::try_from(self.body.position()).unwrap_or(usize::MAX);
        let mut bytes = self.body.into_inner();
        bytes.drain(..read.min(bytes.len()));
        bytes
    }

    /// Reads everything that is left.
    pub fn read_all(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        // Reading from memory cannot fail.
        let _ = self.body.read_to_end(&mut rest);
        rest
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.body.read(buf)
    }
}

/// `wsgi.errors`: where an application reports problems. The server sends
/// them to its own stderr, one line prefixed with the client; an environ
/// made for a test keeps them in memory.
pub struct Errors {
    target: ErrorsTarget,
}

enum ErrorsTarget {
    /// To stderr, a whole line at a time: `writeln!` arrives in several
    /// pieces, and the prefix belongs only at the start of a line.
    Stderr {
        prefix: Arc<str>,
        pending: String,
    },
    Memory(Vec<u8>),
}

impl Errors {
    /// Errors written to stderr, each line starting with `prefix`.
    pub fn stderr(prefix: impl Into<Arc<str>>) -> Errors {
        Errors {
            target: ErrorsTarget::Stderr {
                prefix: prefix.into(),
                pending: String::new(),
            },
        }
    }

    /// Errors kept in memory; see [`Errors::written`].
    pub fn in_memory() -> Errors {
        Errors {
            target: ErrorsTarget::Memory(Vec::new()),
        }
    }

    /// What was written so far, if the errors are kept in memory.
    pub fn written(&self) -> &str {
        match &self.target {
            ErrorsTarget::Memory(bytes) => std::str::from_utf8(bytes).unwrap_or("(not UTF-8)"),
            ErrorsTarget::Stderr { .. } => "",
        }
    }
}

impl Write for Errors {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            ErrorsTarget::Stderr { prefix, pending } => {
                pending.push_str(&String::from_utf8_lossy(buf));
                while let Some(end) = pending.find('\n') {
                    let line: String = pending.drain(..=end).collect();
                    eprint!("{prefix}{line}");
                }
            }
            ErrorsTarget::Memory(bytes) => bytes.extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let ErrorsTarget::Stderr { prefix, pending } = &mut self.target {
            if !pending.is_empty() {
                eprintln!("{prefix}{}", std::mem::take(pending));
            }
        }
        Ok(())
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        let _ = self.flush(); // a last line without its newline
    }
}

// ANCHOR: start_response
/// `start_response`: how an application chooses the status and header
/// fields. It only records them. Nothing is sent until the server has the
/// body's first chunk, so an application (or a middleware around it) can
/// still change its mind.
#[derive(Debug, Default)]
pub struct StartResponse {
    status: Option<String>,
    headers: Vec<(String, String)>,
    calls: u32,
    restarted: bool,
}

impl StartResponse {
    /// Nothing recorded yet.
    pub fn new() -> StartResponse {
        StartResponse::default()
    }

    /// `start_response(status, headers)`: records a status such as
    /// `"200 OK"` and header fields, as `(name, value)` pairs:
    /// `[("Content-Type", "text/plain")]`, or `[]` for none.
    pub fn start(&mut self, status: &str, headers: impl IntoHeaders) {
        self.status = Some(status.to_string());
        self.headers = headers.into_headers();
        self.calls += 1;
    }

    /// `start_response(status, headers, exc_info)`: an application that
    /// failed after calling `start` replaces what it recorded, typically
    /// with a 500. Calling `start` twice without this is an error.
    pub fn restart_after_error(&mut self, status: &str, headers: impl IntoHeaders) {
        self.start(status, headers);
        self.restarted = true;
    }
    // ANCHOR_END: start_response

    /// The status recorded, if any.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The header fields recorded.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The header fields, for a middleware that adds or changes one.
    pub fn headers_mut(&mut self) -> &mut Vec<(String, String)> {
        &mut self.headers
    }

    /// The value of the first recorded header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let (_, value) = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(value)
    }

    /// The header fields recorded, taken out (for the server, which is done
    /// with the rest).
    pub fn into_headers(self) -> Vec<(String, String)> {
        self.headers
    }

    /// How many times `start` (or `restart_after_error`) was called.
    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// Whether a later call replaced an earlier one because of an error.
    pub fn restarted(&self) -> bool {
        self.restarted
    }
}

/// Reads a status as an application writes it, `"404 Not Found"`, into its
/// code and reason phrase. The code must be three digits from 100 to 599,
/// and the reason may be empty but hold no control character other than a
/// tab (RFC 9112, section 4): a CR or LF in it would let the application
/// write header fields of its own choosing. The server and the validator
/// both read statuses through this.
pub fn parse_status(status: &str) -> Result<(u16, &str), String> {
    let (code, reason) = status.split_once(' ').unwrap_or((status, ""));
    let three_digits = code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
    let code = match code.parse::<u16>() {
        Ok(code) if three_digits && (100..600).contains(&code) => code,
        _ => {
            return Err(format!(
                "the status {status:?} does not start with a three-digit code from 100 to 599"
            ));
        }
    };
    if reason.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!(
            "the status {status:?} has a control character in its reason"
        ));
    }
    Ok((code, reason))
}

/// The text of a panic, when it has one: `panic!("...")` carries a `&str`
/// or a `String`, anything else has none we can show.
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    }
}

/// What [`StartResponse::start`] accepts as header fields: an array of
/// `(&str, &str)` pairs, written in place (`[]` for none), or `(String,
/// String)` pairs that a program built, in a `Vec` or a slice.
///
/// Why a trait of our own rather than "any iterator of pairs of anything
/// that becomes a `String`"? With that, an empty `[]` has no type Rust can
/// infer, and `start("204 No Content", [])` would need an annotation. An
/// array here can only hold `(&str, &str)`, so `[]` needs none.
pub trait IntoHeaders {
    /// The header fields, as owned `(name, value)` pairs.
    fn into_headers(self) -> Vec<(String, String)>;
}

impl<const N: usize> IntoHeaders for [(&str, &str); N] {
    fn into_headers(self) -> Vec<(String, String)> {
        self.iter()
            .map(|&(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }
}

impl IntoHeaders for &[(&str, &str)] {
    fn into_headers(self) -> Vec<(String, String)> {
        self.iter()
            .map(|&(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }
}

impl IntoHeaders for Vec<(String, String)> {
    fn into_headers(self) -> Vec<(String, String)> {
        self
    }
}

impl IntoHeaders for &[(String, String)] {
    fn into_headers(self) -> Vec<(String, String)> {
        self.to_vec()
    }
}

impl IntoHeaders for &Vec<(String, String)> {
    fn into_headers(self) -> Vec<(String, String)> {
        self.clone()
    }
}

// ANCHOR: body
/// What an application returns: the response body, as an iterator of byte
/// chunks. The server sends the chunks as it gets them.
///
/// WSGI's `close()` is Rust's `Drop`: whatever the body holds (a file, a
/// database cursor) is released when the server drops the body, and the
/// server drops it on every path, also when the client has gone away or the
/// application panicked halfway.
pub struct Body {
    chunks: Box<dyn Iterator<Item = Vec<u8>> + Send>,
    /// The total length, when it is known before sending. Then the server
    /// can send `Content-Length`; otherwise it uses chunked encoding.
    length: Option<u64>,
}
// ANCHOR_END: body

impl Body {
    /// No body at all.
    pub fn empty() -> Body {
        Body {
            chunks: Box::new(std::iter::empty()),
            length: Some(0),
        }
    }

    /// A body produced chunk by chunk, whose length is not known ahead.
    pub fn from_chunks<I>(chunks: I) -> Body
    where
        I: IntoIterator<Item = Vec<u8>>,
        I::IntoIter: Send + 'static,
    {
        Body {
            chunks: Box::new(chunks.into_iter()),
            length: None,
        }
    }

    /// A body read from `reader` (an open file, say) a piece at a time as it
    /// is sent, `length` bytes long: a large file never sits in memory
    /// whole. This is what PEP 3333's optional `wsgi.file_wrapper` offers.
    /// If the reader fails or ends early, the body ends there, and the
    /// server, which promised `length` bytes, closes the connection so the
    /// client can tell.
    pub fn from_reader(reader: impl Read + Send + 'static, length: u64) -> Body {
        /// How much is read at a time: big enough that a large file costs
        /// few system calls, small enough that many at once cost little.
        const PIECE: u64 = 64 * 1024;
        let mut reader = reader.take(length);
        let pieces = std::iter::from_fn(move || {
            let mut piece = Vec::with_capacity(PIECE as usize);
            match (&mut reader).take(PIECE).read_to_end(&mut piece) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(piece),
            }
        });
        Body {
            chunks: Box::new(pieces),
            length: Some(length),
        }
    }

    /// The total length, if it is known.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// Calls `f` with every chunk as it is sent (a middleware counting
    /// bytes, say). The length stays known.
    pub fn inspect(self, f: impl FnMut(&Vec<u8>) + Send + 'static) -> Body {
        Body {
            chunks: Box::new(self.chunks.inspect(f)),
            length: self.length,
        }
    }

    /// Calls `f` when the body is dropped: when the server is done with it,
    /// whether it was sent whole or not. This is WSGI's `close()`.
    pub fn on_close(self, f: impl FnOnce() + Send + 'static) -> Body {
        let length = self.length;
        Body {
            chunks: Box::new(OnClose {
                chunks: self.chunks,
                callback: Some(f),
            }),
            length,
        }
    }
}

impl Iterator for Body {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        self.chunks.next()
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        let length = Some(bytes.len() as u64);
        Body {
            chunks: Box::new(std::iter::once(bytes)),
            length,
        }
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from(text.into_bytes())
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body::from(text.as_bytes().to_vec())
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// The iterator behind [`Body::on_close`].
struct OnClose<F: FnOnce()> {
    chunks: Box<dyn Iterator<Item = Vec<u8>> + Send>,
    callback: Option<F>,
}

impl<F: FnOnce()> Iterator for OnClose<F> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        self.chunks.next()
    }
}

impl<F: FnOnce()> Drop for OnClose<F> {
    fn drop(&mut self) {
        if let Some(callback) = self.callback.take() {
            callback();
        }
    }
}

/// Reads a whole body into memory (for tests and middleware).
pub fn collect_body(body: Body) -> Vec<u8> {
    body.flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A plain function is an application.
    #[test]
    fn a_function_is_an_application() {
        fn hello(_: &mut Environ, start_response: &mut StartResponse) -> Body {
            start_response.start("200 OK", [("Content-Type", "text/plain")]);
            Body::from("hi")
        }
        let mut environ = Environ::synthetic("GET", "/", b"");
        let mut start_response = StartResponse::new();
        // Through the trait, as a server calls it.
        let body = Application::call(&hello, &mut environ, &mut start_response);
        assert_eq!(start_response.status(), Some("200 OK"));
        assert_eq!(start_response.header("content-type"), Some("text/plain"));
        assert_eq!(collect_body(body), b"hi");
    }

    /// A body made from one string knows its length; one made from an
    /// iterator does not.
    #[test]
    fn body_lengths() {
        assert_eq!(Body::from("hello").length(), Some(5));
        assert_eq!(Body::empty().length(), Some(0));
        assert_eq!(Body::from_chunks(vec![b"a".to_vec()]).length(), None);
    }

    /// on_close runs when the body is dropped, sent or not.
    #[test]
    fn on_close_runs_on_drop() {
        let closed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&closed);
        let mut body = Body::from_chunks(vec![b"a".to_vec(), b"b".to_vec()])
            .on_close(move || flag.store(true, Ordering::SeqCst));
        assert_eq!(body.next(), Some(b"a".to_vec()));
        assert!(!closed.load(Ordering::SeqCst));
        drop(body); // half sent, as when a client goes away
        assert!(closed.load(Ordering::SeqCst));
    }

    /// What was read is not read again; what is left is taken whole.
    #[test]
    fn input_into_bytes_takes_what_is_left() {
        let mut input = Input::new(b"hello".to_vec());
        let mut first = [0u8; 2];
        input.read_exact(&mut first).unwrap();
        assert_eq!(input.into_bytes(), b"llo");
        assert_eq!(Input::new(b"all".to_vec()).into_bytes(), b"all");
    }

    /// A body from a reader is read in pieces, and its length is known.
    #[test]
    fn body_from_a_reader() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let body = Body::from_reader(Cursor::new(bytes.clone()), bytes.len() as u64);
        assert_eq!(body.length(), Some(200_000));
        let pieces: Vec<Vec<u8>> = body.collect();
        assert!(pieces.len() > 1, "read in one piece");
        assert_eq!(pieces.concat(), bytes);
        // It stops at `length`, even if the reader has more.
        let short = Body::from_reader(Cursor::new(b"abcdef".to_vec()), 3);
        assert_eq!(collect_body(short), b"abc");
    }

    /// start_response records each call; a second call is visible.
    #[test]
    fn start_response_counts_calls() {
        let mut start_response = StartResponse::new();
        start_response.start("200 OK", [("A", "1")]);
        start_response.restart_after_error("500 Internal Server Error", []);
        assert_eq!(start_response.calls(), 2);
        assert!(start_response.restarted());
        assert_eq!(start_response.status(), Some("500 Internal Server Error"));
        assert!(start_response.headers().is_empty());
    }
}
