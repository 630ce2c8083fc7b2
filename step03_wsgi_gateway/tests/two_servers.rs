//! The point of a gateway interface: one application runs unchanged on
//! different servers, and one server runs different applications.

mod common;

use std::net::TcpListener;
use std::thread;

use common::{TestServer, chunks, echo_body, small_config};
use step02_http_reply::Limits;
use step03_wsgi_gateway::demo::demo;
use step03_wsgi_gateway::serve_one_at_a_time;
use testkit::exchange;

/// Requests, each with the status the demo answers it with.
const REQUESTS: [(&[u8], u16); 3] = [
    (b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200),
    (b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
    (b"POST /form HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 14\r\n\r\nmessage=Hi+all", 200),
];

// ANCHOR: one_app_two_servers
/// The demo application gives the same answers on the threaded server and on
/// the one-connection-at-a-time server.
#[test]
fn one_application_two_servers() {
    let threaded = TestServer::start(demo, small_config());

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let simple = listener.local_addr().unwrap();
    thread::spawn(move || serve_one_at_a_time(listener, demo, Limits::default()));

    for (request, status) in REQUESTS {
        let a = exchange(threaded.addr, request);
        let b = exchange(simple, request);
        let shown = String::from_utf8_lossy(request);
        assert_eq!(a.status(), Some(status), "threaded server: {shown}");
        assert_eq!(b.status(), Some(status), "simple server: {shown}");
        assert_eq!(a.body(), b.body(), "{shown}");
    }
}
// ANCHOR_END: one_app_two_servers

/// One server type runs any application: three servers, three applications.
#[test]
fn one_server_different_applications() {
    let hello = TestServer::start(demo, small_config());
    let streamed = TestServer::start(chunks, small_config());
    let echo = TestServer::start(echo_body, small_config());
    let get = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert!(String::from_utf8_lossy(exchange(hello.addr, get).body()).contains("Hello, web!"));
    assert!(
        exchange(streamed.addr, get)
            .text()
            .contains("Transfer-Encoding: chunked")
    );
    let post = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\nping";
    assert_eq!(exchange(echo.addr, post).body(), b"ping");
}
