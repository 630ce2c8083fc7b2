//! Reading a request: the limits, the head parsed by `httparse`, and the body
//! read by `Content-Length`.
//!
//! Parsing is a pure function of bytes ([`parse_head`]), so it is tested with
//! tables and no socket. Reading ([`RequestReader`]) is the loop around it:
//! read some bytes, try to parse, read more if the head is not complete.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::error::Error;

// ANCHOR: limits
/// The longest request target (path and query) we accept: 8 KiB, answered
/// with `414 URI Too Long`. RFC 9112 (section 3) recommends supporting at
/// least 8000 octets; a longer target is almost always an attack or a bug.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;

/// The largest request head we accept, request line and header fields
/// together: 16 KiB, answered with `431 Request Header Fields Too Large`.
/// Browsers stay well below that even with many cookies; without a limit, a
/// client could make us buffer an endless head.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The most header fields we accept, also answered with `431`. Real
/// requests carry a few dozen at most; nginx and hyper both allow 100.
pub const MAX_HEADERS: usize = 100;

/// The largest body we accept by default: 1 MiB, answered with `413 Content
/// Too Large` *before* reading any of it, so an oversized upload costs us
/// nothing but the head.
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// How long a client has, from its first moment on the connection, to send
/// a complete head. A deadline for the whole head, not a timeout per read:
/// a client that dribbles a byte every few seconds never trips a per-read
/// timeout, and could hold a connection (and its thread) forever.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);

/// How long the body may stall between two reads. Not a deadline for the
/// whole body, since a large upload over a slow link is legitimate; only
/// silence is not.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);
// ANCHOR_END: limits

/// The limits a server applies. [`Limits::default`] uses the constants
/// above; tests shorten the time limits.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest body accepted ([`MAX_BODY_BYTES`]).
    pub max_body: u64,
    /// The deadline for the head ([`HEAD_DEADLINE`]).
    pub head_deadline: Duration,
    /// The longest silence while reading a body ([`BODY_IDLE_TIMEOUT`]).
    pub body_idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: MAX_BODY_BYTES,
            head_deadline: HEAD_DEADLINE,
            body_idle_timeout: BODY_IDLE_TIMEOUT,
        }
    }
}

// ANCHOR: head
/// The HTTP versions a server can speak without upgrading the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// HTTP/1.0: one request per connection unless the client asks for more.
    Http10,
    /// HTTP/1.1: connections stay open by default; `Host` is required.
    Http11,
}

/// One header field, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The name, in the case the client sent it.
    pub name: String,
    /// The value, decoded as ISO-8859-1. Every byte becomes one character, so
    /// nothing is lost; it is what Python's WSGI does too (PEP 3333). Real
    /// values are almost always plain ASCII.
    pub value: String,
}

/// A parsed request head: the request line and the header fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// `GET`, `POST`, ... Methods are case-sensitive: `get` is not `GET`.
    pub method: String,
    /// The request target as sent, such as `/index.html?lang=en`.
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// The header fields, in order.
    pub headers: Vec<Header>,
}

/// A complete request: its head and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The request line and header fields.
    pub head: Head,
    /// The body, as many bytes as `Content-Length` said (empty if none).
    pub body: Vec<u8>,
}
// ANCHOR_END: head

impl Version {
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

impl Head {
    /// The value of the first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let field = self
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))?;
        Some(&field.value)
    }

    /// The values of every header field called `name` (any case), in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The path and the query of the target, as sent (still percent-encoded).
    ///
    /// Accepts the *origin form* every browser sends (`/path?query`) and the
    /// *absolute form* (`http://host/path?query`), which RFC 9112 (section
    /// 3.2.2) requires servers to accept. Anything else (`*`, or a bare
    /// `host:port`) is for proxies and `OPTIONS`, which we do not serve.
    pub fn path_and_query(&self) -> Result<(&str, Option<&str>), Error> {
        path_and_query(&self.target)
    }
}

/// The path and the query of a request target; see [`Head::path_and_query`].
/// A free function too, for code that has the target without its head (an
/// application reading it back from the environ in step 4, say).
pub fn path_and_query(target: &str) -> Result<(&str, Option<&str>), Error> {
    let origin_form = if target.starts_with('/') {
        target
    } else if let Some(rest) = strip_scheme(target) {
        // Drop the authority: the path starts at the first '/' after it.
        rest.find('/').map_or("/", |slash| &rest[slash..])
    } else {
        return Err(Error::BadRequest(
            "the request target must be a path, such as /index.html",
        ));
    };
    Ok(match origin_form.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (origin_form, None),
    })
}

