//! Hostile requests, shared by the tests of every step that meets them:
//! malformed and oversized requests ([`bad_requests`]), and attempts to read
//! outside a served folder ([`traversal_attacks`]). Each comes with the
//! status a correct server answers it with.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// The limits of the server under test (step 2's constants).
pub struct Limits {
    /// The longest request target accepted.
    pub target: usize,
    /// The largest head accepted.
    pub head: usize,
    /// The most header fields accepted.
    pub headers: usize,
    /// The largest body accepted.
    pub body: u64,
}

/// One hostile request: what it is, its bytes, the expected status.
pub struct BadRequest {
    /// What is wrong with it, for assertion messages.
    pub what: &'static str,
    /// The request, as sent.
    pub bytes: Vec<u8>,
    /// The status a correct server answers.
    pub status: u16,
}

/// Every malformed or oversized request both step 2 and step 3 must refuse.
pub fn bad_requests(limits: &Limits) -> Vec<BadRequest> {
    let owned = |what, bytes: String, status| BadRequest {
        what,
        bytes: bytes.into_bytes(),
        status,
    };
    let fixed = |what, bytes: &[u8], status| BadRequest {
        what,
        bytes: bytes.to_vec(),
        status,
    };
    let fields: String = (0..=limits.headers)
        .map(|i| format!("X-{i}: {i}\r\n"))
        .collect();
    vec![
        owned(
            "target too long",
            format!(
                "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(limits.target + 1)
            ),
            414,
        ),
        owned(
            "head too large",
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n",
                "c".repeat(limits.head)
            ),
            431,
        ),
        owned(
            "too many header fields",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{fields}\r\n"),
            431,
        ),
        owned(
            "body over the limit",
            format!(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                limits.body + 1
            ),
            413,
        ),
        fixed("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n", 400),
        fixed(
            "two Host fields",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            400,
        ),
        fixed(
            "a Host with a space",
            b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
            400,
        ),
        fixed(
            "a Host with markup",
            b"GET / HTTP/1.1\r\nHost: <b>x\r\n\r\n",
            400,
        ),
        fixed(
            "a Host with a path",
            b"GET / HTTP/1.1\r\nHost: evil.example/x\r\n\r\n",
            400,
        ),
        fixed(
            "a Host whose port is not a number",
            b"GET / HTTP/1.1\r\nHost: x:http\r\n\r\n",
            400,
        ),
        fixed(
            "a Host with an open bracket",
            b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
            400,
        ),
        fixed(
            "space in the target",
            b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        fixed(
            "space before a colon",
            b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            400,
        ),
        fixed(
            "control character in a value",
            b"GET / HTTP/1.1\r\nHost: x\x07y\r\n\r\n",
            400,
        ),
        fixed(
            "folded header line",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n",
            400,
        ),
        fixed(
            "not HTTP at all",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n",
            400,
        ),
        fixed(
            "Content-Length not a number",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
            400,
        ),
        fixed(
            "negative Content-Length",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            400,
        ),
        fixed(
            "repeated Content-Length",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            400,
        ),
        fixed("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        fixed("HTTP/1.2", b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
    ]
}

/// What a folder server must never send: the content of the files that
/// [`folder_beside_secrets`] puts outside the served folder.
pub const SECRET: &str = "TOP-SECRET-CONTENT";

/// A folder to serve, with secrets beside it and symlinks inside it that
/// point at them. Returns the temporary directory that holds it all (the
/// files go when it is dropped) and the folder to serve:
///
/// ```text
/// outside/secret.txt           outside/secretdir/inner.txt
/// outside/root/                the folder to serve
///     public.txt               inside-link -> public.txt
///     file-link -> ../secret.txt (absolute)   relative-link -> ../secret.txt
///     dir-link -> ../secretdir                sub/index.html -> ../../secret.txt
/// ```
pub fn folder_beside_secrets() -> (TempDir, PathBuf) {
    let outside = tempfile::tempdir().expect("a temporary directory");
    let root = outside.path().join("root");
    fs::create_dir_all(root.join("sub")).expect("root/sub");
    fs::write(root.join("public.txt"), "public").expect("public.txt");
    fs::write(outside.path().join("secret.txt"), SECRET).expect("secret.txt");
    fs::create_dir(outside.path().join("secretdir")).expect("secretdir");
    fs::write(outside.path().join("secretdir").join("inner.txt"), SECRET).expect("inner.txt");
    symlinks(outside.path(), &root);
    (outside, root)
}

#[cfg(unix)]
fn symlinks(outside: &Path, root: &Path) {
    use std::os::unix::fs::symlink;
    let link = |target: &Path, name: &Path| symlink(target, name).expect("a symlink");
    link(&outside.join("secret.txt"), &root.join("file-link"));
    link(&outside.join("secretdir"), &root.join("dir-link"));
    link(Path::new("../secret.txt"), &root.join("relative-link"));
    link(
        &outside.join("secret.txt"),
        &root.join("sub").join("index.html"),
    );
    link(&root.join("public.txt"), &root.join("inside-link"));
}

#[cfg(not(unix))]
fn symlinks(_: &Path, _: &Path) {}

// ANCHOR: attacks
/// Request targets that try to read outside a folder served at `prefix`
/// (`""` for a folder served at the root, `"/static"` below it), laid out by
/// [`folder_beside_secrets`]. Each gets a 400 (a path no honest client
/// sends) or a 404 (nothing there, as far as the server will say), and
/// never the secret. They must be sent as raw bytes: curl and browsers
/// remove `..` segments before sending.
pub fn traversal_attacks(prefix: &str) -> Vec<(String, u16)> {
    let attacks: [(&str, u16); 20] = [
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
        ("//etc/passwd", 404),
        ("/%252e%252e/secret.txt", 404),
        ("/secret.txt", 404),
        ("/file-link", 404),
        ("/relative-link", 404),
        ("/dir-link/inner.txt", 404),
        ("/dir-link/", 404),
    ];
    let mut targets: Vec<(String, u16)> = attacks
        .iter()
        .map(|(path, status)| (format!("{prefix}{path}"), *status))
        .collect();
    // The absolute form, which servers must accept (RFC 9112, 3.2.2).
    targets.push((format!("http://x{prefix}/../secret.txt"), 400));
    targets
}
// ANCHOR_END: attacks

/// Sends each of [`traversal_attacks`] to the folder served at `prefix` by
/// the server at `addr`, on a connection of its own, and checks the answer:
/// the status the table expects, and never the secret.
pub fn assert_no_traversal(addr: SocketAddr, prefix: &str) {
    for (target, expected) in traversal_attacks(prefix) {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let response = crate::exchange(addr, request.as_bytes());
        assert!(
            !response.text().contains(SECRET),
            "{target} leaked the secret"
        );
        assert_eq!(
            response.status(),
            Some(expected),
            "{target}: {}",
            response.head()
        );
    }
}
