//! The guestbook in a real browser: headless Chromium, driven through its
//! DevTools protocol, fills in the form and presses the button as a person
//! does; an accessibility audit runs on every kind of page; a phone-sized
//! screen needs no sideways scrolling; and a form on another site is
//! refused. Run with `cargo xtask browser` (Chromium needed).

use step05_templates::model::Messages;
use testkit::Running;
use testkit::browser::{Browser, Page};

const BIN: &str = env!("CARGO_BIN_EXE_step05_templates");

fn start(dir: &tempfile::TempDir) -> Running {
    let db = dir.path().join("guestbook.db");
    Running::start(
        BIN,
        &["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()],
    )
}

fn text(page: &Page, script: &str) -> String {
    page.eval(script)
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A person types a name and a message (in Chinese, with markup in it) and
/// presses the button: the page that follows thanks them and shows the
/// message as they typed it. Reloading shows it again, without the thanks.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn a_person_signs_the_guestbook() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let browser = Browser::launch().unwrap();
    let page = browser.open(&server.url()).unwrap();
    page.fill("#name", "小明").unwrap();
    page.fill("#message", "你好！<b>bold?</b> {{ 7 * 7 }}")
        .unwrap();
    page.press("button[type=submit]").unwrap();

    assert_eq!(page.url(), server.url(), "post/redirect/get ends on /");
    assert_eq!(
        text(&page, "document.querySelector('.flash').textContent"),
        "Thank you for your message!"
    );
    assert_eq!(
        text(&page, "document.querySelector('article h3').textContent"),
        "小明"
    );
    assert_eq!(
        text(&page, "document.querySelector('article .body').textContent"),
        "你好！<b>bold?</b> {{ 7 * 7 }}"
    );
    let again = browser.open(&server.url()).unwrap();
    assert_eq!(
        again.eval("document.querySelector('.flash')").unwrap(),
        serde_json::Value::Null
    );
    assert_eq!(
        text(&again, "document.querySelector('article h3').textContent"),
        "小明"
    );
    // The stylesheet applied, and the icon the page names is there (so a
    // browser logs no 404 for it).
    let styled = again
        .eval("getComputedStyle(document.querySelector('button')).color")
        .unwrap();
    assert_eq!(styled, "rgb(255, 255, 255)", "style.css was not applied");
    let icon = again
        .eval("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
        .unwrap();
    assert_eq!(icon, 200);
}

/// Pressing the button with an empty message: the form comes back with
/// what was typed, and the problem next to the field, tied to it.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn an_empty_message_is_explained_next_to_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let browser = Browser::launch().unwrap();
    let page = browser.open(&server.url()).unwrap();
    page.fill("#name", "Seven").unwrap();
    page.press("button[type=submit]").unwrap();
    assert_eq!(
        text(&page, "document.getElementById('name').value"),
        "Seven"
    );
    assert_eq!(
        text(
            &page,
            "document.getElementById('message-error').textContent"
        ),
        "Please write a message."
    );
    assert_eq!(
        text(
            &page,
            "document.getElementById('message').getAttribute('aria-describedby')"
        ),
        "message-error"
    );
}

/// Every kind of page passes the accessibility audit (WCAG 2.1 A and AA,
/// and axe's best practices: labels, language, title, headings in order,
/// contrast, landmarks), and fits a phone's screen.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn every_page_passes_an_accessibility_audit() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let browser = Browser::launch().unwrap();
    // An empty guestbook, then one with messages and a flash, then the form
    // with an error, then a page that does not exist.
    let empty = browser.open(&server.url()).unwrap();
    check(&empty, "the empty guestbook");
    let messages = Messages::open(&dir.path().join("guestbook.db")).unwrap();
    for i in 0..24 {
        messages
            .add(&format!("visitor {i}"), &format!("message {i}"))
            .unwrap();
    }
    empty.fill("#message", "one more").unwrap();
    empty.press("button[type=submit]").unwrap();
    check(&empty, "the guestbook with a flash");
    let second = browser.open(&format!("{}?page=2", server.url())).unwrap();
    check(&second, "page 2");
    let invalid = browser.open(&server.url()).unwrap();
    invalid.press("button[type=submit]").unwrap();
    check(&invalid, "the form with an error");
    let missing = browser.open(&format!("{}nowhere", server.url())).unwrap();
    check(&missing, "404");
}

fn check(page: &Page, what: &str) {
    let violations = page.audit().unwrap();
    assert!(violations.is_empty(), "{what}: {violations:#?}");
    let description = text(
        page,
        "document.querySelector('meta[name=description]').content",
    );
    assert!(!description.is_empty(), "{what}: no description");
    page.emulate_phone(360).unwrap();
    let fits = page
        .eval("document.documentElement.scrollWidth <= window.innerWidth")
        .unwrap();
    assert_eq!(
        fits,
        serde_json::Value::Bool(true),
        "{what}: wider than a phone"
    );
    let font = page
        .eval("parseFloat(getComputedStyle(document.body).fontSize)")
        .unwrap();
    assert!(
        font.as_f64().unwrap_or(0.0) >= 16.0,
        "{what}: text smaller than 16px"
    );
}

// ANCHOR: cross_site
/// A page on another site posts a form to the guestbook, as a forgery
/// would: the browser sends it, and the guestbook refuses it with 403 and
/// stores nothing.
#[test]
#[ignore = "needs Chromium: cargo xtask browser"]
fn a_form_from_another_site_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let browser = Browser::launch().unwrap();
    // The visitor has been to the guestbook: they have its cookie.
    browser.open(&server.url()).unwrap();
    let forgery = format!(
        "data:text/html,<!doctype html><title>win a prize</title>\
         <form method=post action={}messages><input name=message value=forged>\
         <input name=csrf value=guess><button>Claim your prize</button></form>",
        server.url()
    );
    let page = browser.open(&forgery).unwrap();
    page.press("button").unwrap();
    assert!(
        text(&page, "document.title").starts_with("403 Forbidden"),
        "{}",
        page.html().unwrap()
    );
    let guestbook = browser.open(&server.url()).unwrap();
    assert_eq!(
        guestbook
            .eval("document.querySelectorAll('article').length")
            .unwrap(),
        0
    );
}
// ANCHOR_END: cross_site
