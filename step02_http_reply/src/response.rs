//! A response is a value: a status, header fields and a body. It is written
//! to anything that implements `Write`, so a test can write it into a
//! `Vec<u8>` and look at the bytes, and the server writes it to a socket.

use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{self, Read, Write};
use std::time::SystemTime;

use crate::html::{escape, page};
use crate::request::Version;

/// An HTTP status code, such as `404`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Status(pub u16);

// ANCHOR: status
impl Status {
    /// 100: the client may send the body it announced.
    pub const CONTINUE: Status = Status(100);
    /// 200: here is what you asked for.
    pub const OK: Status = Status(200);
    /// 201: done, and here is what was made (see `Location`).
    pub const CREATED: Status = Status(201);
    /// 204: done, and there is nothing to send back.
    pub const NO_CONTENT: Status = Status(204);
    /// 301: it lives at another URL now (see `Location`), for good.
    pub const MOVED_PERMANENTLY: Status = Status(301);
    /// 303: done; now GET the page at `Location` (the answer to a form).
    pub const SEE_OTHER: Status = Status(303);
    /// 304: your cached copy is still good.
    pub const NOT_MODIFIED: Status = Status(304);
    /// 308: it lives at another URL (see `Location`), for good; ask there
    /// with the same method and body.
    pub const PERMANENT_REDIRECT: Status = Status(308);
    /// 400: the request is malformed.
    pub const BAD_REQUEST: Status = Status(400);
    /// 403: it exists, but you may not have it.
    pub const FORBIDDEN: Status = Status(403);
    /// 404: there is nothing here.
    pub const NOT_FOUND: Status = Status(404);
    /// 405: not with that method (see `Allow`).
    pub const METHOD_NOT_ALLOWED: Status = Status(405);
    /// 408: the request took too long to arrive.
    pub const REQUEST_TIMEOUT: Status = Status(408);
    /// 413: the body is larger than we accept.
    pub const CONTENT_TOO_LARGE: Status = Status(413);
    /// 414: the request target is too long.
    pub const URI_TOO_LONG: Status = Status(414);
    /// 415: the body is in a format we do not read (see `Content-Type`).
    pub const UNSUPPORTED_MEDIA_TYPE: Status = Status(415);
    /// 422: the request is well-formed, but what it asks is invalid (a form
    /// with a required field left empty, say).
    pub const UNPROCESSABLE_CONTENT: Status = Status(422);
    /// 431: the head is too large, or has too many fields.
    pub const HEADER_FIELDS_TOO_LARGE: Status = Status(431);
    /// 500: the server failed.
    pub const INTERNAL_SERVER_ERROR: Status = Status(500);
    /// 501: the server does not implement what the request needs.
    pub const NOT_IMPLEMENTED: Status = Status(501);
    /// 503: the server is too busy right now.
    pub const SERVICE_UNAVAILABLE: Status = Status(503);
    /// 505: the server does not speak that HTTP version.
    pub const HTTP_VERSION_NOT_SUPPORTED: Status = Status(505);

    /// The number, such as `404`.
    pub fn code(self) -> u16 {
        self.0
    }

    /// The reason phrase RFC 9110 (section 15) gives the code, such as
    /// `Not Found`, or an empty string for a code we do not know.
    pub fn reason(self) -> &'static str {
        match self.0 {
            100 => "Continue",
            200 => "OK",
            201 => "Created",
            204 => "No Content",
            206 => "Partial Content",
            301 => "Moved Permanently",
            302 => "Found",
            303 => "See Other",
            304 => "Not Modified",
            307 => "Temporary Redirect",
            308 => "Permanent Redirect",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            408 => "Request Timeout",
            411 => "Length Required",
            413 => "Content Too Large",
            414 => "URI Too Long",
            415 => "Unsupported Media Type",
            416 => "Range Not Satisfiable",
            422 => "Unprocessable Content",
            431 => "Request Header Fields Too Large",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            503 => "Service Unavailable",
            505 => "HTTP Version Not Supported",
            _ => "",
        }
    }

    /// Whether a response with this status never has a body: 1xx, 204 and
    /// 304 (RFC 9110, sections 15.2, 15.3.5 and 15.4.5).
    pub fn forbids_body(self) -> bool {
        self.0 < 200 || self.0 == 204 || self.0 == 304
    }
}
// ANCHOR_END: status

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason())
    }
}

