//! Requests over real sockets: bodies (by length and chunked), and every
//! malformed or oversized request, each with its status.

mod common;

use common::{Client, TestServer, echo_body, echo_path, small_config};
use step02_http_reply::request::{MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
use testkit::exchange;

/// A body by Content-Length reaches the application through wsgi.input.
#[test]
fn body_by_length() {
    let server = TestServer::start(echo_body, small_config());
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
    let reply = client.reply();
    assert_eq!(reply.text(), "hello world");
    assert_eq!(reply.header("x-content-length"), Some("11"));
}

// ANCHOR: chunked
/// A chunked body, sent in several pieces, is decoded before the
/// application sees it, and CONTENT_LENGTH tells its decoded length.
#[test]
fn chunked_body_is_decoded() {
    let server = TestServer::start(echo_body, small_config());
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    client.send(b"5\r\nHello\r\n");
    client.send(b"7;note=ignored\r\n, Seven\r\n");
    client.send(b"0\r\nX-Trailer: ignored\r\n\r\n");
    let reply = client.reply();
    assert_eq!(reply.text(), "Hello, Seven");
    assert_eq!(reply.header("x-content-length"), Some("12"));
    // The connection carries on after a chunked body.
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
    assert_eq!(client.reply().text(), "ok");
}
// ANCHOR_END: chunked

/// With Expect: 100-continue, the server says "go ahead" before the body.
#[test]
fn expect_continue() {
    let server = TestServer::start(echo_body, small_config());
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    assert_eq!(client.reply().status, 100);
    client.send(b"hi");
    assert_eq!(client.reply().text(), "hi");
}

/// Both Content-Length and Transfer-Encoding: 400, and the connection is
/// closed, since nobody can know where this body ends.
#[test]
fn length_and_chunked_together_is_400_and_close() {
    let server = TestServer::start(echo_body, small_config());
    let mut client = Client::connect(server.addr);
    client.send(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert_eq!(client.reply().status, 400);
    assert!(client.closed());
}

// ANCHOR: table
/// Every malformed or oversized request gets its status, and the server
/// answers the next request normally.
#[test]
fn every_bad_request_gets_its_status() {
    let server = TestServer::start(echo_path, small_config());
    let long_target = format!(
        "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(MAX_TARGET_BYTES + 1)
    );
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n",
        "c".repeat(MAX_HEAD_BYTES)
    );
    let fields: String = (0..=MAX_HEADERS)
        .map(|i| format!("X-{i}: {i}\r\n"))
        .collect();
    let many_fields = format!("GET / HTTP/1.1\r\nHost: x\r\n{fields}\r\n");
    let big_body = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        MAX_BODY_BYTES + 1
    );
    let big_chunk = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        MAX_BODY_BYTES + 1
    );

    let cases: Vec<(&str, &[u8], u16)> = vec![
        ("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n", 400),
        (
            "two Host fields",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            400,
        ),
        ("target over 8 KiB", long_target.as_bytes(), 414),
        ("head over 16 KiB", big_header.as_bytes(), 431),
        ("more than 100 fields", many_fields.as_bytes(), 431),
        (
            "space before a colon",
            b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            400,
        ),
        ("not HTTP", b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n", 400),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (
            "bad Content-Length",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
            400,
        ),
        ("body over the limit", big_body.as_bytes(), 413),
        ("chunk over the limit", big_chunk.as_bytes(), 413),
        (
            "bad chunk size",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
        ),
        (
            "gzip, chunked",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501,
        ),
        (
            "not ending in chunked",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            400,
        ),
        (
            "path not UTF-8",
            b"GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
    ];
    for (what, request, expected) in cases {
        let response = exchange(server.addr, request);
        assert_eq!(
            response.status(),
            Some(expected),
            "{what}: {}",
            response.head()
        );
        let ok = exchange(
            server.addr,
            b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(
            ok.status(),
            Some(200),
            "after {what}, the server stopped answering"
        );
    }
}
// ANCHOR_END: table
