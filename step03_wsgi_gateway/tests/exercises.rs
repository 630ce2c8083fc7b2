//! Checkers for the step 3 exercises (see the step 3 chapter). Each fails on
//! the code as shipped and passes once the exercise is solved:
//!
//! ```text
//! cargo xtask exercise check step03/response_time
//! ```
//!
//! They run the real binary and talk HTTP to it.

use std::io::{BufReader, Write};
use std::time::Instant;

use testkit::{PATIENCE, Running, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_step03_wsgi_gateway");

fn start() -> Running {
    Running::start(BIN, &["--addr", "127.0.0.1:0"])
}

fn get(server: &Running, target: &str, extra: &str) -> testkit::RawResponse {
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n");
    exchange(server.addr, request.as_bytes())
}

// ANCHOR: response_time
/// Every response carries `X-Response-Time`: how long the application took,
/// in milliseconds, such as `0.042ms`.
#[test]
#[ignore = "exercise: cargo xtask exercise check step03/response_time"]
fn response_time() {
    let server = start();
    for target in ["/", "/environ", "/nope"] {
        let response = get(&server, target, "");
        let value = response.header("x-response-time");
        let value =
            value.unwrap_or_else(|| panic!("{target}: no X-Response-Time in {}", response.head()));
        let number = value
            .strip_suffix("ms")
            .unwrap_or_else(|| panic!("{value:?} does not end in ms"));
        let millis: f64 = number
            .parse()
            .unwrap_or_else(|_| panic!("{number:?} is not a number"));
        assert!((0.0..1000.0).contains(&millis), "{target}: {value}");
    }
}
// ANCHOR_END: response_time

// ANCHOR: json
/// `/api/environ` answers with the environ's variables as one JSON object.
#[test]
#[ignore = "exercise: cargo xtask exercise check step03/json"]
fn json() {
    let server = start();
    let response = get(&server, "/api/environ?x=1", "X-Quote: say \"hi\" \\o/\r\n");
    assert_eq!(response.status(), Some(200), "{}", response.head());
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "Content-Type: {content_type}"
    );
    let value: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(response.body())
        )
    });
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"));
    assert_eq!(object["PATH_INFO"], "/api/environ");
    assert_eq!(object["QUERY_STRING"], "x=1");
    assert_eq!(object["HTTP_X_QUOTE"], "say \"hi\" \\o/");
    assert_eq!(object["REQUEST_METHOD"], "GET");
}
// ANCHOR_END: json

// ANCHOR: mount
/// Two applications under one server: the demo mounted at `/demo` (it sees
/// `SCRIPT_NAME=/demo` and the rest of the path as `PATH_INFO`), and an
/// application answering `Hello, web!` for everything else.
#[test]
#[ignore = "exercise: cargo xtask exercise check step03/mount"]
fn mount() {
    let server = start();
    let environ = String::from_utf8_lossy(get(&server, "/demo/environ", "").body()).into_owned();
    assert!(
        environ.contains("<th>SCRIPT_NAME</th><td>/demo</td>"),
        "/demo/environ:\n{environ}"
    );
    assert!(
        environ.contains("<th>PATH_INFO</th><td>/environ</td>"),
        "/demo/environ:\n{environ}"
    );

    for elsewhere in ["/", "/environ", "/demonstration"] {
        let response = get(&server, elsewhere, "");
        assert_eq!(response.status(), Some(200), "{elsewhere}");
        assert_eq!(
            response.body(),
            b"Hello, web!",
            "{elsewhere}: not the root application"
        );
        assert!(
            response
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/plain"))
        );
    }
}
// ANCHOR_END: mount

// ANCHOR: max_connections
/// `--max-connections 2`: two clients are served, a third gets `503` with
/// `Retry-After` while they stay, and once one leaves there is room again.
#[test]
#[ignore = "exercise: cargo xtask exercise check step03/max_connections"]
fn max_connections() {
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0", "--max-connections", "2"]);
    let keep_alive = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut held = Vec::new();
    for n in 1..=2 {
        let stream = testkit::connect(server.addr);
        (&stream).write_all(keep_alive).unwrap();
        let reply = testkit::read_reply(&mut BufReader::new(&stream), false).unwrap();
        assert_eq!(reply.status, 200, "client {n} of 2 was not served");
        held.push(stream);
    }
    let close = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let third = exchange(server.addr, close);
    assert_eq!(
        third.status(),
        Some(503),
        "a third client: {}",
        third.head()
    );
    assert!(third.header("retry-after").is_some(), "{}", third.head());

    // One leaves. The server notices when it reads the close, so a new
    // client may need a few tries.
    drop(held.pop());
    let started = Instant::now();
    loop {
        let next = exchange(server.addr, close);
        if next.status() == Some(200) {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "still refused after a client left: {}",
            next.head()
        );
        std::thread::yield_now();
    }
}
// ANCHOR_END: max_connections
