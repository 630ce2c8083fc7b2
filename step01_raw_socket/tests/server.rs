//! End-to-end tests of the `step01_raw_socket` binary over real sockets.
//!
//! Each test starts the real binary on port 0 and learns its address from the
//! first line it prints, so the command-line contract is tested too.

use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use step01_raw_socket::{HeadError, MAX_HEAD_BYTES, read_head};
use testkit::{Running, connect, http, read_all};

const BIN: &str = env!("CARGO_BIN_EXE_step01_raw_socket");

fn start() -> Running {
    Running::start(BIN, &["--addr", "127.0.0.1:0"])
}

/// Asserts that the server still answers a well-formed request.
fn assert_still_serving(server: &Running) {
    let mut response = http().get(server.url()).call().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        "Hello, Seven"
    );
}

/// The first line is the URL; a real HTTP client gets a complete response.
#[test]
fn prints_its_url_and_answers_hello_seven() {
    let server = start();
    assert!(
        server
            .first_line
            .contains(&format!("http://127.0.0.1:{}/", server.addr.port())),
        "first line: {}",
        server.first_line
    );

    let mut response = http().get(server.url()).call().unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["content-length"], "12");
    assert_eq!(headers["connection"], "close");
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        "Hello, Seven"
    );
}

// ANCHOR: long_request
/// A head far longer than one 1024-byte read (a big cookie) still gets the
/// whole response and a clean close, not a reset. This is the bug in the
/// naive version, which reads once and leaves the rest unread.
#[test]
fn long_request_gets_the_whole_response_and_a_clean_close() {
    let server = start();
    let cookie = "a".repeat(6000);
    let request = format!("GET / HTTP/1.1\r\nHost: x\r\nCookie: session={cookie}\r\n\r\n");
    let mut stream = connect(server.addr);
    stream.write_all(request.as_bytes()).unwrap();

    let (response, error) = read_all(&mut stream);
    assert!(
        error.is_none(),
        "the connection ended with {error:?}, not a clean close"
    );
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, Seven"), "{response}");
}
// ANCHOR_END: long_request

/// A head sent one byte at a time is read to its end, however it is split.
#[test]
fn head_split_into_many_packets_is_answered() {
    let server = start();
    let mut stream = connect(server.addr);
    stream.set_nodelay(true).unwrap();
    for byte in b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" {
        stream.write_all(&[*byte]).unwrap();
    }
    let (response, error) = read_all(&mut stream);
    assert!(error.is_none(), "{error:?}");
    assert!(
        String::from_utf8(response)
            .unwrap()
            .ends_with("Hello, Seven")
    );
}

/// A client that connects and closes at once is logged, and the server goes on.
#[test]
fn empty_connection_is_logged_and_the_server_lives_on() {
    let server = start();
    drop(connect(server.addr));
    let line = server
        .stderr_line(|l| l.contains("closed without sending a request"))
        .unwrap();
    assert!(
        line.starts_with("127.0.0.1:"),
        "the log line names the peer: {line}"
    );
    assert_still_serving(&server);
}

/// A client that leaves mid-request gets no answer; the server logs it and
/// goes on.
#[test]
fn half_request_is_logged_and_the_server_lives_on() {
    let server = start();
    let mut stream = connect(server.addr);
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();

    let (response, _) = read_all(&mut stream);
    assert!(
        response.is_empty(),
        "a half request got {:?}",
        String::from_utf8_lossy(&response)
    );
    server
        .stderr_line(|l| l.contains("closed after 25 bytes, before the end of the head"))
        .unwrap();
    assert_still_serving(&server);
}

/// Binary garbage with no end of head is logged like any half request.
#[test]
fn garbage_is_logged_and_the_server_lives_on() {
    let server = start();
    let mut stream = connect(server.addr);
    stream
        .write_all(&[0x16, 0x03, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x00])
        .unwrap();
    stream.shutdown(Shutdown::Write).unwrap();

    let (response, _) = read_all(&mut stream);
    assert!(response.is_empty());
    server
        .stderr_line(|l| l.contains("closed after 8 bytes"))
        .unwrap();
    assert_still_serving(&server);
}

/// A head over the limit is cut off without an answer, and the server goes on.
#[test]
fn oversized_head_is_refused_and_the_server_lives_on() {
    let server = start();
    let mut stream = connect(server.addr);
    let request = format!(
        "GET / HTTP/1.1\r\nX-Filler: {}\r\n",
        "f".repeat(MAX_HEAD_BYTES)
    );
    // The server may hang up before it has read everything we send, so a
    // failed write is one of the expected outcomes, not a test failure.
    let _ = stream.write_all(request.as_bytes());

    let (response, _) = read_all(&mut stream);
    assert!(response.is_empty(), "an oversized head got an answer");
    server
        .stderr_line(|l| l.contains(&format!("head larger than {MAX_HEAD_BYTES} bytes")))
        .unwrap();
    assert_still_serving(&server);
}

/// The deadline covers the whole head, not each read: a client that dribbles
/// a byte at a time, never finishing, is cut off when the deadline passes even
/// though no single read waits long.
#[test]
fn dribbling_client_runs_out_of_time() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let dribbler = thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let started = Instant::now();
        // Stops when the server hangs up, or after a while if it never does.
        while started.elapsed() < Duration::from_secs(10) {
            if stream.write_all(b"X").is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
    });

    let (mut stream, _) = listener.accept().unwrap();
    let result = read_head(&mut stream, Instant::now() + Duration::from_millis(300));
    assert!(
        matches!(result, Err(HeadError::TimedOut { received }) if received > 0),
        "{result:?}"
    );
    drop(stream);
    dribbler.join().unwrap();
}

/// `--help` explains the flags and exits successfully.
#[test]
fn help_explains_the_flags() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("--addr"), "{help}");
    assert!(help.contains("HOST:PORT"), "{help}");
}

/// A port that is taken gives a clear error and a failing exit status.
#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(BIN).args(["--addr", &addr]).output().unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(
        error.contains(&format!("cannot listen on {addr}")),
        "{error}"
    );
    assert!(
        error.contains("--addr 127.0.0.1:0"),
        "the error suggests a way out: {error}"
    );
}