// ANCHOR: response
/// A response, built by a handler and written once by the server.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: Status,
    /// Header fields. `Date`, `Content-Length` and `Connection` are added
    /// when the response is written.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

/// What follows the head of a response.
#[derive(Debug)]
pub enum Body {
    /// No body at all.
    Empty,
    /// Bytes already in memory.
    Bytes(Vec<u8>),
    /// The first `len` bytes of an open file, copied to the socket as they
    /// are read, so a large file never sits in memory whole.
    File(File, u64),
}

impl Body {
    /// How many bytes the body has.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::File(_, len) => *len,
        }
    }

    /// Whether the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
// ANCHOR_END: response

impl Response {
    /// A response with a status and nothing else yet.
    pub fn new(status: Status) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// An HTML page.
    pub fn html(status: Status, html: impl Into<String>) -> Response {
        Response::new(status)
            .with_header("Content-Type", "text/html; charset=utf-8")
            .with_body(html.into().into_bytes())
    }

    /// Plain text.
    pub fn text(status: Status, text: impl Into<String>) -> Response {
        Response::new(status)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(text.into().into_bytes())
    }

    /// A small HTML page for an error status. `detail` is escaped, so it may
    /// safely mention what the client asked for.
    pub fn error_page(status: Status, detail: &str) -> Response {
        Response::html(status, error_html(status, detail))
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body with bytes.
    pub fn with_body(mut self, bytes: Vec<u8>) -> Response {
        self.body = Body::Bytes(bytes);
        self
    }

    /// The value of the first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    // ANCHOR: write_to
    /// Writes the response to `out`: a `&TcpStream`, or a `&mut Vec<u8>` in a
    /// test. The response is consumed, so it can only be sent once.
    ///
    /// The server will not read another request on this connection, and says
    /// so (`Connection: close`).
    /// For a `HEAD` request, pass `head_only`: the head says how long the body
    /// would be, and the body is left out.
    pub fn write_to(self, mut out: impl Write, head_only: bool) -> io::Result<()> {
        let mut headers = self.headers;
        headers.push(("Date".into(), http_date(SystemTime::now())));
        if !self.status.forbids_body() {
            headers.push(("Content-Length".into(), self.body.len().to_string()));
        }
        headers.push(("Connection".into(), "close".into()));

        // The head and a small body go out in one write: two small writes in a
        // row can stall on the way (Nagle's algorithm meets delayed ACKs).
        let mut bytes = Vec::with_capacity(256);
        let status = self.status;
        write_head(
            &mut bytes,
            Version::Http11,
            status.code(),
            status.reason(),
            &headers,
        )?;
        let send_body = !head_only && !self.status.forbids_body();
        match self.body {
            Body::Bytes(body) if send_body => {
                bytes.extend_from_slice(&body);
                out.write_all(&bytes)?;
            }
            Body::File(file, len) if send_body => {
                out.write_all(&bytes)?;
                let copied = io::copy(&mut file.take(len), &mut out)?;
                if copied < len {
                    // The file shrank while we sent it: the length we promised
                    // is now a lie, and the client must not take this as whole.
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank"));
                }
            }
            _ => out.write_all(&bytes)?,
        }
        out.flush()
    }
    // ANCHOR_END: write_to
}

/// The HTML of [`Response::error_page`]: a whole document, its title the
/// status, `detail` escaped.
pub fn error_html(status: Status, detail: &str) -> String {
    let body = format!("<h1>{status}</h1>\n<p>{}</p>\n", escape(detail));
    page(&status.to_string(), &body)
}

// ANCHOR: write_head
/// Writes a status line and header fields, and the empty line that ends them.
///
/// Refuses a name that is not a valid token, and a value (or reason phrase)
/// with a CR, LF or NUL: written out, such a value would end the head early
/// and let whoever chose it add header fields or a whole response of their
/// own ("response splitting").
pub fn write_head(
    out: &mut impl Write,
    version: Version,
    code: u16,
    reason: &str,
    headers: &[(String, String)],
) -> io::Result<()> {
    let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    if reason.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(invalid(format!(
            "the reason phrase {reason:?} has a CR, LF or NUL"
        )));
    }
    for (name, value) in headers {
        check_header(name, value).map_err(invalid)?;
    }
    // One buffer of the right size, so the head is written with one call
    // and never copied to a bigger buffer on the way.
    let fields: usize = headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    let mut head = String::with_capacity(fields + reason.len() + 20);
    let _ = write!(head, "{} {code} {reason}\r\n", version.as_str());
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())
}