fn strip_scheme(target: &str) -> Option<&str> {
    let lower = target.get(..8)?.to_ascii_lowercase();
    if lower.starts_with("http://") {
        target.get(7..)
    } else if lower == "https://" {
        target.get(8..)
    } else {
        None
    }
}

// ANCHOR: parse_head
/// Parses a request head from the start of `buf`.
///
/// Returns `Ok(None)` while the head is incomplete: that is not an error,
/// only a sign to read more. On success, returns the head and how many
/// bytes of `buf` it used; anything after them is the body, or the next
/// request.
pub fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, Error> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    let used = match request.parse(buf) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) => {
            check_partial_size(buf)?;
            return Ok(None);
        }
        Err(error) => return Err(parse_error(error, buf)),
    };
    if used > MAX_HEAD_BYTES {
        return Err(Error::HeadTooLarge);
    }
    // httparse has checked every byte against the grammar, so on Complete
    // the request line's parts are all there.
    let (Some(method), Some(target), Some(minor)) = (request.method, request.path, request.version)
    else {
        return Err(Error::BadRequest("incomplete request line"));
    };
    if target.len() > MAX_TARGET_BYTES {
        return Err(Error::TargetTooLong);
    }
    let version = if minor == 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let headers = request
        .headers
        .iter()
        .map(|field| Header {
            name: field.name.to_string(),
            value: latin1(field.value),
        })
        .collect();
    let head = Head {
        method: method.to_string(),
        target: target.to_string(),
        version,
        headers,
    };
    Ok(Some((head, used)))
}

// ANCHOR_END: parse_head

// ANCHOR: parse_errors
/// An incomplete head may already be too big to ever be accepted.
fn check_partial_size(buf: &[u8]) -> Result<(), Error> {
    match buf.iter().position(|&b| b == b'\n') {
        // The request line is still arriving: is its target already too long?
        None => {
            let target_start = buf
                .iter()
                .position(|&b| b == b' ')
                .map_or(0, |space| space + 1);
            if buf.len() - target_start > MAX_TARGET_BYTES {
                return Err(Error::TargetTooLong);
            }
            if buf.len() > MAX_HEAD_BYTES {
                return Err(Error::HeadTooLarge);
            }
        }
        Some(_) if buf.len() > MAX_HEAD_BYTES => return Err(Error::HeadTooLarge),
        Some(_) => {}
    }
    Ok(())
}

/// Turns httparse's error into ours, with a reason a person can act on.
fn parse_error(error: httparse::Error, buf: &[u8]) -> Error {
    match error {
        httparse::Error::TooManyHeaders => Error::HeadTooLarge,
        // httparse says "Version" both for HTTP/2.0, a real version we do
        // not speak (505), and for garbage where the version should be (400).
        httparse::Error::Version if names_a_version(buf) => Error::VersionNotSupported,
        httparse::Error::Version | httparse::Error::Token => {
            Error::BadRequest("malformed request line")
        }
        httparse::Error::HeaderName => {
            Error::BadRequest("malformed header name (a space before the colon?)")
        }
        httparse::Error::HeaderValue => Error::BadRequest("control character in a header value"),
        httparse::Error::NewLine => Error::BadRequest("malformed line ending"),
        httparse::Error::Status => Error::BadRequest("malformed request"),
    }
}

/// Whether the request line is well formed but for its version, which is
/// shaped like `HTTP/2.0`: three parts, the last `HTTP/` digit `.` digit.
fn names_a_version(buf: &[u8]) -> bool {
    let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    matches!(parts[..], [_, _, [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]]
        if major.is_ascii_digit() && minor.is_ascii_digit())
}
// ANCHOR_END: parse_errors

/// Decodes bytes as ISO-8859-1: each byte is the character with that code.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

// ANCHOR: framing
/// The body length announced by `Content-Length`, if there is one.
///
/// The value must be a plain decimal number, and the field must appear only
/// once (RFC 9112, section 6.3). This is strict on purpose: when a proxy and
/// a server disagree on where a body ends, an attacker can hide a second
/// request inside the first ("request smuggling").
pub fn content_length(head: &Head) -> Result<Option<u64>, Error> {
    let mut values = head.headers_named("Content-Length");
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Error::BadRequest("Content-Length appears more than once"));
    }
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::BadRequest("Content-Length is not a number"));
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| Error::BadRequest("Content-Length is too large"))
}

