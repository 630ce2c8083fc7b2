//! What must not take the server down or hold it up: applications that
//! panic or break the interface, clients that vanish, clients that are slow,
//! and many idle connections.

mod common;

use std::sync::Mutex;
use std::sync::mpsc;

use common::{Client, TestServer, echo_path, small_config};
use step03_wsgi_gateway::{Body, Config, Environ, StartResponse};
use testkit::{PATIENCE, connect, exchange, is_closed};

/// One worker: if anything killed it, nothing would be answered after.
fn one_worker() -> Config {
    Config {
        workers: 1,
        ..small_config()
    }
}

// ANCHOR: panic
/// An application that panics gets the client a 500, and the worker lives
/// on: with a single worker, the next request is still answered.
#[test]
fn a_panicking_application_gets_500_and_the_worker_survives() {
    let app = |environ: &mut Environ, start_response: &mut StartResponse| -> Body {
        if environ.path_info() == "/panic" {
            panic!("the application has a bug");
        }
        echo_path(environ, start_response)
    };
    let server = TestServer::start(app, one_worker());
    for _ in 0..3 {
        let mut client = Client::connect(server.addr);
        let reply = client.get("/panic");
        assert_eq!(reply.status, 500);
        assert!(client.closed(), "after a 500 the connection is closed");
    }
    assert_eq!(Client::connect(server.addr).get("/fine").text(), "/fine");
}
// ANCHOR_END: panic

/// A panic in the middle of the body, after the head went out, cuts the
/// response off: the chunked body never gets its last chunk, so the client
/// can tell it is incomplete. The worker lives on.
#[test]
fn a_panic_in_the_body_cuts_the_response_off() {
    let app = |_: &mut Environ, start_response: &mut StartResponse| -> Body {
        start_response.start("200 OK", [("Content-Type", "text/plain")]);
        let mut n = 0;
        Body::from_chunks(std::iter::from_fn(move || {
            n += 1;
            if n == 3 {
                panic!("failed halfway");
            }
            Some(b"part ".to_vec())
        }))
    };
    let server = TestServer::start(app, one_worker());
    let response = exchange(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let text = response.text();
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(text.contains("part "));
    assert!(
        !text.ends_with("0\r\n\r\n"),
        "the body looked complete: {text:?}"
    );
    let again = exchange(
        server.addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(again.status(), Some(200), "the worker did not survive");
}

/// Header fields from the application with CR, LF or NUL never reach the
/// wire: the client gets a 500 instead, without the application's body.
#[test]
fn header_injection_from_the_application_is_500() {
    for value in [
        "a\r\nSet-Cookie: stolen=1",
        "a\nSet-Cookie: stolen=1",
        "a\0b",
    ] {
        let app = move |_: &mut Environ, start_response: &mut StartResponse| -> Body {
            start_response.start(
                "200 OK",
                [("Content-Type", "text/plain"), ("X-Name", value)],
            );
            Body::from("should not be sent")
        };
        let server = TestServer::start(app, small_config());
        let response = exchange(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(response.status(), Some(500), "{value:?}");
        assert!(!response.text().contains("stolen"), "{}", response.text());
        assert!(!response.text().contains("should not be sent"));
    }
}

/// An application that never calls start_response gets the client a 500.
#[test]
fn no_start_response_is_500() {
    let server = TestServer::start(
        |_: &mut Environ, _: &mut StartResponse| Body::from("x"),
        small_config(),
    );
    let response = exchange(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(500));
}

// ANCHOR: drop
/// The body is dropped (WSGI's close()) when the client goes away in the
/// middle of it, and when the response fails before it was sent.
#[test]
fn the_body_is_dropped_on_every_path() {
    let (closed, was_closed) = mpsc::channel::<&'static str>();
    let closed = Mutex::new(closed);
    let app = move |environ: &mut Environ, start_response: &mut StartResponse| -> Body {
        let path: &'static str = if environ.path_info() == "/endless" {
            "endless"
        } else {
            "broken"
        };
        let status = if path == "endless" {
            "200 OK"
        } else {
            "200 Not\nOK"
        };
        start_response.start(status, [("Content-Type", "text/plain")]);
        let closed = closed.lock().unwrap().clone();
        Body::from_chunks(std::iter::repeat_with(|| vec![b'x'; 64 * 1024])).on_close(move || {
            let _ = closed.send(path);
        })
    };
    let server = TestServer::start(app, small_config());

    // The client reads a little of an endless body and leaves.
    let mut client = Client::connect(server.addr);
    client.send(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut some = [0u8; 1024];
    std::io::Read::read_exact(&mut client.stream, &mut some).unwrap();
    drop(client);
    assert_eq!(was_closed.recv_timeout(PATIENCE), Ok("endless"));

    // The status is invalid: a 500 is sent and the body is never read.
    let response = exchange(server.addr, b"GET /broken HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(500));
    assert_eq!(was_closed.recv_timeout(PATIENCE), Ok("broken"));
}
// ANCHOR_END: drop

// ANCHOR: starvation
/// 200 idle keep-alive connections do not keep a new client waiting, even
/// with only two workers: idle connections sit with the poller, not in a
/// worker. (A pool where each worker owns a connection until it closes,
/// like the Rust Book's, would need 200 workers for this.)
#[test]
fn idle_connections_do_not_starve_a_new_client() {
    let server = TestServer::start(echo_path, small_config());
    let idle: Vec<Client> = (0..200)
        .map(|_| {
            let mut client = Client::connect(server.addr);
            assert_eq!(client.get("/hello").status, 200);
            client
        })
        .collect();
    let reply = Client::connect(server.addr).get("/new");
    assert_eq!(reply.text(), "/new");
    assert!(
        idle.iter().all(|c| !is_closed(&c.stream)),
        "idle connections were dropped to make room"
    );
}

/// Clients that send their head one byte at a time (slowloris) do not keep
/// a new client waiting, even with a single worker.
#[test]
fn slow_clients_do_not_starve_a_new_client() {
    let server = TestServer::start(echo_path, one_worker());
    let slow: Vec<_> = (0..20)
        .map(|_| {
            let mut stream = connect(server.addr);
            std::io::Write::write_all(&mut stream, b"GET / HT").unwrap();
            stream
        })
        .collect();
    let reply = Client::connect(server.addr).get("/new");
    assert_eq!(reply.text(), "/new");
    assert!(
        slow.iter().all(|s| !is_closed(s)),
        "the slow clients were dropped to make room"
    );
}
// ANCHOR_END: starvation

/// Past the connection limit, a new client gets 503 at once.
#[test]
fn too_many_connections_get_503() {
    let server = TestServer::start(
        echo_path,
        Config {
            max_connections: 5,
            ..small_config()
        },
    );
    let held: Vec<Client> = (0..5)
        .map(|_| {
            let mut client = Client::connect(server.addr);
            client.get("/");
            client
        })
        .collect();
    let response = exchange(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(503));
    drop(held);
}
