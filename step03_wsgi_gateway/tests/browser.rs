//! The demo in a real browser: headless Chromium loads the pages and
//! submits the form. Run with `cargo xtask browser` (Chromium needed).

use testkit::{Running, browser};

const BIN: &str = env!("CARGO_BIN_EXE_step03_wsgi_gateway");

fn start() -> Running {
    Running::start(BIN, &["--addr", "127.0.0.1:0"])
}

/// Chromium shows the home page and the environ page (sent chunked).
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn chromium_shows_the_pages() {
    let server = start();
    let home = browser::dump_dom(&server.url(), &[]).unwrap();
    assert!(home.contains("<h1>Hello, web!</h1>"), "{home}");
    let environ = browser::dump_dom(&format!("{}environ", server.url()), &[]).unwrap();
    assert!(environ.contains("<th>HTTP_USER_AGENT</th>"), "{environ}");
    assert!(environ.contains("HeadlessChrome"), "{environ}");
}

/// Chromium submits the form as a browser does (its own encoding, its own
/// Content-Type); the server reads it from wsgi.input and the page shows it
/// back, escaped.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn chromium_submits_the_form() {
    let server = start();
    let page = format!(
        "data:text/html,<form method=post action={}form><textarea name=message>caf%C3%A9 &amp; \
         <b>tea</b></textarea></form><script>document.forms[0].submit()</script>",
        server.url()
    );
    let result = browser::dump_dom(&page, &[]).unwrap();
    assert!(
        result.contains("<pre>café &amp; &lt;b&gt;tea&lt;/b&gt;</pre>"),
        "{result}"
    );
}
