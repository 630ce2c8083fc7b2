//! What step 3's end-to-end tests share: a server on port 0 running any
//! application, and a few small applications. Each test file uses some of
//! it, so unused parts are not an error.
#![allow(dead_code)]

use std::io::{self, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use step03_wsgi_gateway::{Application, Body, Config, Environ, Server, Shutdown, StartResponse};
use testkit::{Reply, connect, read_reply};

/// The library's server on a free port, in a thread; shut down (gracefully)
/// when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub shutdown: Shutdown,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl TestServer {
    pub fn start(app: impl Application, config: Config) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server::new(listener, app, config).unwrap();
        let addr = server.local_addr();
        let shutdown = server.shutdown_handle();
        let thread = thread::spawn(move || server.serve_forever());
        TestServer {
            addr,
            shutdown,
            thread: Some(thread),
        }
    }

    /// Shuts down and waits for `serve_forever` to return.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown.shutdown();
        self.thread.take().map_or(Ok(()), |t| t.join().unwrap())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Two workers and short time limits: enough to show every behaviour.
pub fn small_config() -> Config {
    let mut config = Config {
        workers: 2,
        ..Config::default()
    };
    config.idle_timeout = Duration::from_secs(30);
    config
}

/// A connection with a buffered reader for replies.
pub struct Client {
    pub stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = connect(addr);
        let reader = BufReader::new(stream.try_clone().unwrap());
        Client { stream, reader }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        self.reply()
    }

    pub fn reply(&mut self) -> Reply {
        read_reply(&mut self.reader, false).unwrap()
    }

    pub fn reply_to_head(&mut self) -> Reply {
        read_reply(&mut self.reader, true).unwrap()
    }

    /// Whether the server closed the connection (reads to the end).
    pub fn closed(&mut self) -> bool {
        use std::io::Read;
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).is_ok() && rest.is_empty()
    }
}

/// Answers with the decoded path: a request for `/a%20b` gets `/a b`.
pub fn echo_path(environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/plain")]);
    Body::from(environ.path_info().to_string())
}

/// Answers with the request body it read from wsgi.input, and its length as
/// the server announced it.
pub fn echo_body(environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    let length = environ.get("CONTENT_LENGTH").unwrap_or("none").to_string();
    let body = environ.input.read_all();
    start_response.start(
        "200 OK",
        [
            ("Content-Type", "application/octet-stream"),
            ("X-Content-Length", &length),
        ],
    );
    Body::from(body)
}

/// Hello, in three chunks of unknown total length (so: chunked encoding).
pub fn chunks(_: &mut Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/plain")]);
    Body::from_chunks(["Hel", "lo, ", "web!"].map(|s| s.as_bytes().to_vec()))
}
