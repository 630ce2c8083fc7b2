//! The default mode: `index.html` at `/`, a 404 page for everything else.

use std::fs;
use std::process::Command;

use step02_http_reply::request::{Head, Header, Version};
use step02_http_reply::{Request, Site};
use testkit::{Running, exchange, http};

const BIN: &str = env!("CARGO_BIN_EXE_step02_http_reply");
const INDEX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/index.html");

fn start() -> Running {
    Running::start(BIN, &["--addr", "127.0.0.1:0"])
}

/// The binary prints its URL first and serves the crate's index.html at /,
/// with Date, Content-Type, Content-Length and Connection: close.
#[test]
fn serves_index_html() {
    let server = start();
    assert!(
        server.first_line.contains(&server.url()),
        "{}",
        server.first_line
    );
    let mut response = http().get(server.url()).call().unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["connection"], "close");
    assert!(httpdate::parse_http_date(headers["date"].to_str().unwrap()).is_ok());
    let expected = fs::read_to_string(INDEX).unwrap();
    assert_eq!(
        headers["content-length"],
        expected.len().to_string().as_str()
    );
    assert_eq!(response.body_mut().read_to_string().unwrap(), expected);
}

/// Any other path is a 404 page, which escapes the path it mentions.
#[test]
fn other_paths_are_404() {
    let server = start();
    let response = exchange(server.addr, b"GET /%3Cb%3Ehi HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(404));
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(
        response.text().contains("There is no page at /%3Cb%3Ehi."),
        "{}",
        response.text()
    );
}

/// POST to the page is 405 with the methods that are allowed.
#[test]
fn post_is_405() {
    let server = start();
    let response = exchange(
        server.addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert_eq!(response.status(), Some(405));
    assert_eq!(response.header("allow").as_deref(), Some("GET, HEAD"));
}

/// Every request reads the file anew, so an edit shows on the next reload;
/// a file that cannot be read is a 500 that says why.
#[test]
fn the_page_is_read_on_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index.html");
    let site = Site::new(&index);
    let request = Request {
        head: Head {
            method: "GET".into(),
            target: "/".into(),
            version: Version::Http11,
            headers: vec![Header {
                name: "Host".into(),
                value: "x".into(),
            }],
        },
        body: Vec::new(),
    };

    let status_and_body = |site: &Site| {
        let response = site.respond(&request);
        let mut bytes = Vec::new();
        let status = response.status.code();
        response.write_to(&mut bytes, false).unwrap();
        (status, String::from_utf8(bytes).unwrap())
    };
    fs::write(&index, "first version").unwrap();
    assert!(status_and_body(&site).1.ends_with("first version"));
    fs::write(&index, "second version").unwrap();
    assert!(status_and_body(&site).1.ends_with("second version"));
    fs::remove_file(&index).unwrap();
    let (status, body) = status_and_body(&site);
    assert_eq!(status, 500);
    assert!(body.contains("Cannot read"), "{body}");
}

/// `--help` explains both flags.
#[test]
fn help_explains_the_flags() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("--addr") && help.contains("--dir"), "{help}");
}

/// A folder that does not exist is a clear error, not a server that 404s.
#[test]
fn a_missing_folder_is_a_clear_error() {
    let output = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--dir", "/no/such/folder"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("cannot serve /no/such/folder"), "{error}");
}

/// The page, and the server's error pages, are well-formed HTML5 documents.
#[test]
fn every_page_is_html5() {
    let server = start();
    for request in [
        "GET / HTTP/1.1\r\n",
        "GET /nope HTTP/1.1\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 0\r\n",
        "GET / HTTP/2.0\r\n",
    ] {
        let whole = format!("{request}Host: x\r\n\r\n");
        let response = testkit::exchange(server.addr, whole.as_bytes());
        testkit::html::assert_html5(&String::from_utf8_lossy(response.body()), request);
    }
}
