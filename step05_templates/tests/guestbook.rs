//! The guestbook through the test client: the application called in
//! process, no server, no socket, each test with a fresh database in a
//! temporary folder (like Flask's tutorial tests with `test_client`).

use std::fs;
use std::path::Path;

use step04_router::Router;
use step04_router::testing::{Client, TestResponse};
use step05_templates::guestbook::{Guestbook, MAX_MESSAGE_CHARS, MAX_NAME_CHARS, PER_PAGE};
use step05_templates::model::Messages;
use step05_templates::{Config, app};
use tempfile::TempDir;
use testkit::html::assert_html5;

// ANCHOR: fixture
/// A guestbook on a fresh database, and the folder that holds it.
struct Fixture {
    dir: TempDir,
    client: Client<Router<Guestbook>>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::new(dir.path().join("guestbook.db"));
        Fixture::with(dir, &config)
    }

    fn with(dir: TempDir, config: &Config) -> Fixture {
        let client = Client::new(app(config).unwrap());
        Fixture { dir, client }
    }

    /// The token in the form of the page at `/`, as a browser would post it.
    fn token(&mut self) -> String {
        let page = self.client.get("/").text();
        let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        page[at..at + 64].to_string()
    }

    /// Fills in the form and posts it, the token included.
    fn post(&mut self, name: &str, message: &str) -> TestResponse {
        let token = self.token();
        self.client.post_form(
            "/messages",
            &[("csrf", &token), ("name", name), ("message", message)],
        )
    }

    /// Posts a form with no token, as another site's form would.
    fn post_without_token(&mut self) -> TestResponse {
        self.client.post_form("/messages", &[("message", "forged")])
    }

    /// How many messages are stored, asked of the database itself.
    fn count(&self) -> u64 {
        Messages::open(&self.dir.path().join("guestbook.db"))
            .unwrap()
            .count()
            .unwrap()
    }
}
// ANCHOR_END: fixture

// ANCHOR: prg
/// A posted message is stored and answered 303 to `/`; the next view shows
/// it and a "thank you" once; the one after that shows it without.
#[test]
fn post_redirect_get_and_a_flash_message_once() {
    let mut guestbook = Fixture::new();
    let posted = guestbook.post("Seven", "Hello, guestbook!");
    assert_eq!(posted.status, 303, "{}", posted.text());
    assert_eq!(posted.header("Location"), Some("/"));
    assert_eq!(guestbook.count(), 1);

    let first = guestbook.client.get("/").text();
    assert!(first.contains("Thank you for your message!"), "{first}");
    assert!(first.contains("<h3>Seven</h3>"), "{first}");
    assert!(first.contains("Hello, guestbook!"), "{first}");
    let second = guestbook.client.get("/").text();
    assert!(!second.contains("Thank you"), "the flash shows once");
    assert!(second.contains("Hello, guestbook!"));
}
// ANCHOR_END: prg

/// A name left empty is signed Anonymous.
#[test]
fn a_message_without_a_name_is_anonymous() {
    let mut guestbook = Fixture::new();
    assert_eq!(guestbook.post("   ", "hi").status, 303);
    assert!(
        guestbook
            .client
            .get("/")
            .text()
            .contains("<h3>Anonymous</h3>")
    );
}

