//! Middleware: an application that wraps an application. To the server it
//! is the application; to the application it is the server. It can look at
//! or change the environ on the way in, and the status, header fields and
//! body on the way out.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::mem;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use step02_http_reply::Status;
use step02_http_reply::response::{check_header, error_html};

use crate::exchange::{HOP_BY_HOP, PerSecond};
use crate::gateway::{Application, Body, Environ, StartResponse, parse_status};
use crate::log_writer::{Entry, LogWriter};

// ANCHOR: access_log
/// Logs one line per request in the Common Log Format that Python's
/// `wsgiref` prints:
///
/// ```text
/// 127.0.0.1 - - [21/Nov/2026 12:00:00] "GET / HTTP/1.1" 200 20
/// ```
///
/// client, two unused fields (identity and user), time, request line,
/// status, body bytes. The line is finished when the server drops the
/// body, that is when the response is over, so the byte count is what was
/// sent.
/// Lines go out through a [`LogWriter`], which writes them in batches
/// without losing any (see `log_writer.rs`).
pub struct AccessLog<A> {
    app: A,
    log: LogWriter,
}

impl<A: Application> AccessLog<A> {
    /// Logs to stderr, like `wsgiref`.
    pub fn new(app: A) -> AccessLog<A> {
        AccessLog::to(app, io::stderr())
    }

    /// Logs to `out`.
    pub fn to(app: A, out: impl Write + Send + 'static) -> AccessLog<A> {
        AccessLog {
            app,
            log: LogWriter::new(out),
        }
    }
}

// ANCHOR_END: access_log

// ANCHOR: access_log_call
impl<A: Application> Application for AccessLog<A> {
    fn call(&self, environ: &mut Environ, start_response: &mut StartResponse) -> Body {
        let mut line = LogLine {
            entry: self.log.begin(),
            // All but the status and the byte count is known now. (The
            // time is when the request came in, as Apache's log has it.)
            text: line_start(environ),
            // If the application panics, `line` is dropped as the panic
            // passes through here, and the server answers 500: log that.
            status: Some(500),
            sent: 0,
        };
        let body = self.app.call(environ, start_response);
        line.status = start_response
            .status()
            .and_then(|s| parse_status(s).ok())
            .map(|(code, _)| code);
        // The server sends no body for HEAD, 1xx, 204 or 304, whatever the
        // application made: then nothing is counted.
        let no_body = environ.method() == "HEAD"
            || line.status.is_some_and(|code| Status(code).forbids_body());
        // The line travels with the body, counting what is sent, and is
        // logged when the server drops the body: WSGI's close().
        // (`let line = &mut line` makes the closure own the whole line; a
        // closure that only wrote `line.sent` would capture that one number,
        // and the line would be logged at once, with nothing counted.)
        body.inspect(move |chunk| {
            let line = &mut line;
            if !no_body {
                line.sent += chunk.len() as u64;
            }
        })
    }
}

// ANCHOR_END: access_log_call

// ANCHOR: log_line
/// A request's line, logged when dropped.
struct LogLine {
    entry: Entry,
    /// The line up to the status: `127.0.0.1 - - [time] "GET / HTTP/1.1"`.
    text: String,
    /// The status code, if the application chose one.
    status: Option<u16>,
    sent: u64,
}

/// Client, two unused fields, time and request line.
fn line_start(environ: &Environ) -> String {
    let client = environ.get("REMOTE_ADDR").unwrap_or("-");
    let method = environ.method();
    let target = environ
        .get("REQUEST_URI")
        .unwrap_or_else(|| environ.path_info());
    let protocol = environ.get("SERVER_PROTOCOL").unwrap_or("HTTP/1.1");
    with_log_time(|time| {
        let pieces = [
            client, " - - [", time, "] \"", method, " ", target, " ", protocol, "\"",
        ];
        pieces.concat()
    })
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let mut text = mem::take(&mut self.text);
        let _ = match self.status {
            Some(code) => writeln!(text, " {code} {}", self.sent),
            None => writeln!(text, " - {}", self.sent),
        };
        self.entry.set_line(text);
    }
}

/// Calls `f` with [`log_time`] for now, made once a second per thread, as
/// the server makes its `Date` field.
fn with_log_time<R>(f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static LAST: PerSecond = const { PerSecond::new() };
    }
    LAST.with(|last| last.with_text(log_time, f))
}