/// Checks the `Host` field: HTTP/1.1 requires exactly one (RFC 9112,
/// section 3.2), so a server can tell which site a request is for, and a
/// server must refuse one whose value is not a host and an optional port.
/// Applications read `Host` (to build links, or to compare with `Origin`,
/// step 4), so a value such as `<b>x` or `a b` never reaches them.
pub fn check_host(head: &Head) -> Result<(), Error> {
    let mut values = head.headers_named("Host");
    match (values.next(), values.next()) {
        (None, _) if head.version == Version::Http11 => {
            Err(Error::BadRequest("HTTP/1.1 requires a Host header"))
        }
        (Some(_), Some(_)) => Err(Error::BadRequest("Host appears more than once")),
        (Some(host), None) if !is_valid_host(host) => Err(Error::BadRequest(
            "Host is not a host name or address and a port",
        )),
        _ => Ok(()),
    }
}

/// Whether the client waits for `100 Continue` before sending its body
/// (`Expect: 100-continue`, RFC 9110 section 10.1.1). curl does that for
/// large uploads, so that a server can refuse them before they are sent.
pub fn expects_continue(head: &Head) -> bool {
    head.version == Version::Http11
        && head
            .header("Expect")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
}
// ANCHOR_END: framing

// ANCHOR: valid_host
/// Whether `value` is what `Host` may hold (RFC 9110 section 7.2, with the
/// grammar of RFC 3986 section 3.2.2): a name (`example.com`, letters,
/// digits, `-._~`, `%` escapes and `!$&'()*+,;=`), an IPv4 address, or an
/// IPv6 address in brackets (`[::1]`); then optionally `:` and a port of
/// at most 65535. An empty value is allowed: the grammar allows it, for a
/// URI with no host.
pub fn is_valid_host(value: &str) -> bool {
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let Some((address, after)) = rest.split_once(']') else {
            return false;
        };
        if address.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("", port),
                None => return false,
            },
        }
    } else {
        match value.split_once(':') {
            Some((host, port)) => (host, port),
            None => (value, ""),
        }
    };
    let name_byte = |b: &u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(b);
    // Between escapes, only those bytes; each `%` starts two hex digits.
    let mut pieces = host.split('%');
    let first_ok = pieces
        .next()
        .is_some_and(|piece| piece.bytes().all(|b| name_byte(&b)));
    let escapes_ok = pieces.all(|piece| {
        let bytes = piece.as_bytes();
        bytes.len() >= 2
            && bytes[..2].iter().all(u8::is_ascii_hexdigit)
            && bytes[2..].iter().all(name_byte)
    });
    let port_ok = port.is_empty()
        || (port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok());
    first_ok && escapes_ok && port_ok
}
// ANCHOR_END: valid_host

/// What [`RequestReader`] needs from a connection: bytes, and a way to bound
/// how long the next read may wait. Implemented for `TcpStream` and
/// `&TcpStream`; tests implement it for a source that hands out bytes in
/// small pieces.
pub trait Transport: Read {
    /// Limits how long the next reads may block (`None`: forever).
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Transport for &TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

impl Transport for TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// How many bytes one [`RequestReader::fill`] reads at most. The largest
/// head we accept fits in one read (it is [`MAX_HEAD_BYTES`]), and a body arrives in
/// pieces this big: a 1 MiB upload costs 64 reads. It is the buffer's
/// starting size too, so each idle connection costs 16 KiB; reading more at
/// once would save few system calls (a socket rarely has more waiting) and
/// cost every connection more memory.
pub const FILL_BYTES: usize = 16 * 1024;

/// After a large body the buffer has grown; once it is empty again and
/// bigger than this many fills, it is given back, so that a connection that
/// once uploaded 1 MiB does not keep 1 MiB while it idles. Smaller buffers
/// are kept: reallocating them for every request would cost more than they
/// weigh.
const KEEP_BUFFER_FILLS: usize = 4;

// ANCHOR: reader
/// Reads requests from a connection.
///
/// It owns the bytes that arrived but were not used yet, so nothing is lost
/// between the head and the body, or between one request and the next.
pub struct RequestReader<T> {
    transport: T,
    /// Bytes received and not yet handed out are `buf[..filled]`, oldest
    /// first; the rest of `buf` is room for the next read. The room is
    /// kept between reads, so it is zeroed once, not before every read.
    buf: Vec<u8>,
    filled: usize,
}

impl<T: Transport> RequestReader<T> {
    /// A reader with nothing buffered yet.
    pub fn new(transport: T) -> Self {
        RequestReader {
            transport,
            buf: Vec::new(),
            filled: 0,
        }
    }