/// An invalid form is 422: the form again, what was typed kept (escaped),
/// and each problem beside its field; nothing is stored.
#[test]
fn an_invalid_form_is_422_with_the_input_kept() {
    let mut guestbook = Fixture::new();
    let long_name = "n".repeat(MAX_NAME_CHARS + 1);
    let long_message = "字".repeat(MAX_MESSAGE_CHARS + 1);
    let cases = [
        (
            "Seven <b>",
            "",
            "Please write a message.",
            "value=\"Seven &lt;b&gt;\"",
        ),
        (
            "Seven",
            "   \n ",
            "Please write a message.",
            "value=\"Seven\"",
        ),
        (
            long_name.as_str(),
            "hi",
            "A name can be at most 80 characters long.",
            ">hi</textarea>",
        ),
        (
            "x",
            long_message.as_str(),
            "A message can be at most 2000 characters long; this one has 2001.",
            "字字字",
        ),
    ];
    for (name, message, problem, kept) in cases {
        let answer = guestbook.post(name, message);
        let page = answer.text();
        assert_eq!(answer.status, 422, "{problem}");
        assert!(page.contains(problem), "{problem}: {page}");
        assert!(page.contains(kept), "{kept} not kept: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "{page}");
    }
    assert_eq!(guestbook.count(), 0);
    // At the limit exactly, it is fine.
    let at_limit = "字".repeat(MAX_MESSAGE_CHARS);
    assert_eq!(
        guestbook
            .post(&"n".repeat(MAX_NAME_CHARS), &at_limit)
            .status,
        303
    );
}

/// A body over the form limit is 413, and nothing is stored.
#[test]
fn a_body_over_the_limit_is_413() {
    let mut guestbook = Fixture::new();
    let token = guestbook.token();
    let huge = "x".repeat(70_000);
    let answer = guestbook.client.post_form(
        "/messages",
        &[("csrf", &token), ("name", "x"), ("message", &huge)],
    );
    assert_eq!(answer.status, 413);
    assert_eq!(guestbook.count(), 0);
}

// ANCHOR: forged
/// A post without the right token is 403 and stores nothing: no cookie,
/// no field, a wrong token, a cookie not signed by us, or another
/// visitor's token.
#[test]
fn a_forged_form_is_403() {
    let mut guestbook = Fixture::new();
    let token = guestbook.token();
    let form = |token: &str| {
        vec![
            ("csrf", token.to_string()),
            ("message", "forged".to_string()),
        ]
    };
    let send = |client: &mut Client<Router<Guestbook>>, fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        client.post_form("/messages", &fields).status
    };
    // A wrong token, and none.
    assert_eq!(
        send(&mut guestbook.client, form("0".repeat(64).as_str())),
        403
    );
    assert_eq!(
        send(&mut guestbook.client, vec![("message", "x".into())]),
        403
    );
    // The right token, with the cookie changed: not our signature.
    let cookie = guestbook.client.cookie("csrf").unwrap().to_string();
    guestbook
        .client
        .set_cookie("csrf", Some(&cookie.replacen(&cookie[..4], "AAAA", 1)));
    assert_eq!(send(&mut guestbook.client, form(&token)), 403);
    // An unsigned cookie that repeats the token.
    guestbook.client.set_cookie("csrf", Some(&token));
    assert_eq!(send(&mut guestbook.client, form(&token)), 403);
    // No cookie at all (a cross-site form the browser sent without it).
    guestbook.client.set_cookie("csrf", None);
    assert_eq!(send(&mut guestbook.client, form(&token)), 403);
    // Another visitor's good cookie with this visitor's token.
    let mut other = Fixture::new();
    let _ = other.token();
    guestbook
        .client
        .set_cookie("csrf", other.client.cookie("csrf"));
    assert_eq!(send(&mut guestbook.client, form(&token)), 403);
    assert_eq!(guestbook.count(), 0);
}
// ANCHOR_END: forged

// ANCHOR: forged_more
/// Two visitors of the same guestbook: each one's token works only with
/// their own cookie. Bob posting Alice's token (with his cookie), or
/// Alice's cookie with his token, is 403; nothing is stored.
#[test]
fn a_token_swapped_between_two_visitors_is_403() {
    let mut alice = Fixture::new();
    let alices = alice.token();
    let mut bob = alice.client.visitor();
    let page = bob.get("/").text();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let bobs = page[at..at + 64].to_string();
    assert_ne!(alices, bobs);
    let post = |client: &mut Client<Router<Guestbook>>, token: &str| {
        client
            .post_form("/messages", &[("csrf", token), ("message", "swapped")])
            .status
    };
    assert_eq!(post(&mut bob, &alices), 403, "Alice's token, Bob's cookie");
    let bobs_cookie = bob.cookie("csrf").map(str::to_string);
    bob.set_cookie("csrf", alice.client.cookie("csrf"));
    assert_eq!(post(&mut bob, &bobs), 403, "Alice's cookie, Bob's token");
    assert_eq!(alice.count(), 0);
    bob.set_cookie("csrf", bobs_cookie.as_deref());
    assert_eq!(post(&mut bob, &bobs), 303, "Bob's own pair");
    assert_eq!(alice.count(), 1);
}

/// The flash cookie is signed too, but for another purpose: offered as the
/// CSRF cookie, with the value it carries as the token, it is 403.
#[test]
fn a_flash_cookie_offered_as_the_csrf_cookie_is_403() {
    let mut guestbook = Fixture::new();
    assert_eq!(guestbook.post("Seven", "first").status, 303);
    let flash = guestbook
        .client
        .cookie("flash")
        .expect("a flash cookie")
        .to_string();
    let signed = percent_encoding::percent_decode_str(&flash)
        .decode_utf8()
        .unwrap();
    let (_, carried) = signed.split_once('.').unwrap();
    guestbook.client.set_cookie("csrf", Some(&flash));
    let answer = guestbook
        .client
        .post_form("/messages", &[("csrf", carried), ("message", "forged")]);
    assert_eq!(answer.status, 403);
    assert_eq!(guestbook.count(), 1);
}

