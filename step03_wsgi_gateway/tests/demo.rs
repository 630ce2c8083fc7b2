//! The demo binary, end to end: what `cargo run -p step03_wsgi_gateway`
//! serves, the access log it prints, and its command line.

use std::process::Command;

use testkit::{Running, exchange, http};

const BIN: &str = env!("CARGO_BIN_EXE_step03_wsgi_gateway");

fn start(extra: &[&str]) -> Running {
    let mut args = vec!["--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    Running::start(BIN, &args)
}

/// The first line is the URL; `/` says hello; a line in wsgiref's format is
/// logged for it.
#[test]
fn hello_web_and_an_access_log_line() {
    let server = start(&[]);
    assert!(
        server.first_line.contains(&server.url()),
        "{}",
        server.first_line
    );
    let mut response = http().get(server.url()).call().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["server"], "step03_wsgi_gateway/0.1.0");
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("<h1>Hello, web!</h1>"));
    let line = server
        .stderr_line(|l| l.contains("\"GET / HTTP/1.1\""))
        .unwrap();
    assert!(line.starts_with("127.0.0.1 - - ["), "{line}");
    assert!(
        line.ends_with(&format!("\"GET / HTTP/1.1\" 200 {}", body.len())),
        "{line}"
    );
}

/// /environ lists what the server put in the environ, escaped, in chunks.
#[test]
fn environ_page() {
    let server = start(&[]);
    let request =
        b"GET /environ?x=1 HTTP/1.1\r\nHost: x\r\nX-Test: <b>bold</b>\r\nConnection: close\r\n\r\n";
    let response = exchange(server.addr, request);
    assert_eq!(
        response.header("transfer-encoding").as_deref(),
        Some("chunked")
    );
    let text = response.text();
    for expected in [
        "<th>REQUEST_METHOD</th><td>GET</td>",
        "<th>PATH_INFO</th><td>/environ</td>",
        "<th>QUERY_STRING</th><td>x=1</td>",
        "<th>SERVER_PROTOCOL</th><td>HTTP/1.1</td>",
        "<th>HTTP_X_TEST</th><td>&lt;b&gt;bold&lt;/b&gt;</td>",
        "<th>wsgi.url_scheme</th><td>http</td>",
    ] {
        assert!(text.contains(expected), "no {expected} in {text}");
    }
    assert!(!text.contains("<b>bold"));
}

/// A form posted with a real client is read from wsgi.input and shown back.
#[test]
fn form_round_trip() {
    let server = start(&[]);
    let mut response = http()
        .post(format!("{}form", server.url()))
        .content_type("application/x-www-form-urlencoded")
        .send("message=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .unwrap();
    let body = response.body_mut().read_to_string().unwrap();
    assert!(
        body.contains("<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>"),
        "{body}"
    );
}

/// `--simple` serves the same application on the simple server.
#[test]
fn simple_server_flag() {
    let server = start(&["--simple"]);
    assert!(
        server.first_line.contains("one connection at a time"),
        "{}",
        server.first_line
    );
    let mut response = http().get(server.url()).call().unwrap();
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("Hello, web!")
    );
}

/// `--help` explains the flags.
#[test]
fn help() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in ["--addr", "--workers", "--simple"] {
        assert!(help.contains(flag), "{help}");
    }
}

/// Every page of the demo, and the server's own error pages, are
/// well-formed HTML5 documents.
#[test]
fn every_page_is_html5() {
    let server = start(&[]);
    let requests = [
        "GET / HTTP/1.1\r\n",
        "GET /environ HTTP/1.1\r\n",
        "GET /form HTTP/1.1\r\n",
        "GET /nope HTTP/1.1\r\n",
        "DELETE / HTTP/1.1\r\n",
        "GET /%ff HTTP/1.1\r\n",
        "GET / HTTP/1.2\r\n",
    ];
    for request in requests {
        let whole = format!("{request}Host: x\r\nConnection: close\r\n\r\n");
        let response = exchange(server.addr, whole.as_bytes());
        let body = if response.header("transfer-encoding").is_some() {
            let mut reader = std::io::BufReader::new(&response.bytes[..]);
            testkit::read_reply(&mut reader, false).unwrap().text()
        } else {
            String::from_utf8_lossy(response.body()).into_owned()
        };
        testkit::html::assert_html5(&body, request);
    }
}
