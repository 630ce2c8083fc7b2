//! The demo site in a real browser: headless Chromium opens the pages,
//! audits them for accessibility, and fills in and submits the login form
//! the way a person does. Run with `cargo xtask browser` (Chromium needed).

use testkit::Running;
use testkit::browser::Browser;

const BIN: &str = env!("CARGO_BIN_EXE_step04_router");

fn start() -> Running {
    Running::start(BIN, &["--addr", "127.0.0.1:0"])
}

/// Every page, error pages included, shows its title and passes the
/// accessibility audit (WCAG 2.1 A and AA, and axe's best practices).
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn the_pages_pass_an_accessibility_audit() {
    let server = start();
    let browser = Browser::launch().unwrap();
    let pages = [
        ("", "Step 4: a router"),
        ("index/", "index"),
        ("login/", "Log in"),
        ("hello/caf%C3%A9", "Hello, café"),
        ("users/42", "User 42"),
        ("nowhere", "404 Not Found"),
    ];
    for (path, title) in pages {
        let page = browser.open(&format!("{}{path}", server.url())).unwrap();
        assert_eq!(page.eval("document.title").unwrap(), title, "/{path}");
        let violations = page.audit().unwrap();
        assert!(violations.is_empty(), "/{path}: {violations:#?}");
    }
}

/// A person types a name with markup in it into the form and presses the
/// button: the next page greets them, and shows the markup as text.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn a_person_logs_in() {
    let server = start();
    let browser = Browser::launch().unwrap();
    let page = browser.open(&format!("{}login/", server.url())).unwrap();
    page.fill("#user", "Seven & <b>Nine</b>").unwrap();
    page.press("button[type=submit]").unwrap();
    assert_eq!(page.eval("document.title").unwrap(), "Logged in");
    let greeting = page
        .eval("document.querySelector('main p').textContent")
        .unwrap();
    assert_eq!(greeting, "Welcome, Seven & <b>Nine</b>.");
    assert_eq!(
        page.eval("document.querySelector('main b')").unwrap(),
        serde_json::Value::Null
    );

    // Pressing the button with the field empty: 422, the form again, the
    // reason next to the field.
    let page = browser.open(&format!("{}login/", server.url())).unwrap();
    page.press("button[type=submit]").unwrap();
    let error = page
        .eval("document.getElementById('user-error').textContent")
        .unwrap();
    assert_eq!(error, "Please type a name.");
}