/// A post whose `Origin` is another site is 403 even with a good cookie
/// and token, and so is one a browser marks cross-site; the same origin
/// passes.
#[test]
fn a_post_from_another_origin_is_403() {
    let mut guestbook = Fixture::new();
    let token = guestbook.token();
    let body = format!("csrf={token}&message=from+elsewhere");
    let send = |client: &mut Client<Router<Guestbook>>, field: (&str, &str)| {
        let form = ("Content-Type", "application/x-www-form-urlencoded");
        client.request("POST", "/messages", &[form, field], body.as_bytes())
    };
    for foreign in [
        ("Origin", "http://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
    ] {
        let answer = send(&mut guestbook.client, foreign);
        assert_eq!(answer.status, 403, "{foreign:?}");
        assert!(
            answer.text().contains("came from another site"),
            "{foreign:?}"
        );
    }
    assert_eq!(guestbook.count(), 0);
    assert_eq!(
        send(&mut guestbook.client, ("Origin", "http://localhost")).status,
        303
    );
    assert_eq!(guestbook.count(), 1);
}
// ANCHOR_END: forged_more

// ANCHOR: headers_test
/// The cookies are `HttpOnly`, `SameSite=Lax`, for the path `/`; every
/// answer has the security header fields; a page with the form (and so a
/// token) is `no-store`, a static file is not.
#[test]
fn cookie_flags_and_security_headers() {
    let mut guestbook = Fixture::new();
    let home = guestbook.client.get("/");
    let posted = guestbook.post("Seven", "Hello");
    for (answer, cookie) in [(&home, "csrf="), (&posted, "flash=")] {
        let set_cookie = answer.header("Set-Cookie").unwrap_or_default();
        assert!(set_cookie.starts_with(cookie), "{set_cookie}");
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(set_cookie.contains(flag), "{flag}: {set_cookie}");
        }
    }
    assert_eq!(home.header("Cache-Control"), Some("no-store"));
    let css = guestbook.client.get("/static/style.css");
    assert_eq!(css.header("Cache-Control"), None);
    let missing = guestbook.client.get("/nowhere");
    for answer in [&home, &posted, &css, &missing] {
        let csp = answer.header("Content-Security-Policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
        assert!(answer.header("Referrer-Policy").is_some());
    }
}
// ANCHOR_END: headers_test

/// NUL and other control characters in a field are 422, with the form
/// kept: the page shows U+FFFD where they were, never the character
/// itself, and nothing is stored.
#[test]
fn control_characters_are_422_with_the_form_kept() {
    let mut guestbook = Fixture::new();
    for (name, message, problem) in [
        ("Se\0ven", "hello", "A name cannot hold control characters."),
        (
            "Seven",
            "he\0llo",
            "A message cannot hold control characters.",
        ),
        (
            "Seven",
            "bell\u{7}",
            "A message cannot hold control characters.",
        ),
    ] {
        let answer = guestbook.post(name, message);
        assert_eq!(answer.status, 422, "{name:?} {message:?}");
        let page = answer.text();
        assert!(page.contains(problem), "{page}");
        assert!(
            !page.contains('\0') && !page.contains('\u{7}'),
            "a control character in the page"
        );
        assert!(page.contains('\u{fffd}'), "what was typed is kept: {page}");
    }
    assert_eq!(guestbook.count(), 0);
    // Tab and new lines are text.
    assert_eq!(guestbook.post("Seven", "one\ttwo\r\nthree").status, 303);
}

/// A hidden file and a folder in the static folder are 404.
#[test]
fn static_files_keep_hidden_files_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let static_dir = dir.path().join("static");
    fs::create_dir_all(static_dir.join("img")).unwrap();
    fs::write(static_dir.join("style.css"), "body {}").unwrap();
    fs::write(static_dir.join(".env"), "SECRET=1").unwrap();
    let config = Config {
        static_dir,
        ..Config::new(dir.path().join("guestbook.db"))
    };
    let mut guestbook = Fixture::with(dir, &config);
    assert_eq!(guestbook.client.get("/static/style.css").status, 200);
    for hidden in ["/static/.env", "/static/%2Eenv", "/static/img/", "/static/"] {
        let answer = guestbook.client.get(hidden);
        assert_eq!(answer.status, 404, "{hidden}");
        assert!(!answer.text().contains("SECRET"));
    }
}