/// The time as `wsgiref` writes it: `21/Nov/2026 12:00:00`. `wsgiref` uses
/// local time; we use UTC, the same clock as the `Date` header.
pub fn log_time(time: SystemTime) -> String {
    // `Sat, 21 Nov 2026 12:00:00 GMT` has every piece we need.
    let date = httpdate::fmt_http_date(time);
    let parts: Vec<&str> = date.split(' ').collect();
    match parts[..] {
        [_, day, month, year, clock, _] => format!("{day}/{month}/{year} {clock}"),
        _ => date,
    }
}
// ANCHOR_END: log_line

// ANCHOR: validate
/// Checks that the server and the application both keep to the interface,
/// like Python's `wsgiref.validate`. A broken rule becomes a `500` whose body
/// says which rule, and a line on `wsgi.errors`, so the mistake is found
/// where it was made rather than in some client far away.
pub struct Validate<A> {
    app: A,
}

impl<A: Application> Validate<A> {
    /// Wraps `app`.
    pub fn new(app: A) -> Validate<A> {
        Validate { app }
    }
}

impl<A: Application> Application for Validate<A> {
    fn call(&self, environ: &mut Environ, start_response: &mut StartResponse) -> Body {
        if let Err(problem) = check_environ(environ) {
            return report(
                environ,
                start_response,
                &format!("the server broke the rules: {problem}"),
            );
        }
        // The application gets a fresh start_response, so we see exactly
        // what it did before passing it on.
        let mut inner = StartResponse::new();
        let body = self.app.call(environ, &mut inner);
        if let Err(problem) = check_response(&inner) {
            drop(body);
            return report(
                environ,
                start_response,
                &format!("the application broke the rules: {problem}"),
            );
        }
        let promised = inner.header("Content-Length").and_then(|v| v.parse().ok());
        // Passed on as they are: the header fields moved, not copied.
        let headers = mem::take(inner.headers_mut());
        start_response.start(inner.status().unwrap_or_default(), headers);
        check_length(body, promised)
    }
}

// ANCHOR_END: validate

// ANCHOR: validate_report
fn report(environ: &mut Environ, start_response: &mut StartResponse, problem: &str) -> Body {
    let _ = writeln!(environ.errors, "validate: {problem}");
    // A whole HTML page, as every error page in this book is: the
    // developer reads it in a browser.
    start_response.start(
        "500 Internal Server Error",
        [("Content-Type", "text/html; charset=utf-8")],
    );
    let status = Status::INTERNAL_SERVER_ERROR;
    Body::from(error_html(status, &format!("validate: {problem}")))
}

/// The variables PEP 3333 requires of every server, besides the three
/// whose values `check_environ` checks too.
const REQUIRED: [&str; 6] = [
    "REQUEST_METHOD",
    "QUERY_STRING",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "wsgi.version",
];

/// Checks what the server put in the environ.
pub fn check_environ(environ: &Environ) -> Result<(), String> {
    let get = |key: &str| {
        environ
            .get(key)
            .ok_or_else(|| format!("the environ has no {key}"))
    };
    for key in REQUIRED {
        get(key)?;
    }
    let script_name = get("SCRIPT_NAME")?;
    if script_name == "/" || !(script_name.is_empty() || script_name.starts_with('/')) {
        return Err(format!(
            "SCRIPT_NAME {script_name:?} must be empty or start with / (and not be /)"
        ));
    }
    let path_info = get("PATH_INFO")?;
    if !(path_info.is_empty() || path_info.starts_with('/')) {
        return Err(format!(
            "PATH_INFO {path_info:?} must be empty or start with /"
        ));
    }
    match get("wsgi.url_scheme")? {
        "http" | "https" => Ok(()),
        other => Err(format!(
            "wsgi.url_scheme {other:?} is neither http nor https"
        )),
    }
}

// ANCHOR_END: validate_report

