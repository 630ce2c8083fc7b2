//! Connections that carry many requests: keep-alive, pipelining, and the
//! ways a connection ends (the client asks, HTTP/1.0, the idle timeout).

mod common;

use std::time::Duration;

use common::{Client, TestServer, chunks, echo_path, small_config};
use step03_wsgi_gateway::Config;
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