/// What a visitor types is shown as text: markup, template syntax, SQL,
/// and Chinese all come back exactly as typed.
#[test]
fn input_is_shown_as_text() {
    let mut guestbook = Fixture::new();
    let cases = [
        (
            "<script>alert(1)</script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        (
            "{{ 7 * 7 }} {% if true %}yes{% endif %}",
            "{{ 7 * 7 }} {% if true %}yes{% endif %}",
        ),
        (
            "'); DROP TABLE messages; --",
            "&#39;); DROP TABLE messages; --",
        ),
        (
            "Robert\"); DELETE FROM messages WHERE (\"1\"=\"1",
            "Robert&quot;); DELETE FROM messages WHERE (&quot;1&quot;=&quot;1",
        ),
        ("你好，留言簿！", "你好，留言簿！"),
    ];
    for (typed, _) in cases {
        assert_eq!(guestbook.post("李四", typed).status, 303, "{typed}");
    }
    let page = guestbook.client.get("/").text();
    for (typed, shown) in cases {
        assert!(
            page.contains(shown),
            "{typed} is not shown as {shown}: {page}"
        );
    }
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains(">49<"), "template syntax was run");
    assert!(page.contains("<h3>李四</h3>"));
    assert_eq!(
        guestbook.count(),
        cases.len() as u64,
        "SQL in a message ran"
    );
}

/// Pages of 20, newest first: a link to older messages exactly when there
/// are some, a link back from every page but the first, and 404 past the
/// end.
#[test]
fn pagination_boundaries() {
    for (stored, pages) in [(0usize, 1u32), (1, 1), (20, 1), (21, 2), (40, 2), (41, 3)] {
        let mut guestbook = Fixture::new();
        let messages = Messages::open(&guestbook.dir.path().join("guestbook.db")).unwrap();
        for i in 1..=stored {
            messages.add("me", &format!("message number {i}.")).unwrap();
        }
        for page in 1..=pages {
            let target = if page == 1 {
                "/".to_string()
            } else {
                format!("/?page={page}")
            };
            let answer = guestbook.client.get(&target);
            assert_eq!(answer.status, 200, "{stored} messages, {target}");
            let text = answer.text();
            let newest = stored.saturating_sub(PER_PAGE as usize * (page as usize - 1));
            if newest > 0 {
                assert!(
                    text.contains(&format!("message number {newest}.")),
                    "{stored}: {target}"
                );
            }
            let count = text.matches("<article").count();
            let expected = newest.min(PER_PAGE as usize);
            assert_eq!(count, expected, "{stored} messages, {target}");
            assert_eq!(
                text.contains("rel=\"next\""),
                page < pages,
                "{stored}: next on {target}"
            );
            assert_eq!(
                text.contains("rel=\"prev\""),
                page > 1,
                "{stored}: prev on {target}"
            );
        }
        let past = guestbook.client.get(&format!("/?page={}", pages + 1));
        assert_eq!(
            past.status, 404,
            "{stored} messages: the page after the last"
        );
    }
    let mut guestbook = Fixture::new();
    assert_eq!(guestbook.client.get("/?page=0").status, 404);
    assert_eq!(guestbook.client.get("/?page=99999999999").status, 404);
    assert_eq!(guestbook.client.get("/?page=abc").status, 400);
    assert_eq!(guestbook.client.get("/?page=-1").status, 400);
}

/// The links between pages are built by `url_for`: page 2 links back to
/// `/`, page 3 back to `/?page=2`.
#[test]
fn page_links_come_from_url_for() {
    let mut guestbook = Fixture::new();
    let messages = Messages::open(&guestbook.dir.path().join("guestbook.db")).unwrap();
    for i in 0..45 {
        messages.add("me", &i.to_string()).unwrap();
    }
    let second = guestbook.client.get("/?page=2").text();
    assert!(second.contains("<a rel=\"prev\" href=\"/\">"), "{second}");
    assert!(
        second.contains("<a rel=\"next\" href=\"/?page=3\">"),
        "{second}"
    );
    let third = guestbook.client.get("/?page=3").text();
    assert!(
        third.contains("<a rel=\"prev\" href=\"/?page=2\">"),
        "{third}"
    );
}

