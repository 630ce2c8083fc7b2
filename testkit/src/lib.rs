//! Helpers shared by the tests of every step. Not a lesson: the lessons are
//! the step crates, and this crate only saves their tests from repeating the
//! same plumbing.
//!
//! - [`Running`] starts one of the real binaries on port 0, reads the address
//!   it prints on its first line, collects its output, and kills it when
//!   dropped.
//! - [`connect`] and [`read_all`] talk raw bytes, for input no real client
//!   would send.
//! - [`http`] is a real HTTP client that reports 4xx and 5xx as responses.
//! - [`browser`] loads a page in headless Chromium.
//! - [`hostile`] lists malformed requests and the status each deserves.
//! - [`html`] checks that a page is a well-formed HTML5 document.
//!
//! Every wait here is bounded by [`PATIENCE`], so a broken server makes a
//! test fail instead of hang. The bound is a safety net, never a way to let
//! time pass: no test relies on sleeping for correctness.

pub mod browser;
pub mod hostile;
pub mod html;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// The longest any helper waits for a server before failing the test.
/// Generous, because CI machines are slow and busy; a passing test never
/// waits this long.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A real server binary, started for a test and killed when dropped.
pub struct Running {
    child: Child,
    /// The address the server printed on its first line.
    pub addr: SocketAddr,
    /// That first line, as printed.
    pub first_line: String,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

impl Running {
    /// Starts `program` with `args` and waits for its first line on stdout,
    /// which must contain the address it listens on (`http://HOST:PORT/` or a
    /// bare `HOST:PORT`). Pass `--addr 127.0.0.1:0` in `args` so that tests
    /// never fight over a port.
    pub fn start(program: &str, args: &[&str]) -> Running {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        let first_line = match stdout.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let errors: Vec<String> = stderr.try_iter().collect();
                panic!("{program} printed no first line; stderr: {errors:?}");
            }
        };
        let addr = address_in(&first_line)
            .unwrap_or_else(|| panic!("no HOST:PORT in the first line {first_line:?}"));
        Running {
            child,
            addr,
            first_line,
            stdout,
            stderr,
        }
    }

    /// The server's URL, `http://HOST:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Waits for a line on stdout that satisfies `wanted`, skipping others.
    pub fn stdout_line(&self, wanted: impl Fn(&str) -> bool) -> Result<String, String> {
        wait_for_line(&self.stdout, "stdout", wanted)
    }

    /// Waits for a line on stderr that satisfies `wanted`, skipping others.
    pub fn stderr_line(&self, wanted: impl Fn(&str) -> bool) -> Result<String, String> {
        wait_for_line(&self.stderr, "stderr", wanted)
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The process, for tests that signal it or wait for its exit.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns a thread that forwards each line of `pipe` into a channel.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for_line(
    lines: &Receiver<String>,
    name: &str,
    wanted: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if wanted(&line) => return Ok(line),
            Ok(line) => seen.push(line),
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "no such line on {name} in {PATIENCE:?}; saw {seen:?}"
                ));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(format!("{name} closed; saw {seen:?}"));
            }
        }
    }
}

/// Finds `HOST:PORT` in a line such as `Serving on http://127.0.0.1:8000/`.
pub fn address_in(line: &str) -> Option<SocketAddr> {
    line.split_whitespace().find_map(|word| {
        let word = word.strip_prefix("http://").unwrap_or(word);
        let word = word.split('/').next().unwrap_or(word);
        word.parse().ok()
    })
}

/// Opens a raw TCP connection whose reads and writes give up after
/// [`PATIENCE`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the peer closes. Returns the bytes and, if the connection
/// ended in an error (for example a reset) rather than a clean close, that
/// error.
pub fn read_all(stream: &mut TcpStream) -> (Vec<u8>, Option<io::Error>) {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (bytes, None),
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (bytes, Some(e)),
        }
    }
}

