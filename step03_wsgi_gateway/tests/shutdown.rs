//! Graceful shutdown: stop accepting, finish what is in flight, return.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::Instant;

use common::{Client, TestServer, small_config};
use step03_wsgi_gateway::{Body, Environ, StartResponse};
use testkit::{PATIENCE, Running};

// ANCHOR: in_flight
/// A request the application is working on when shutdown is asked for is
/// finished and answered; new connections are refused; then `serve_forever`
/// returns.
#[test]
fn shutdown_finishes_the_request_in_flight() {
    let (started, in_app) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let (started, released) = (Mutex::new(started), Mutex::new(released));
    let app = move |_: &mut Environ, start_response: &mut StartResponse| -> Body {
        started.lock().unwrap().send(()).unwrap();
        released.lock().unwrap().recv().unwrap(); // until the test says so
        start_response.start("200 OK", [("Content-Type", "text/plain")]);
        Body::from("finished")
    };
    let server = TestServer::start(app, small_config());
    let addr = server.addr;
    let client = thread::spawn(move || Client::connect(addr).get("/slow"));
    in_app.recv_timeout(PATIENCE).unwrap();

    server.shutdown.shutdown();
    // The listener closes: wait until a new connection is refused.
    let deadline = Instant::now() + PATIENCE;
    let mut refused = false;
    while !refused && Instant::now() < deadline {
        refused = TcpStream::connect(addr).is_err();
        thread::yield_now();
    }
    assert!(refused, "still accepting after shutdown");

    release.send(()).unwrap();
    let reply = client.join().unwrap();
    assert_eq!(reply.text(), "finished");
    assert_eq!(reply.header("connection"), Some("close"));
    server.stop().unwrap();
}
// ANCHOR_END: in_flight

/// Idle kept-alive connections are simply closed on shutdown, so they do
/// not hold it up.
#[test]
fn shutdown_closes_idle_connections() {
    let server = TestServer::start(common::echo_path, small_config());
    let mut idle = Client::connect(server.addr);
    idle.get("/");
    server.stop().unwrap();
    assert!(idle.closed());
}

const BIN: &str = env!("CARGO_BIN_EXE_step03_wsgi_gateway");

/// The binary: SIGTERM (what a service manager sends) or SIGINT (Ctrl-C)
/// while a request is under way (its body half sent) lets that request
/// finish, then the process exits with status 0.
#[test]
fn a_signal_lets_the_request_finish_and_exits_0() {
    for signal in ["-TERM", "-INT"] {
        let mut server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
        let mut client = Client::connect(server.addr);
        // `Expect: 100-continue` makes the server say when it has read the
        // head: from then on, the request is under way.
        client.send(
            b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 13\r\nExpect: 100-continue\r\n\r\nmessage",
        );
        assert_eq!(client.reply().status, 100);

        let pid = server.child().id().to_string();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
        server
            .stderr_line(|l| l.contains("shutting down: finishing 1 connection(s) in flight"))
            .unwrap();

        client.stream.write_all(b"=hello").unwrap();
        let reply = client.reply();
        assert_eq!(reply.status, 200, "{signal}");
        assert!(
            reply.text().contains("<pre>hello</pre>"),
            "{signal}: {}",
            reply.text()
        );
        assert_eq!(reply.header("connection"), Some("close"));

        let status = server.child().wait().unwrap();
        assert!(status.success(), "{signal}: exited with {status}");
        server.stderr_line(|l| l == "stopped").unwrap();
    }
}