/// 404 and 405 pages come from the layout; 405 says `Allow`.
#[test]
fn error_pages_in_the_layout() {
    let mut guestbook = Fixture::new();
    let missing = guestbook.client.get("/nowhere");
    assert_eq!(missing.status, 404);
    let page = missing.text();
    assert!(
        page.contains("<title>404 Not Found · Guestbook</title>"),
        "{page}"
    );
    assert!(page.contains("Back to the guestbook"), "{page}");
    let wrong = guestbook.client.get("/messages");
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("Allow"), Some("POST, OPTIONS"));
    assert!(
        wrong
            .text()
            .contains("<title>405 Method Not Allowed · Guestbook</title>")
    );
}

/// Every page, error pages included, is a well-formed HTML5 document.
#[test]
fn every_page_is_html5() {
    let mut guestbook = Fixture::new();
    assert_html5(&guestbook.client.get("/").text(), "the empty guestbook");
    for i in 0..25 {
        guestbook.post("Ann", &format!("message {i} <b>&amp;</b>"));
    }
    let token = guestbook.token();
    let huge = "x".repeat(70_000);
    let mut pages = vec![
        ("with a flash", guestbook.client.get("/")),
        ("page 2", guestbook.client.get("/?page=2")),
        ("422", guestbook.post("Ann", "")),
        (
            "413",
            guestbook
                .client
                .post_form("/messages", &[("csrf", &token), ("message", &huge)]),
        ),
        ("404", guestbook.client.get("/nowhere")),
        ("404 page", guestbook.client.get("/?page=99")),
        ("400", guestbook.client.get("/?page=abc")),
        ("405", guestbook.client.get("/messages")),
    ];
    guestbook.client.set_cookie("csrf", None);
    pages.push(("403", guestbook.post_without_token()));
    for (what, page) in pages {
        assert_html5(&page.text(), what);
    }
}

/// The stylesheet and the icon are served through step 4's static route.
#[test]
fn static_files() {
    let mut guestbook = Fixture::new();
    let css = guestbook.client.get("/static/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    let icon = guestbook.client.get("/static/favicon.svg");
    assert_eq!(icon.header("Content-Type"), Some("image/svg+xml"));
    assert!(
        guestbook
            .client
            .get("/")
            .text()
            .contains("href=\"/static/favicon.svg\"")
    );
}

/// A copy of the shipped templates in a folder of its own, with
/// `index.html` replaced by `index`.
fn templates_with_index(dir: &Path, index: &str) -> Config {
    let templates = dir.join("templates");
    fs::create_dir(&templates).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for entry in fs::read_dir(shipped).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), templates.join(entry.file_name())).unwrap();
    }
    fs::write(templates.join("index.html"), index).unwrap();
    Config {
        templates,
        ..Config::new(dir.join("guestbook.db"))
    }
}

/// An `index.html` with a mistake on its line 3: a variable misspelt.
const MISSPELT: &str = "{% extends \"layout.html\" %}{% block title %}x{% endblock %}\n\
                        {% block content %}\n{{ mesages }}\n{% endblock %}";

/// A template error, in production: a plain 500 page that says nothing of
/// the template, and one line in the log that does.
#[test]
fn a_template_error_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let config = templates_with_index(dir.path(), MISSPELT);
    let mut guestbook = Fixture::with(dir, &config);
    let answer = guestbook.client.get("/");
    assert_eq!(answer.status, 500);
    let page = answer.text();
    assert!(page.contains("Something went wrong on our side."), "{page}");
    assert!(
        !page.contains("mesages") && !page.contains("index.html"),
        "{page}"
    );
    let log: Vec<&str> = answer.errors.lines().collect();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains("GET / failed") && log[0].contains("index.html"),
        "{log:?}"
    );
}

/// A template error with `--dev`: a page with the template's name, the
/// line, and the lines around it.
#[test]
fn a_template_error_in_development() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = templates_with_index(dir.path(), MISSPELT);
    config.dev = true;
    let mut guestbook = Fixture::with(dir, &config);
    let answer = guestbook.client.get("/");
    assert_eq!(answer.status, 500);
    let page = answer.text();
    assert!(
        page.contains("<title>Template error in index.html</title>"),
        "{page}"
    );
    assert!(page.contains("line 3"), "{page}");
    assert!(page.contains("{{ mesages }}"), "the offending line: {page}");
}

/// A template with a syntax error stops the start in production, with its
/// name and line.
#[test]
fn a_broken_template_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = templates_with_index(dir.path(), "{% block content %}\n{% if %}\n{% endblock %}");
    let error = app(&config).err().expect("a broken template").to_string();
    assert!(error.contains("(in index.html:2)"), "{error}");
    assert!(error.contains("2 > {% if %}"), "the line, marked: {error}");
}
