//! No request reads outside the served folder. Every request here is sent as
//! raw bytes, because a real client would "fix" it first: curl and browsers
//! remove `..` segments before sending.
//!
//! The layout: `outside/secret.txt` and `outside/secretdir/` sit next to the
//! served folder `outside/root/`, and symlinks inside the root point at them.

use std::fs;
use std::path::Path;

use tempfile::TempDir;
use testkit::{Running, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_step02_http_reply");
const SECRET: &str = "TOP-SECRET-CONTENT";

fn setup() -> (TempDir, Running) {
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("root");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("public.txt"), "public").unwrap();
    fs::write(outside.path().join("secret.txt"), SECRET).unwrap();
    fs::create_dir(outside.path().join("secretdir")).unwrap();
    fs::write(outside.path().join("secretdir").join("inner.txt"), SECRET).unwrap();
    symlinks(outside.path(), &root);
    let server = Running::start(
        BIN,
        &["--addr", "127.0.0.1:0", "--dir", root.to_str().unwrap()],
    );
    (outside, server)
}

#[cfg(unix)]
fn symlinks(outside: &Path, root: &Path) {
    use std::os::unix::fs::symlink;
    symlink(outside.join("secret.txt"), root.join("file-link")).unwrap();
    symlink(outside.join("secretdir"), root.join("dir-link")).unwrap();
    symlink("../secret.txt", root.join("relative-link")).unwrap();
    symlink(
        outside.join("secret.txt"),
        root.join("sub").join("index.html"),
    )
    .unwrap();
    symlink(root.join("public.txt"), root.join("inside-link")).unwrap();
}

#[cfg(not(unix))]
fn symlinks(_: &Path, _: &Path) {}

// ANCHOR: attacks
/// Each attack gets a 400 (a path no honest client sends) or a 404 (nothing
/// there, as far as this server will say), and never the secret.
#[test]
fn no_request_reads_outside_the_folder() {
    let (_outside, server) = setup();
    let attacks: &[(&str, u16)] = &[
        ("/../secret.txt", 400),
        ("/sub/../../secret.txt", 400),
        ("/%2e%2e/secret.txt", 400),
        ("/%2E%2E/secret.txt", 400),
        ("/.%2e/secret.txt", 400),
        ("/..%2fsecret.txt", 400),
        ("/sub%2f..%2f..%2fsecret.txt", 400),
        ("/%2fetc%2fpasswd", 400),
        ("/..%5csecret.txt", 400),
        ("/..\\secret.txt", 400),
        ("/sub/..\\..\\secret.txt", 400),
        ("/public.txt%00.html", 400),
        ("/%c0%ae%c0%ae/secret.txt", 400),
        ("http://x/../secret.txt", 400),
        ("//etc/passwd", 404),
        ("/%252e%252e/secret.txt", 404),
        ("/secret.txt", 404),
        ("/file-link", 404),
        ("/relative-link", 404),
        ("/dir-link/inner.txt", 404),
        ("/dir-link/", 404),
    ];
    for (target, expected) in attacks {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        let response = exchange(server.addr, request.as_bytes());
        assert!(
            !response.text().contains(SECRET),
            "{target} leaked the secret"
        );
        assert_eq!(
            response.status(),
            Some(*expected),
            "{target}: {}",
            response.head()
        );
    }
}
// ANCHOR_END: attacks

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