// ANCHOR: check_response
/// Checks what the application passed to `start_response`.
pub fn check_response(start_response: &StartResponse) -> Result<(), String> {
    let Some(status) = start_response.status() else {
        return Err("it returned without calling start_response".into());
    };
    if start_response.calls() > 1 && !start_response.restarted() {
        return Err(
            "it called start_response twice without an error (use restart_after_error)".into(),
        );
    }
    // What the server itself refuses (`parse_status`, step 2's
    // `check_header`), and then what PEP 3333 asks on top.
    let (code, reason) = parse_status(status)?;
    if reason.trim().is_empty() {
        return Err(format!(
            "the status {status:?} needs a reason phrase after the code, as in \"200 OK\""
        ));
    }
    for (name, value) in start_response.headers() {
        check_header(name, value)?;
        if name.ends_with('-') || name.ends_with('_') {
            return Err(format!("the header name {name:?} ends in - or _"));
        }
        if name.eq_ignore_ascii_case("status") {
            return Err(
                "a Status header field is not allowed (it means something else in CGI)".into(),
            );
        }
        if HOP_BY_HOP.iter().any(|hop| name.eq_ignore_ascii_case(hop)) {
            return Err(format!(
                "{name} is a hop-by-hop field, which only the server may set"
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!(
                "the value of {name} contains a control character: {value:?}"
            ));
        }
    }
    let has_type = start_response.header("Content-Type").is_some();
    let no_content = matches!(code, 100..=199 | 204 | 304);
    match (has_type, no_content) {
        (false, false) => Err(format!("a {code} response needs a Content-Type")),
        (true, true) => Err(format!(
            "a {code} response has no content, so no Content-Type"
        )),
        _ => Ok(()),
    }
}

// ANCHOR_END: check_response

// ANCHOR: check_length
/// Reports, once the body is over, a body whose length does not match the
/// `Content-Length` the application promised. (Too late for a 500 by then;
/// the report goes to stderr.)
fn check_length(body: Body, promised: Option<u64>) -> Body {
    let Some(promised) = promised else {
        return body;
    };
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    body.inspect(move |chunk| {
        counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    })
    .on_close(move || {
        let sent = sent.load(Ordering::Relaxed);
        if sent != promised {
            eprintln!(
                "validate: the body had {sent} bytes, but Content-Length promised {promised}"
            );
        }
    })
}
// ANCHOR_END: check_length

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::collect_body;
    use std::sync::Mutex;

    /// A shared buffer that a test can read after the middleware wrote to it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn hello(_: &mut Environ, start_response: &mut StartResponse) -> Body {
        start_response.start("200 OK", [("Content-Type", "text/plain")]);
        Body::from_chunks(vec![b"Hello, ".to_vec(), b"web!".to_vec()])
    }

    /// The line the access log writes for one request to `hello`, checked
    /// to come only once the body has been sent.
    fn logged(method: &str, target: &str) -> String {
        let log = Shared::default();
        let app = AccessLog::to(hello, log.clone());
        let mut environ = Environ::synthetic(method, target, b"");
        let mut start_response = StartResponse::new();
        let body = app.call(&mut environ, &mut start_response);
        drop(app); // writes what the log gathered
        assert!(
            log.0.lock().unwrap().is_empty(),
            "logged before the body was sent"
        );
        assert_eq!(collect_body(body), b"Hello, web!");
        String::from_utf8(log.0.lock().unwrap().clone()).unwrap()
    }

    /// The access log writes one line in wsgiref's format once the body is
    /// done, counting the bytes sent.
    #[test]
    fn access_log_line() {
        let line = logged("GET", "/a?b=1");
        assert!(line.starts_with("127.0.0.1 - - ["), "{line}");
        assert!(
            line.ends_with("] \"GET /a?b=1 HTTP/1.1\" 200 11\n"),
            "{line}"
        );
    }

    /// A HEAD request gets the head only, so its line counts no bytes,
    /// though the application made a body (and the server read it, to
    /// learn its length).
    #[test]
    fn access_log_counts_no_body_for_head() {
        let line = logged("HEAD", "/");
        assert!(line.ends_with("] \"HEAD / HTTP/1.1\" 200 0\n"), "{line}");
    }

    /// An application that panics still gets its line, with the 500 the
    /// server answers, in the order the requests ended.
    #[test]
    fn access_log_keeps_the_line_of_a_panic() {
        let log = Shared::default();
        let app = AccessLog::to(
            |environ: &mut Environ, start_response: &mut StartResponse| -> Body {
                if environ.path_info() == "/panic" {
                    panic!("a bug");
                }
                hello(environ, start_response)
            },
            log.clone(),
        );
        let call = |path: &str| {
            let mut environ = Environ::synthetic("GET", path, b"");
            app.call(&mut environ, &mut StartResponse::new())
        };
        let slow = call("/slow"); // under way until its body is dropped
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call("/panic")));
        assert!(panicked.is_err());
        drop(slow);
        drop(app); // writes what the log gathered
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].ends_with("\"GET /panic HTTP/1.1\" 500 0"),
            "{text}"
        );
        assert!(lines[1].ends_with("\"GET /slow HTTP/1.1\" 200 0"), "{text}");
    }

    /// The time is formatted the way wsgiref formats it.
    #[test]
    fn log_time_format() {
        let time = httpdate::parse_http_date("Sat, 21 Nov 2026 12:03:04 GMT").unwrap();
        assert_eq!(log_time(time), "21/Nov/2026 12:03:04");
    }

    /// What validate lets through untouched.
    #[test]
    fn validate_passes_a_correct_application() {
        let app = Validate::new(hello);
        let mut environ = Environ::synthetic("GET", "/", b"");
        let mut start_response = StartResponse::new();
        let body = app.call(&mut environ, &mut start_response);
        assert_eq!(start_response.status(), Some("200 OK"));
        assert_eq!(collect_body(body), b"Hello, web!");
        assert_eq!(environ.errors.written(), "");
    }

    /// Each way of breaking the interface is caught and named.
    #[test]
    fn validate_names_each_broken_rule() {
        type Broken = fn(&mut Environ, &mut StartResponse) -> Body;
        let cases: Vec<(Broken, &str)> = vec![
            (|_, _| Body::empty(), "without calling start_response"),
            (
                |_, sr| {
                    sr.start("200 OK", [("Content-Type", "text/plain")]);
                    sr.start("200 OK", [("Content-Type", "text/plain")]);
                    Body::empty()
                },
                "twice",
            ),
            (
                |_, sr| {
                    sr.start("OK", [("Content-Type", "text/plain")]);
                    Body::empty()
                },
                "three-digit code",
            ),
            (
                |_, sr| {
                    sr.start("200", [("Content-Type", "text/plain")]);
                    Body::empty()
                },
                "reason phrase",
            ),
            (
                |_, sr| {
                    sr.start(
                        "200 OK",
                        [("Content-Type", "text/plain"), ("X-Bad", "a\nb")],
                    );
                    Body::empty()
                },
                "CR, LF or NUL",
            ),
            (
                |_, sr| {
                    sr.start(
                        "200 OK",
                        [("Content-Type", "text/plain"), ("Connection", "close")],
                    );
                    Body::empty()
                },
                "hop-by-hop",
            ),
            (
                |_, sr| {
                    sr.start("200 OK", []);
                    Body::empty()
                },
                "needs a Content-Type",
            ),
            (
                |_, sr| {
                    sr.start("304 Not Modified", [("Content-Type", "text/plain")]);
                    Body::empty()
                },
                "no Content-Type",
            ),
        ];
        for (broken, expected) in cases {
            let app = Validate::new(broken);
            let mut environ = Environ::synthetic("GET", "/", b"");
            let mut start_response = StartResponse::new();
            let body = String::from_utf8(collect_body(app.call(&mut environ, &mut start_response)))
                .unwrap();
            assert_eq!(
                start_response.status(),
                Some("500 Internal Server Error"),
                "{expected}"
            );
            assert!(body.contains(expected), "expected {expected:?} in {body:?}");
            assert!(
                environ.errors.written().contains(expected),
                "{expected}: not on wsgi.errors"
            );
        }
    }

    /// A server that leaves out a required variable is reported too,
    /// whether or not its value is checked as well.
    #[test]
    fn validate_checks_the_environ() {
        let app = Validate::new(hello);
        for key in [
            "SERVER_PROTOCOL",
            "SCRIPT_NAME",
            "PATH_INFO",
            "wsgi.url_scheme",
        ] {
            let mut environ = Environ::synthetic("GET", "/", b"");
            environ.remove(key);
            let mut start_response = StartResponse::new();
            let body = collect_body(app.call(&mut environ, &mut start_response));
            let body = String::from_utf8(body).unwrap();
            let expected = format!("the server broke the rules: the environ has no {key}");
            assert!(body.contains(&expected), "{body}");
        }
    }
}