    /// The connection underneath.
    pub fn get_ref(&self) -> &T {
        &self.transport
    }

    /// Bytes received and not yet handed out.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[..self.filled]
    }

    /// Marks the first `n` buffered bytes as used.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.filled);
        self.buf.copy_within(n..self.filled, 0);
        self.filled -= n;
        // After a large body, give the memory back.
        if self.filled == 0 && self.buf.len() > KEEP_BUFFER_FILLS * FILL_BYTES {
            self.buf = Vec::new();
        }
    }

    /// Parses a head from the bytes already buffered, without reading:
    /// `Ok(None)` if they do not hold a whole head yet.
    pub fn parse_buffered(&mut self) -> Result<Option<Head>, Error> {
        let Some((head, used)) = parse_head(self.buffered())? else {
            return Ok(None);
        };
        self.consume(used);
        Ok(Some(head))
    }

    // ANCHOR_END: reader

    // ANCHOR: reader_head
    /// Reads until a complete head has arrived, then parses it.
    pub fn read_head(&mut self, deadline: Instant) -> Result<Head, Error> {
        // The bytes may already be here (a client that sends two requests at
        // once), so try to parse before reading anything.
        let mut new_line = self.buffered().contains(&b'\n');
        loop {
            // A head can only end at a line feed, so parsing is only worth
            // trying when one arrived, or when the size limits may be hit.
            if new_line || self.filled > MAX_TARGET_BYTES {
                if let Some(head) = self.parse_buffered()? {
                    return Ok(head);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::HeadTimeout {
                    received: self.filled,
                });
            }
            self.transport.set_read_timeout(Some(left))?;
            let received_before = self.filled;
            match self.fill() {
                Ok(0) if received_before == 0 => return Err(Error::NoRequest),
                Ok(0) => return Err(Error::Incomplete),
                Ok(_) => new_line = self.buffered()[received_before..].contains(&b'\n'),
                Err(e) if is_timeout(&e) => {
                    return Err(Error::HeadTimeout {
                        received: received_before,
                    });
                }
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    // ANCHOR_END: reader_head

    // ANCHOR: reader_body
    /// Reads a body of exactly `length` bytes. The caller has checked the
    /// length against its limit first.
    pub fn read_body(&mut self, length: u64, idle_timeout: Duration) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        self.body(length, idle_timeout)
            .read_to_end(&mut body)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => Error::Incomplete,
                _ if is_timeout(&e) => Error::BodyTimeout,
                _ => Error::Io(e),
            })?;
        Ok(body)
    }

    /// A reader for a body of `length` bytes: it hands out what is buffered
    /// first, then reads from the connection, and ends after `length` bytes.
    /// It fails with `UnexpectedEof` if the connection ends sooner.
    pub fn body(&mut self, length: u64, idle_timeout: Duration) -> BodyReader<'_, T> {
        BodyReader {
            reader: self,
            left: length,
            idle_timeout,
        }
    }

    /// Reads once from the connection, appending what it has (up to 16 KiB)
    /// to the buffer. Returns how many bytes arrived; 0 means the client
    /// closed its side.
    pub fn fill(&mut self) -> io::Result<usize> {
        if self.buf.len() - self.filled < FILL_BYTES {
            self.buf.resize(self.filled + FILL_BYTES, 0);
        }
        let result = loop {
            match self.transport.read(&mut self.buf[self.filled..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        if let Ok(n) = result {
            self.filled += n;
        }
        result
    }
}

// ANCHOR_END: reader_body

// ANCHOR: body_reader
/// A request body being read; see [`RequestReader::body`]. (Not to be
/// confused with a response's [`Body`](crate::response::Body).)
pub struct BodyReader<'a, T> {
    reader: &'a mut RequestReader<T>,
    left: u64,
    idle_timeout: Duration,
}

impl<T: Transport> Read for BodyReader<'_, T> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || out.is_empty() {
            return Ok(0);
        }
        if self.reader.filled == 0 {
            self.reader
                .transport
                .set_read_timeout(Some(self.idle_timeout))?;
            if self.reader.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        let wanted = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(out.len());
        let n = wanted.min(self.reader.filled);
        out[..n].copy_from_slice(&self.reader.buf[..n]);
        self.reader.consume(n);
        self.left -= n as u64;
        Ok(n)
    }
}
// ANCHOR_END: body_reader

