//! Pages in a real browser: headless Chromium loads them and we read the
//! document it shows. Run with `cargo xtask browser` (Chromium needed).

mod common;

use common::BIN;
use testkit::{Running, browser};

/// Chromium shows index.html, as HTML (its heading, not its source).
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn chromium_shows_index_html() {
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
    let page = browser::dump_dom(&server.url(), &[]).unwrap();
    assert!(page.contains("<title>Hello from step 2</title>"), "{page}");
    assert!(page.contains("<h1>Hello, Seven</h1>"), "{page}");
}

/// Chromium shows a folder listing whose names are text, not markup: the
/// file called `<img src=x onerror=...>` stays a name, and no image exists.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn chromium_shows_a_listing_safely() {
    let (_dir, server) = common::serve_folder(&[
        ("<img src=x onerror=alert(1)>.txt", b"x"),
        ("notes.txt", b"x"),
    ]);
    let page = browser::dump_dom(&server.url(), &[]).unwrap();
    assert!(page.contains("Directory listing for /"), "{page}");
    assert!(page.contains(">notes.txt</a>"), "{page}");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;.txt"),
        "{page}"
    );
    assert!(!page.contains("<img"), "the name became an element: {page}");
}
