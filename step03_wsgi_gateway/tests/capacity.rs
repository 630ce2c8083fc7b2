//! A server sized to its machine: it raises its open-files limit, sizes
//! its connection cap from it, and answers thousands of clients at once.

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::TcpListener;

use step03_wsgi_gateway::server::{connections_for, raise_open_files_limit, reserved_files};
use step03_wsgi_gateway::{Config, Server};
use testkit::{PATIENCE, Running, connect};

const BIN: &str = env!("CARGO_BIN_EXE_step03_wsgi_gateway");

/// How many clients connect at once: twice the fixed cap this server once
/// had (1000), and as many as axum answered in the review's test.
const CLIENTS: usize = 2000;

/// The cap is what the open-files limit leaves after the files the process
/// needs for itself, and raising the limit takes the soft one to the hard.
#[test]
fn the_cap_follows_the_open_files_limit() {
    assert_eq!(connections_for(1024, 4), 1024 - 48);
    assert_eq!(reserved_files(4), 48);
    assert_eq!(connections_for(10, 4), 1, "never zero");
    let raised = raise_open_files_limit().unwrap();
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    assert_eq!(
        (raised, soft),
        (hard, hard),
        "the soft limit is the hard one now"
    );
    assert_eq!(
        Config::with_workers(4).max_connections,
        connections_for(soft, 4)
    );
}

/// `workers: 0` would serve nobody, and `serve_forever` would return at
/// once in silence: the server refuses it when it is made, with a reason.
#[test]
fn no_workers_is_refused() {
    for config in [
        Config {
            workers: 0,
            ..Config::default()
        },
        Config {
            max_connections: 0,
            ..Config::default()
        },
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = Server::new(listener, common::echo_path, config)
            .err()
            .unwrap();
        assert_eq!(refused.kind(), ErrorKind::InvalidInput);
        assert!(
            refused.to_string().contains("at least one worker"),
            "{refused}"
        );
    }
}

/// 2000 clients connect at once and each sends a request only when all are
/// connected: every one of them gets its page from the step 3 demo as a
/// learner runs it (`cargo run -p step03_wsgi_gateway`), none a 503.
#[test]
fn two_thousand_clients_at_once_are_all_answered() {
    // This process holds one end of every connection: it needs the room too.
    let room = raise_open_files_limit().unwrap();
    assert!(
        room >= CLIENTS as u64 + 100,
        "this machine allows {room} open files per process; the test needs {}",
        CLIENTS + 100
    );
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
    assert!(
        server.first_line.contains("connections"),
        "the start-up line gives the cap: {:?}",
        server.first_line
    );
    let clients: Vec<_> = (0..CLIENTS).map(|_| connect(server.addr)).collect();
    for mut client in &clients {
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
    }
    let mut answered = 0;
    for client in &clients {
        client.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut status_line = String::new();
        BufReader::new(client).read_line(&mut status_line).unwrap();
        assert!(
            status_line.starts_with("HTTP/1.1 200 "),
            "client {answered}: {status_line:?}"
        );
        answered += 1;
    }
    assert_eq!(answered, CLIENTS);
}
