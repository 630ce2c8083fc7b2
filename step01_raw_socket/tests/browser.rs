//! The page in a real browser: headless Chromium loads it and we read the
//! document it shows. Run with `cargo xtask browser` (Chromium needed).

use testkit::{Running, browser};

const BIN: &str = env!("CARGO_BIN_EXE_step01_raw_socket");

/// Chromium shows Hello, Seven.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn chromium_shows_hello_seven() {
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
    let page = browser::dump_dom(&server.url(), &[]).unwrap();
    assert!(page.contains("Hello, Seven"), "Chromium showed: {page}");
}

/// Chromium shows the page even when its request is far longer than one
/// 1024-byte read, which is what broke the naive version: a 3000-character
/// user agent stands in for a big cookie.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn chromium_shows_hello_seven_for_a_long_request() {
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0"]);
    let user_agent = format!("--user-agent=Mozilla/5.0 {}", "x".repeat(3000));
    let page = browser::dump_dom(&server.url(), &[&user_agent]).unwrap();
    assert!(page.contains("Hello, Seven"), "Chromium showed: {page}");
}
