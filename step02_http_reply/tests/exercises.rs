//! Checkers for the step 2 exercises (see the step 2 chapter). Each fails on
//! the code as shipped and passes once the exercise is solved:
//!
//! ```text
//! cargo xtask exercise check step02/custom_404
//! ```
//!
//! They run the real binary on a temporary folder and talk HTTP to it.

mod common;

use common::serve_folder as serve;
use testkit::{RawResponse, Running, exchange};

fn get(server: &Running, target: &str, extra_headers: &str) -> RawResponse {
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n{extra_headers}\r\n");
    exchange(server.addr, request.as_bytes())
}

// ANCHOR: custom_404
/// A folder's own 404.html is sent, with status 404, for anything missing.
#[test]
#[ignore = "exercise: cargo xtask exercise check step02/custom_404"]
fn custom_404() {
    let page = "<!doctype html><title>Lost</title><h1>Nothing here, sorry</h1>";
    let (_dir, server) = serve(&[("404.html", page.as_bytes()), ("docs/a.txt", b"a")]);
    for missing in ["/nope.txt", "/docs/nope/", "/a/b/c"] {
        let response = get(&server, missing, "");
        assert_eq!(response.status(), Some(404), "{missing}");
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            response.body(),
            page.as_bytes(),
            "{missing}: the folder's 404.html was not sent"
        );
    }
    let found = get(&server, "/docs/a.txt", "");
    assert_eq!(
        found.status(),
        Some(200),
        "files that exist are still served"
    );

    // A 404.html that is a symlink to a file outside the folder is not
    // followed out: the built-in page is sent instead.
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.html");
    std::fs::write(&secret, "the password is hunter2").unwrap();
    let (dir, server) = serve(&[("docs/a.txt", b"a")]);
    std::os::unix::fs::symlink(&secret, dir.path().join("404.html")).unwrap();
    let response = get(&server, "/nope.txt", "");
    assert_eq!(response.status(), Some(404));
    let body = String::from_utf8_lossy(response.body());
    assert!(
        !body.contains("hunter2"),
        "a 404.html leading out of the folder was followed: {body}"
    );
    assert!(
        body.contains("<!doctype html>"),
        "the built-in page: {body}"
    );
}
// ANCHOR_END: custom_404

// ANCHOR: patch_type
/// Patches and diffs are served as text, so a browser shows them.
#[test]
#[ignore = "exercise: cargo xtask exercise check step02/patch_type"]
fn patch_type() {
    let (_dir, server) = serve(&[
        ("fix.patch", b"--- a\n+++ b\n"),
        ("change.diff", b"--- a\n+++ b\n"),
    ]);
    for name in ["/fix.patch", "/change.diff"] {
        let response = get(&server, name, "");
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("text/x-diff; charset=utf-8"),
            "{name}"
        );
    }
}
// ANCHOR_END: patch_type

// ANCHOR: range
/// Single byte ranges get 206 and just those bytes; an impossible range
/// gets 416; a range we do not support is ignored.
#[test]
#[ignore = "exercise: cargo xtask exercise check step02/range"]
fn range() {
    let content: Vec<u8> = (0..100u8).collect();
    let (_dir, server) = serve(&[("data.bin", &content)]);

    let whole = get(&server, "/data.bin", "");
    assert_eq!(
        whole.header("accept-ranges").as_deref(),
        Some("bytes"),
        "advertise ranges"
    );

    let cases: [(&str, usize, usize); 4] = [
        ("bytes=0-9", 0, 9),
        ("bytes=90-", 90, 99),
        ("bytes=-5", 95, 99),
        ("bytes=50-1000", 50, 99),
    ];
    for (range, first, last) in cases {
        let response = get(&server, "/data.bin", &format!("Range: {range}\r\n"));
        assert_eq!(response.status(), Some(206), "{range}: {}", response.head());
        assert_eq!(
            response.header("content-range"),
            Some(format!("bytes {first}-{last}/100")),
            "{range}"
        );
        assert_eq!(
            response.header("content-length"),
            Some((last - first + 1).to_string()),
            "{range}"
        );
        assert_eq!(response.body(), &content[first..=last], "{range}");
    }

    let past_the_end = get(&server, "/data.bin", "Range: bytes=100-\r\n");
    assert_eq!(past_the_end.status(), Some(416), "{}", past_the_end.head());
    assert_eq!(
        past_the_end.header("content-range").as_deref(),
        Some("bytes */100")
    );

    for ignored in ["bytes=0-1,5-6", "lines=1-2", "bytes=9-3"] {
        let response = get(&server, "/data.bin", &format!("Range: {ignored}\r\n"));
        assert_eq!(response.status(), Some(200), "{ignored} should be ignored");
        assert_eq!(response.body(), &content[..], "{ignored}");
    }
}
// ANCHOR_END: range

// ANCHOR: dotfiles
/// Names starting with a dot (`.env`, `.git/`) are neither served nor listed.
#[test]
#[ignore = "exercise: cargo xtask exercise check step02/dotfiles"]
fn dotfiles() {
    let (_dir, server) = serve(&[
        (".env", b"DATABASE_PASSWORD=hunter2"),
        (".git/config", b"[core]"),
        ("app/.secret", b"x"),
        ("public.txt", b"hello"),
    ]);
    for hidden in ["/.env", "/.git/config", "/.git/", "/app/.secret", "/%2eenv"] {
        let response = get(&server, hidden, "");
        assert_eq!(
            response.status(),
            Some(404),
            "{hidden} was not hidden: {}",
            response.head()
        );
    }
    let listing = String::from_utf8_lossy(get(&server, "/", "").body()).into_owned();
    assert!(listing.contains("public.txt"), "{listing}");
    assert!(
        !listing.contains(".env") && !listing.contains(".git"),
        "dotfiles listed:\n{listing}"
    );
    assert_eq!(get(&server, "/public.txt", "").status(), Some(200));
}
// ANCHOR_END: dotfiles
