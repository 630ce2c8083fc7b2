//! Checkers for the step 1 exercises (see the "Exercises" section of the
//! step 1 chapter). Each one fails on the code as shipped and passes once the
//! exercise is solved. Run one with
//!
//! ```text
//! cargo xtask exercise check step01/threads
//! ```
//!
//! They test behaviour from the outside (the real binaries, over sockets), so
//! any correct solution passes, not only the reference one.

use std::io::{self, Read, Write};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use testkit::{Running, connect, http, read_all};

const SERVER: &str = env!("CARGO_BIN_EXE_step01_raw_socket");
const ECHO_SERVER: &str = env!("CARGO_BIN_EXE_echo_server");
const ECHO_CLIENT: &str = env!("CARGO_BIN_EXE_echo_client");

fn start(program: &str) -> Running {
    Running::start(program, &["--addr", "127.0.0.1:0"])
}

// ANCHOR: threads
/// A client that connects and stays silent must not hold up the next one.
#[test]
#[ignore = "exercise: cargo xtask exercise check step01/threads"]
fn threads() {
    let server = start(SERVER);
    // Connected first, so a one-at-a-time server accepts it first and waits
    // for its head until the deadline.
    let mut silent = connect(server.addr);

    let mut second = connect(server.addr);
    second
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (response, _) = read_all(&mut second);
    assert!(String::from_utf8_lossy(&response).ends_with("Hello, Seven"));

    // If the second client was answered concurrently, the silent one is still
    // waiting for its deadline: reading it finds no data and no close yet.
    // A one-at-a-time server only got to the second client after giving up
    // on the silent one, which it closed.
    silent.set_nonblocking(true).unwrap();
    let still_open =
        matches!(silent.read(&mut [0; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    assert!(
        still_open,
        "the second client was answered only after the silent one timed out: \
         serve each connection on its own thread"
    );
}
// ANCHOR_END: threads

// ANCHOR: request_log
/// Each request is logged on stdout with the peer address and request line.
#[test]
#[ignore = "exercise: cargo xtask exercise check step01/request_log"]
fn request_log() {
    let server = start(SERVER);
    let mut stream = connect(server.addr);
    let peer = stream.local_addr().unwrap().to_string();
    stream
        .write_all(b"GET /hello?name=Seven HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_all(&mut stream);

    let wanted = format!("{peer} GET /hello?name=Seven HTTP/1.1");
    if let Err(error) = server.stdout_line(|line| line.contains(&wanted)) {
        panic!("expected a line containing {wanted:?} on stdout: {error}");
    }
}
// ANCHOR_END: request_log

// ANCHOR: clock
/// `GET /time` tells the current time in UTC; every other path still gets
/// Hello, Seven.
#[test]
#[ignore = "exercise: cargo xtask exercise check step01/clock"]
fn clock() {
    let server = start(SERVER);
    let before = seconds_since_epoch();
    let mut response = http().get(format!("{}time", server.url())).call().unwrap();
    let after = seconds_since_epoch();
    let body = response.body_mut().read_to_string().unwrap();

    let time = body
        .strip_prefix("It is ")
        .and_then(|rest| rest.strip_suffix(" UTC."))
        .unwrap_or_else(|| panic!("the body {body:?} is not \"It is HH:MM:SS UTC.\""));
    let parts: Vec<u64> = time.split(':').filter_map(|p| p.parse().ok()).collect();
    let [h, m, s] = parts[..] else {
        panic!("{time:?} is not HH:MM:SS")
    };
    assert!(time.len() == 8, "{time:?}: use two digits for each part");
    let told = h * 3600 + m * 60 + s;
    assert!(
        (before..=after).any(|t| t % 86_400 == told),
        "the server said {time}, but the time was between {} and {}",
        clock_time(before),
        clock_time(after)
    );

    let mut other = http()
        .get(format!("{}index.html", server.url()))
        .call()
        .unwrap();
    assert_eq!(other.body_mut().read_to_string().unwrap(), "Hello, Seven");
}

fn seconds_since_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn clock_time(t: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        t % 86_400 / 3600,
        t % 3600 / 60,
        t % 60
    )
}
// ANCHOR_END: clock

// ANCHOR: interactive_echo
/// With no message on the command line, the echo client sends each line it
/// reads from stdin and prints each echo, until stdin ends.
#[test]
#[ignore = "exercise: cargo xtask exercise check step01/interactive_echo"]
fn interactive_echo() {
    let server = start(ECHO_SERVER);
    let mut client = Command::new(ECHO_CLIENT)
        .args(["--addr", &server.addr.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = client.stdin.take().unwrap();
    stdin.write_all(b"first line\nsecond line\n").unwrap();
    drop(stdin); // end of input, as Ctrl-D in a terminal

    let output = client.wait_with_output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    for line in ["first line", "second line"] {
        let wanted = format!("received \"{line}");
        assert!(
            stdout.lines().any(|l| l.starts_with(&wanted)),
            "no line starting with {wanted:?} in the client's output:\n{stdout}"
        );
    }
}
// ANCHOR_END: interactive_echo
