//! End-to-end tests of the `echo_server` and `echo_client` binaries.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::process::Command;
use std::thread;

use testkit::{Running, connect, read_all};

const SERVER: &str = env!("CARGO_BIN_EXE_echo_server");
const CLIENT: &str = env!("CARGO_BIN_EXE_echo_client");

fn start_server() -> Running {
    Running::start(SERVER, &["--addr", "127.0.0.1:0"])
}

/// The client sends its message and prints exactly what came back; the
/// server reports how much it echoed once the client has closed.
#[test]
fn client_and_server_talk() {
    let server = start_server();
    let output = Command::new(CLIENT)
        .args([
            "--addr",
            &server.addr.to_string(),
            "can",
            "you",
            "hear",
            "me?",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout, "sent 16 bytes\nreceived \"can you hear me?\"\n");
    server
        .stdout_line(|l| l.ends_with(": echoed 16 bytes"))
        .unwrap();
}

/// A message much larger than any buffer comes back whole and in order.
/// We write from one thread while reading on another: if we wrote
/// everything first, both sides' buffers could fill and each would wait for
/// the other forever.
#[test]
fn a_large_message_comes_back_whole() {
    let server = start_server();
    let message: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut stream = connect(server.addr);
    let mut writer = stream.try_clone().unwrap();
    let to_send = message.clone();
    let sender = thread::spawn(move || {
        writer.write_all(&to_send).unwrap();
        writer.shutdown(Shutdown::Write).unwrap();
    });
    let (echoed, error) = read_all(&mut stream);
    sender.join().unwrap();
    assert!(error.is_none(), "{error:?}");
    assert!(
        echoed == message,
        "got {} bytes back, not the same",
        echoed.len()
    );
}

/// After one client leaves, the next one is served.
#[test]
fn serves_one_client_after_another() {
    let server = start_server();
    for word in ["first", "second"] {
        let mut stream = connect(server.addr);
        stream.write_all(word.as_bytes()).unwrap();
        let mut back = vec![0; word.len()];
        stream.read_exact(&mut back).unwrap();
        assert_eq!(back, word.as_bytes());
    }
}

/// A client pointed at a port where nothing listens gets a clear error.
#[test]
fn client_reports_a_refused_connection() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let output = Command::new(CLIENT)
        .args(["--addr", &free.to_string()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("refused"), "{stderr}");
}
