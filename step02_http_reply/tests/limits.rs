//! Every limit and every malformed request, over real sockets: each gets its
//! status, and the server goes on serving.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use step02_http_reply::request::{MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
use step02_http_reply::server::MAX_CONNECTIONS;
use step02_http_reply::{Limits, Request, Response, Status, serve_with};
use testkit::{Running, connect, exchange, hostile, read_all};

const BIN: &str = env!("CARGO_BIN_EXE_step02_http_reply");

/// Starts the library's server on port 0 with `limits`, answering every
/// request with its own body (so tests can see what the server read).
fn start_echo(limits: Limits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let echo =
        |request: &Request| Response::text(Status::OK, String::from_utf8_lossy(&request.body));
    thread::spawn(move || serve_with(listener, echo, limits));
    addr
}

fn short_limits() -> Limits {
    Limits {
        head_deadline: Duration::from_millis(300),
        body_idle_timeout: Duration::from_millis(300),
        ..Limits::default()
    }
}

// ANCHOR: table
/// Each malformed or oversized request gets the status that says what is
/// wrong with it, and the server answers the next request normally.
#[test]
fn every_bad_request_gets_its_status() {
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
    let limits = hostile::Limits {
        target: MAX_TARGET_BYTES,
        head: MAX_HEAD_BYTES,
        headers: MAX_HEADERS,
        body: MAX_BODY_BYTES,
    };
    let mut cases = hostile::bad_requests(&limits);
    // This step does not implement Transfer-Encoding (step 3 does).
    cases.push(hostile::BadRequest {
        what: "Transfer-Encoding",
        bytes: b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            .to_vec(),
        status: 501,
    });
    for case in cases {
        let response = exchange(server.addr, &case.bytes);
        assert_eq!(
            response.status(),
            Some(case.status),
            "{}: got {:?}",
            case.what,
            response.text()
        );
        assert!(
            response
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{}: the error comes as a page: {}",
            case.what,
            response.head()
        );
        let ok = exchange(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(
            ok.status(),
            Some(200),
            "after {}, the server stopped serving",
            case.what
        );
    }
}
// ANCHOR_END: table

/// An oversized body is refused before it is read: we send only the head,
/// and the answer is 413 at once. A server that waited for the body would
/// time out instead (408).
#[test]
fn oversized_body_is_refused_without_reading_it() {
    let addr = start_echo(short_limits());
    let mut stream = connect(addr);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        MAX_BODY_BYTES + 1
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (bytes, _) = read_all(&mut stream);
    assert!(
        bytes.starts_with(b"HTTP/1.1 413 "),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

/// A body within the limit is read whole, however it is split.
#[test]
fn body_is_read_by_content_length() {
    let addr = start_echo(Limits::default());
    let body = "x".repeat(100_000);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let response = exchange(addr, request.as_bytes());
    assert_eq!(response.status(), Some(200));
    assert_eq!(response.body(), body.as_bytes());
}

/// A head that is still incomplete at the deadline gets 408; a connection
/// that never sent a byte is closed without a word.
#[test]
fn head_deadline() {
    let addr = start_echo(short_limits());
    let mut dribbler = connect(addr);
    dribbler
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let (bytes, _) = read_all(&mut dribbler);
    assert!(
        bytes.starts_with(b"HTTP/1.1 408 "),
        "{}",
        String::from_utf8_lossy(&bytes)
    );

    let mut silent = connect(addr);
    let (bytes, _) = read_all(&mut silent);
    assert!(
        bytes.is_empty(),
        "a silent client got {}",
        String::from_utf8_lossy(&bytes)
    );
}

/// The head deadline covers the whole head: a client that keeps sending a
/// byte every 20 ms, never finishing, still gets 408 while it is sending. A
/// timeout per read would never fire for it.
#[test]
fn dribbling_head_gets_408_while_still_dribbling() {
    let addr = start_echo(short_limits());
    let mut stream = connect(addr);
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut dribbler = stream.try_clone().unwrap();
    let gave_up = Arc::new(AtomicBool::new(false));
    let gave_up_flag = Arc::clone(&gave_up);
    let dribbling = thread::spawn(move || {
        let started = Instant::now();
        // Until the server hangs up; the 20 s cap only stops a broken test.
        while dribbler.write_all(b"X").is_ok() {
            if started.elapsed() > Duration::from_secs(20) {
                gave_up_flag.store(true, Ordering::SeqCst);
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
    });
    let (bytes, _) = read_all(&mut stream);
    let gave_up_first = gave_up.load(Ordering::SeqCst);
    drop(stream);
    dribbling.join().unwrap();
    assert!(!gave_up_first, "the server waited for the dribbler to stop");
    assert!(
        bytes.starts_with(b"HTTP/1.1 408 "),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

/// A body that stops arriving gets 408 once the idle timeout passes.
#[test]
fn stalled_body() {
    let addr = start_echo(short_limits());
    let mut stream = connect(addr);
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    let (bytes, _) = read_all(&mut stream);
    assert!(
        bytes.starts_with(b"HTTP/1.1 408 "),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

/// With `Expect: 100-continue`, the client waits for our go-ahead before it
/// sends the body; a body over the limit gets 413 and no go-ahead.
#[test]
fn expect_100_continue() {
    let addr = start_echo(Limits::default());
    let mut stream = connect(addr);
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        )
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"hello").unwrap();
    let (bytes, _) = read_all(&mut stream);
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.starts_with("HTTP/1.1 200 OK") && text.ends_with("\r\n\r\nhello"),
        "{text}"
    );

    let too_big = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        MAX_BODY_BYTES + 1
    );
    let response = exchange(addr, too_big.as_bytes());
    assert_eq!(response.status(), Some(413), "{}", response.text());
}

/// A client that sends more than the server reads (here a second request
/// and 200 KB after it) gets the first answer whole and a clean close: the
/// unread bytes must not make the kernel reset the connection under the
/// response, as it did to step 1's naive server.
#[test]
fn unread_bytes_do_not_reset_the_response() {
    let addr = start_echo(Limits::default());
    let mut request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi".to_vec();
    request.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    request.extend_from_slice(&[b'z'; 200_000]);
    let mut stream = connect(addr);
    // Write from another thread, as a browser would, so that we read the
    // answer while the rest is still on its way.
    let mut writer = stream.try_clone().unwrap();
    let sender = thread::spawn(move || {
        let _ = writer.write_all(&request);
        let _ = writer.shutdown(std::net::Shutdown::Write);
    });
    let (bytes, error) = read_all(&mut stream);
    sender.join().unwrap();
    assert!(error.is_none(), "the connection was reset: {error:?}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\n") && text.ends_with("\r\n\r\nhi"),
        "{text}"
    );
}

/// A slow client does not hold up anyone: while one connection stays silent,
/// another is answered at once (the silent one is still open afterwards).
#[test]
fn a_silent_client_does_not_block_others() {
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
    let mut silent = connect(server.addr);
    let response = exchange(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(200));
    silent.set_nonblocking(true).unwrap();
    let still_open =
        matches!(silent.read(&mut [0; 1]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    assert!(
        still_open,
        "the silent client was dropped before the other was served"
    );
}

/// Past MAX_CONNECTIONS open connections, a new client gets 503 at once.
#[test]
fn too_many_connections_get_503() {
    let addr = start_echo(Limits {
        head_deadline: Duration::from_secs(60),
        ..Limits::default()
    });
    // Each of these holds a thread, waiting for a head that never comes.
    let held: Vec<_> = (0..MAX_CONNECTIONS).map(|_| connect(addr)).collect();
    let response = exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(503), "{}", response.text());
    assert_eq!(response.header("retry-after").as_deref(), Some("1"));
    drop(held);
}
