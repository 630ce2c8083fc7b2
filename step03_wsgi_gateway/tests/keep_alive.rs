//! Connections that carry many requests: keep-alive, pipelining, and the
//! ways a connection ends (the client asks, HTTP/1.0, the idle timeout).

mod common;

use std::sync::{Mutex, mpsc};
use std::time::Duration;

use common::{Client, TestServer, chunks, echo_body, echo_path, small_config};
use step02_http_reply::request::FILL_BYTES;
use step03_wsgi_gateway::{Body, Config, Environ, StartResponse};
use testkit::is_closed;

/// Three requests, one after another, on one connection.
#[test]
fn one_connection_carries_many_requests() {
    let server = TestServer::start(echo_path, small_config());
    let mut client = Client::connect(server.addr);
    for path in ["/one", "/two", "/caf%C3%A9"] {
        let reply = client.get(path);
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("connection"),
            None,
            "a kept-alive reply says nothing about closing"
        );
    }
    assert_eq!(client.get("/last").text(), "/last");
    assert!(!is_closed(&client.stream), "the connection stays open");
}

// ANCHOR: pipelining
/// Requests sent all at once, before any answer (pipelining), are answered
/// in order.
#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = TestServer::start(echo_path, small_config());
    let mut client = Client::connect(server.addr);
    let mut three = Vec::new();
    for path in ["/a", "/b", "/c"] {
        three.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    }
    client.send(&three);
    let bodies: Vec<String> = (0..3).map(|_| client.reply().text()).collect();
    assert_eq!(bodies, ["/a", "/b", "/c"]);
}
// ANCHOR_END: pipelining

// ANCHOR: reported_while_held
/// The poller reports bytes when they arrive, not while they wait. Bytes
/// that arrive while a worker holds the connection are reported then, and
/// never again: the server must remember the report. Here the second
/// request arrives while the application answers the first.
#[test]
fn a_request_sent_during_the_answer_to_the_first_is_answered() {
    let (entered, in_app) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (entered, released) = (Mutex::new(entered), Mutex::new(released));
    let app = move |environ: &mut Environ, start_response: &mut StartResponse| -> Body {
        if environ.path_info() == "/hold" {
            entered.lock().unwrap().send(()).unwrap();
            released.lock().unwrap().recv().unwrap();
        }
        echo_path(environ, start_response)
    };
    let server = TestServer::start(app, small_config()); // two workers
    let mut client = Client::connect(server.addr);
    client.send(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    in_app.recv().unwrap(); // a worker holds the connection
    client.send(b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
    // The other worker watches the poller. Once it has answered a second
    // connection, which arrived after /next, it has had the report of
    // /next too: the poller reports in the order things arrive.
    let other = Client::connect(server.addr).get("/other");
    assert_eq!(other.text(), "/other");
    release.send(()).unwrap();
    assert_eq!(client.reply().text(), "/hold");
    assert_eq!(client.reply().text(), "/next");
}
// ANCHOR_END: reported_while_held

/// A request bigger than one read, sent at once, is reported once. What
/// the first read leaves in the socket must still be read.
#[test]
fn a_request_bigger_than_one_read_is_read_whole() {
    let server = TestServer::start(echo_body, small_config());
    let mut client = Client::connect(server.addr);
    let body = vec![b'x'; 3 * FILL_BYTES + 5];
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    client.send(&[head.as_bytes(), &body].concat());
    let reply = client.reply();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), body.len());
}

/// `Connection: close` is honoured: the reply says so, and the server closes.
#[test]
fn connection_close_is_honoured() {
    let server = TestServer::start(echo_path, small_config());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let reply = client.reply();
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.closed());
}

/// An HTTP/1.0 request gets its answer and the connection is closed; a body
/// of unknown length is not chunked (HTTP/1.0 has no chunks) but ends with
/// the connection.
#[test]
fn http_1_0_closes() {
    let server = TestServer::start(chunks, small_config());
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.0\r\n\r\n");
    let reply = client.reply();
    assert!(!reply.chunked);
    assert_eq!(reply.header("content-length"), None);
    assert_eq!(reply.text(), "Hello, web!");
}

/// A body of unknown length is chunked for HTTP/1.1, and the connection
/// carries on after it.
#[test]
fn unknown_length_is_chunked() {
    let server = TestServer::start(chunks, small_config());
    let mut client = Client::connect(server.addr);
    let reply = client.get("/");
    assert!(reply.chunked);
    assert_eq!(reply.text(), "Hello, web!");
    assert_eq!(client.get("/").text(), "Hello, web!");
}

/// HEAD gets the head GET would get, no body, and the connection goes on.
#[test]
fn head_keeps_the_connection_usable() {
    let server = TestServer::start(echo_path, small_config());
    let mut client = Client::connect(server.addr);
    client.send(b"HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\n");
    let reply = client.reply_to_head();
    assert_eq!(reply.header("content-length"), Some("4"));
    assert_eq!(
        client.get("/next").text(),
        "/next",
        "the next reply starts right after the head"
    );
}

/// A kept-alive connection that stays quiet past the idle timeout is closed;
/// right after its response it is still open.
#[test]
fn idle_connections_time_out() {
    let config = Config {
        idle_timeout: Duration::from_secs(1),
        ..small_config()
    };
    let server = TestServer::start(echo_path, config);
    let mut client = Client::connect(server.addr);
    client.get("/");
    assert!(
        !is_closed(&client.stream),
        "closed at once, not after the idle timeout"
    );
    assert!(client.closed(), "never closed");
}

/// A head still incomplete at the deadline gets 408.
#[test]
fn incomplete_head_gets_408() {
    let mut config = small_config();
    config.limits.head_deadline = Duration::from_millis(300);
    let server = TestServer::start(echo_path, config);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n");
    assert_eq!(client.reply().status, 408);
}
