//! Requests over real sockets: bodies (by length and chunked), and every
//! malformed or oversized request, each with its status.

mod common;

use common::{Client, TestServer, echo_body, echo_path, small_config};
use step02_http_reply::request::{MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
use testkit::{exchange, hostile};

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
/// answers the next request normally: step 2's list, and what this step
/// adds with chunked bodies and decoded paths.
#[test]
fn every_bad_request_gets_its_status() {
    let server = TestServer::start(echo_path, small_config());
    let limits = hostile::Limits {
        target: MAX_TARGET_BYTES,
        head: MAX_HEAD_BYTES,
        headers: MAX_HEADERS,
        body: MAX_BODY_BYTES,
    };
    let big_chunk = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        MAX_BODY_BYTES + 1
    );
    let chunked = |what, head: &str, status| hostile::BadRequest {
        what,
        bytes: format!("POST / HTTP/1.1\r\nHost: x\r\n{head}\r\n").into_bytes(),
        status,
    };
    let mut cases = hostile::bad_requests(&limits);
    cases.extend([
        hostile::BadRequest {
            what: "chunk over the limit",
            bytes: big_chunk.into_bytes(),
            status: 413,
        },
        chunked(
            "bad chunk size",
            "Transfer-Encoding: chunked\r\n\r\nzz",
            400,
        ),
        chunked(
            "gzip, then chunked",
            "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n",
            501,
        ),
        chunked("not ending in chunked", "Transfer-Encoding: gzip\r\n", 400),
        hostile::BadRequest {
            what: "path not UTF-8",
            bytes: b"GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            status: 400,
        },
    ]);
    for case in cases {
        let response = exchange(server.addr, &case.bytes);
        assert_eq!(
            response.status(),
            Some(case.status),
            "{}: {}",
            case.what,
            response.head()
        );
        let ok = exchange(
            server.addr,
            b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(
            ok.status(),
            Some(200),
            "after {}, the server stopped answering",
            case.what
        );
    }
}
// ANCHOR_END: table