/// Sends `request` on a new connection and reads until the server closes.
/// A failed write is ignored: a server may rightly hang up before reading
/// everything (after a `413`, say), and the answer is what the test checks.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = connect(addr);
    let _ = stream.write_all(request);
    let (bytes, error) = read_all(&mut stream);
    RawResponse { bytes, error }
}

/// What came back on a raw connection.
pub struct RawResponse {
    /// Every byte received.
    pub bytes: Vec<u8>,
    /// How the connection ended, if not with a clean close.
    pub error: Option<io::Error>,
}

impl RawResponse {
    /// The status code of the first response, if the bytes start with one.
    pub fn status(&self) -> Option<u16> {
        let line = self.bytes.split(|&b| b == b'\n').next()?;
        let line = std::str::from_utf8(line).ok()?;
        let mut parts = line.split(' ');
        parts.next().filter(|v| v.starts_with("HTTP/1."))?;
        parts.next()?.parse().ok()
    }

    /// The head of the first response, as text.
    pub fn head(&self) -> String {
        let end = self.head_end().unwrap_or(self.bytes.len());
        String::from_utf8_lossy(&self.bytes[..end]).into_owned()
    }

    /// The value of a header field of the first response (any case).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head().split("\r\n").skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// Everything after the head of the first response.
    pub fn body(&self) -> &[u8] {
        self.head_end().map_or(&[], |end| &self.bytes[end + 4..])
    }

    /// All of it as text, for assertion messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn head_end(&self) -> Option<usize> {
        self.bytes.windows(4).position(|w| w == b"\r\n\r\n")
    }
}

/// One response read off a connection that may carry more.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The header fields, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, decoded if it was chunked.
    pub body: Vec<u8>,
    /// Whether the body was chunked.
    pub chunked: bool,
}

impl Reply {
    /// The value of a header field (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads exactly one response from `reader`, leaving whatever follows (the
/// next response) unread. The body ends where the response says:
/// `Content-Length`, chunked encoding, or the end of the connection. A
/// response to `HEAD` must be read with `head_request` set: it has no body,
/// whatever its `Content-Length` says.
pub fn read_reply(reader: &mut impl BufRead, head_request: bool) -> io::Result<Reply> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed before a response",
        ));
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| bad(&line))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let field = line.trim_end_matches(['\r', '\n']);
        if field.is_empty() {
            break;
        }
        let (name, value) = field.split_once(':').ok_or_else(|| bad(field))?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let chunked = find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let mut body = Vec::new();
    if head_request || status < 200 || status == 204 || status == 304 {
        // no body
    } else if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(|_| bad(&line))?;
            if size == 0 {
                line.clear();
                reader.read_line(&mut line)?; // the empty line after the last chunk
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf)?;
        }
    } else if let Some(length) = find("content-length") {
        let length: usize = length.parse().map_err(|_| bad(&length))?;
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(Reply {
        status,
        headers,
        body,
        chunked,
    })
}

/// Whether the server has closed `stream`, without waiting: `false` if it
/// is still open and silent.
pub fn is_closed(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let closed =
        !matches!((&*stream).read(&mut [0; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    closed
}

/// A real HTTP client. Unlike ureq's default, a 4xx or 5xx status is a
/// response to inspect, not an error.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(PATIENCE))
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The address is found in the first lines the steps print.
    #[test]
    fn finds_the_address_in_a_first_line() {
        let cases = [
            (
                "Serving Hello, Seven on http://127.0.0.1:8000/",
                Some("127.0.0.1:8000"),
            ),
            (
                "Echo server listening on 127.0.0.1:41234",
                Some("127.0.0.1:41234"),
            ),
            ("Serving on http://[::1]:9000/", Some("[::1]:9000")),
            ("starting....", None),
        ];
        for (line, expected) in cases {
            let expected: Option<SocketAddr> = expected.map(|a| a.parse().unwrap());
            assert_eq!(address_in(line), expected, "{line}");
        }
    }
}
