//! No request reads outside the served folder. Every request here is sent as
//! raw bytes, because a real client would "fix" it first: curl and browsers
//! remove `..` segments before sending.
//!
//! The layout: `outside/secret.txt` and `outside/secretdir/` sit next to the
//! served folder `outside/root/`, and symlinks inside the root point at them.

use tempfile::TempDir;
use testkit::hostile::{SECRET, assert_no_traversal, folder_beside_secrets};
use testkit::{Running, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_step02_http_reply");

fn setup() -> (TempDir, Running) {
    let (outside, root) = folder_beside_secrets();
    let server = Running::start(
        BIN,
        &["--addr", "127.0.0.1:0", "--dir", root.to_str().unwrap()],
    );
    (outside, server)
}

/// Each attack in testkit's table gets a 400 (a path no honest client sends)
/// or a 404 (nothing there, as far as this server will say), and never the
/// secret.
#[test]
fn no_request_reads_outside_the_folder() {
    let (_outside, server) = setup();
    assert_no_traversal(server.addr, "");
}

/// An `index.html` that is a symlink to a file outside is not served: the
/// folder is listed instead, as if it had no index.
#[test]
#[cfg(unix)]
fn an_index_linking_outside_is_ignored() {
    let (_outside, server) = setup();
    let response = exchange(server.addr, b"GET /sub/ HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(!response.text().contains(SECRET));
    assert_eq!(response.status(), Some(200));
    assert!(
        response.text().contains("Directory listing for /sub/"),
        "{}",
        response.text()
    );
}

/// A symlink that stays inside the folder is followed like any file.
#[test]
#[cfg(unix)]
fn a_symlink_inside_the_folder_is_served() {
    let (_outside, server) = setup();
    let response = exchange(server.addr, b"GET /inside-link HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(response.status(), Some(200));
    assert_eq!(response.body(), b"public");
}

/// Nothing from the request is reflected into a page unescaped, even on
/// error pages and listings.
#[test]
fn request_text_is_escaped_on_every_page() {
    let (_outside, server) = setup();
    for target in [
        "/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/sub/%3Cscript%3E",
        "/%3Cscript%3E/",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        let response = exchange(server.addr, request.as_bytes());
        assert!(
            !response.text().contains("<script>"),
            "{target}: {}",
            response.text()
        );
    }
}