/// Checks one header field before it goes on the wire.
pub fn check_header(name: &str, value: &str) -> Result<(), String> {
    // A token: visible ASCII except the separators (RFC 9110, section 5.6.2).
    let token_byte = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token_byte) {
        return Err(format!("invalid header name {name:?}"));
    }
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(format!("header {name} has a CR, LF or NUL in its value"));
    }
    Ok(())
}
// ANCHOR_END: write_head

/// Formats a time the way HTTP dates look: `Sat, 21 Nov 2026 12:00:00 GMT`.
pub fn http_date(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(response: Response, head_only: bool) -> String {
        let mut out = Vec::new();
        response.write_to(&mut out, head_only).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A response becomes exactly these bytes, Date aside.
    #[test]
    fn response_is_written_as_http() {
        let text = written(Response::text(Status::OK, "hi"), false);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(lines[0], "HTTP/1.1 200 OK");
        assert_eq!(lines[1], "Content-Type: text/plain; charset=utf-8");
        assert!(
            lines[2].starts_with("Date: ") && lines[2].ends_with(" GMT"),
            "{}",
            lines[2]
        );
        assert_eq!(lines[3], "Content-Length: 2");
        assert_eq!(lines[4], "Connection: close");
        assert_eq!(lines.len(), 5);
        assert_eq!(body, "hi");
    }

    /// For HEAD the length is announced and the body left out.
    #[test]
    fn head_only_announces_the_length_without_the_body() {
        let text = written(Response::text(Status::OK, "hello"), true);
        assert!(text.contains("Content-Length: 5\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }

    /// 304 and 204 have neither a body nor a Content-Length.
    #[test]
    fn some_statuses_never_have_a_body() {
        for status in [Status::NOT_MODIFIED, Status::NO_CONTENT] {
            let text = written(Response::text(status, "ignored"), false);
            assert!(!text.contains("Content-Length"), "{text}");
            assert!(text.ends_with("\r\n\r\n"), "{text}");
        }
    }

    /// A header value that would split the response is refused, and nothing
    /// at all is written.
    #[test]
    fn response_splitting_is_refused() {
        let cases = [
            ("Location", "/a\r\nSet-Cookie: stolen=1"),
            ("Location", "/a\nX: y"),
            ("X-Nul", "a\0b"),
            ("Bad Name", "x"),
            ("", "x"),
        ];
        for (name, value) in cases {
            let mut out = Vec::new();
            let result = Response::new(Status::OK)
                .with_header(name, value)
                .write_to(&mut out, false);
            assert!(result.is_err(), "{name:?}: {value:?} was accepted");
            assert!(out.is_empty(), "bytes were written before the check");
        }
    }

    /// The error page escapes what it shows.
    #[test]
    fn error_page_escapes_its_detail() {
        let text = written(
            Response::error_page(Status::NOT_FOUND, "<script>x</script>"),
            false,
        );
        assert!(text.contains("&lt;script&gt;"), "{text}");
        assert!(!text.contains("<script>"), "{text}");
    }
}