/// A read timeout shows up as `WouldBlock` on Unix and `TimedOut` on Windows.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> Result<Option<(Head, usize)>, Error> {
        parse_head(input)
    }

    /// What a parse is expected to find.
    #[derive(Debug, PartialEq)]
    enum Outcome {
        /// A whole head.
        Complete,
        /// Not enough bytes yet: read more.
        Partial,
        /// An error answered with this status.
        Status(u16),
    }
    use Outcome::{Complete, Partial, Status};

    // ANCHOR: parse_table
    /// What each kind of input parses to: a head, "read more", or the status
    /// its error maps to.
    #[test]
    fn parse_table() {
        let long_target = format!(
            "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(MAX_TARGET_BYTES)
        );
        let long_partial_target = format!("GET /{}", "a".repeat(MAX_TARGET_BYTES + 1));
        let long_head = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n",
            "b".repeat(MAX_HEAD_BYTES)
        );
        let many_headers: String = (0..=MAX_HEADERS)
            .map(|i| format!("X-{i}: {i}\r\n"))
            .collect();
        let many_headers = format!("GET / HTTP/1.1\r\n{many_headers}\r\n");
        let cases: Vec<(&[u8], Outcome)> = vec![
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Complete),
            (b"GET / HTTP/1.0\r\n\r\n", Complete),
            (b"GET / HTTP/1.1\nHost: x\n\n", Complete),
            (b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", Complete),
            (b"", Partial),
            (b"GET / HT", Partial),
            (b"GET / HTTP/1.1\r\nHost: x\r\n", Partial),
            (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", Status(400)),
            (b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n", Status(400)),
            (b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", Status(400)),
            (b"GET /a b HTTP/1.1\r\n\r\n", Status(400)),
            (b"GET /\x00 HTTP/1.1\r\n\r\n", Status(400)),
            (b"G@T / HTTP/1.1\r\n\r\n", Status(400)),
            (b"GET / FOO/1.1\r\n\r\n", Status(400)),
            (b"\x16\x03\x01\x00\xa5\x01\x00", Status(400)),
            (b"GET / HTTP/2.0\r\n\r\n", Status(505)),
            (b"GET / HTTP/1.2\r\n\r\n", Status(505)),
            (long_target.as_bytes(), Status(414)),
            (long_partial_target.as_bytes(), Status(414)),
            (long_head.as_bytes(), Status(431)),
            (many_headers.as_bytes(), Status(431)),
        ];
        for (input, expected) in cases {
            let got = match parse(input) {
                Ok(Some(_)) => Complete,
                Ok(None) => Partial,
                Err(error) => Status(error.status().map_or(0, |s| s.code())),
            };
            let shown = String::from_utf8_lossy(&input[..input.len().min(60)]);
            assert_eq!(got, expected, "input {shown:?}");
        }
    }
    // ANCHOR_END: parse_table

    /// A complete head is taken apart into its pieces; the body is left over.
    #[test]
    fn head_is_taken_apart() {
        let input = b"POST /form?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc";
        let (head, used) = parse(input).unwrap().unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.target, "/form?x=1");
        assert_eq!(head.version, Version::Http11);
        assert_eq!(head.header("host"), Some("example.com"));
        assert_eq!(head.header("CONTENT-LENGTH"), Some("3"));
        assert_eq!(&input[used..], b"abc");
    }

    /// Header values keep every byte: ISO-8859-1 maps each byte to one char.
    #[test]
    fn header_values_keep_every_byte() {
        let (head, _) = parse(b"GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9\r\n\r\n")
            .unwrap()
            .unwrap();
        let value = head.header("X-Name").unwrap();
        let bytes: Vec<u8> = value.chars().map(|c| c as u8).collect();
        assert_eq!(bytes, "café".as_bytes());
    }

    fn head_with(headers: &[(&str, &str)], version: Version) -> Head {
        Head {
            method: "GET".into(),
            target: "/".into(),
            version,
            headers: headers
                .iter()
                .map(|(n, v)| Header {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        }
    }

    /// Content-Length must be one plain decimal number.
    #[test]
    fn content_length_table() {
        type Fields<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Fields, Result<Option<u64>, ()>)] = &[
            (&[], Ok(None)),
            (&[("Content-Length", "0")], Ok(Some(0))),
            (&[("content-length", "42")], Ok(Some(42))),
            (&[("Content-Length", "")], Err(())),
            (&[("Content-Length", "-1")], Err(())),
            (&[("Content-Length", "+1")], Err(())),
            (&[("Content-Length", "1 2")], Err(())),
            (&[("Content-Length", "0x10")], Err(())),
            (&[("Content-Length", "5, 5")], Err(())),
            (&[("Content-Length", "99999999999999999999999")], Err(())),
            (&[("Content-Length", "5"), ("Content-Length", "5")], Err(())),
        ];
        for (headers, expected) in cases {
            let got = content_length(&head_with(headers, Version::Http11)).map_err(|_| ());
            assert_eq!(&got, expected, "{headers:?}");
        }
    }

    /// HTTP/1.1 needs exactly one Host; HTTP/1.0 may do without.
    /// Host values: names, addresses and ports pass; anything else not.
    #[test]
    fn host_values() {
        for good in [
            "example.com",
            "localhost:8000",
            "127.0.0.1",
            "[::1]",
            "[::1]:8000",
            "[2001:db8::7]",
            "xn--caf-dma.example",
            "a%41b",
            "",
            "host:",
        ] {
            assert!(is_valid_host(good), "{good:?} is a valid Host");
        }
        for bad in [
            "a b",
            "<b>x",
            "caf\u{e9}.example",
            "a/b",
            "a:b",
            "a:80:80",
            "a:99999",
            "a%4",
            "a%zz",
            "[::1",
            "[::1]x",
            "[nope]",
            "a\\b",
            "a@b",
            "a\"b",
        ] {
            assert!(!is_valid_host(bad), "{bad:?} is not a valid Host");
        }
    }

    #[test]
    fn host_rules() {
        assert!(check_host(&head_with(&[("Host", "x")], Version::Http11)).is_ok());
        assert!(check_host(&head_with(&[], Version::Http10)).is_ok());
        assert!(check_host(&head_with(&[], Version::Http11)).is_err());
        assert!(check_host(&head_with(&[("Host", "a"), ("host", "b")], Version::Http10)).is_err());
        assert!(check_host(&head_with(&[("Host", "a b")], Version::Http11)).is_err());
    }

    /// The target forms a server must accept, and the ones it refuses.
    #[test]
    fn target_forms() {
        let cases = [
            ("/", Some(("/", None))),
            ("/a/b?x=1&y", Some(("/a/b", Some("x=1&y")))),
            ("http://example.com/a?q", Some(("/a", Some("q")))),
            ("HTTP://example.com", Some(("/", None))),
            ("*", None),
            ("example.com:443", None),
        ];
        for (target, expected) in cases {
            let mut head = head_with(&[], Version::Http11);
            head.target = target.to_string();
            assert_eq!(head.path_and_query().ok(), expected, "{target}");
        }
    }

    /// A transport that hands out its bytes a few at a time, as a slow
    /// network would, and then reports the end of the stream.
    struct Trickle {
        bytes: Vec<u8>,
        piece: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.piece.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes.drain(..n);
            Ok(n)
        }
    }

    impl Transport for Trickle {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    /// However the bytes are split, two requests sent back to back come out
    /// as two heads with their bodies, and nothing is lost between them.
    #[test]
    fn pieces_become_requests_whatever_the_split() {
        let input = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        for piece in [1, 2, 3, 7, 64, 4096] {
            let mut reader = RequestReader::new(Trickle {
                bytes: input.to_vec(),
                piece,
            });
            let first = reader.read_head(soon()).unwrap();
            assert_eq!(first.target, "/a");
            let length = content_length(&first).unwrap().unwrap();
            assert_eq!(
                reader.read_body(length, Duration::from_secs(1)).unwrap(),
                b"hello"
            );
            let second = reader.read_head(soon()).unwrap();
            assert_eq!(second.target, "/b", "split into pieces of {piece}");
            assert!(matches!(reader.read_head(soon()), Err(Error::NoRequest)));
        }
    }

    /// A stream that ends mid-head or mid-body is reported as incomplete.
    #[test]
    fn early_end_is_incomplete() {
        let mut reader = RequestReader::new(Trickle {
            bytes: b"GET / HTTP/1.1\r\nHo".to_vec(),
            piece: 4,
        });
        assert!(matches!(reader.read_head(soon()), Err(Error::Incomplete)));

        let input = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort";
        let mut reader = RequestReader::new(Trickle {
            bytes: input.to_vec(),
            piece: 4,
        });
        reader.read_head(soon()).unwrap();
        assert!(matches!(
            reader.read_body(10, Duration::from_secs(1)),
            Err(Error::Incomplete)
        ));
    }
}
