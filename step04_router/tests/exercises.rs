//! Checkers for the step 4 exercises (see the step 4 chapter). Each fails on
//! the code as shipped and passes once the exercise is solved:
//!
//! ```text
//! cargo xtask exercise check step04/slug
//! ```
//!
//! They run the real demo binary and talk HTTP to it, so any correct
//! solution passes, whatever its names.

use testkit::html::elements;
use testkit::{RawResponse, Running, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_step04_router");

fn start() -> Running {
    Running::start(BIN, &["--addr", "127.0.0.1:0"])
}

fn ask(server: &Running, method: &str, target: &str) -> RawResponse {
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    exchange(server.addr, request.as_bytes())
}

// ANCHOR: slug
/// `/posts/{slug:slug}` answers for slugs (lowercase letters and digits in
/// words joined by single hyphens) and is 404 for anything else.
#[test]
#[ignore = "exercise: cargo xtask exercise check step04/slug"]
fn slug() {
    let server = start();
    for slug in ["hello-world", "rust", "step-4", "2026-11-22"] {
        let response = ask(&server, "GET", &format!("/posts/{slug}"));
        assert_eq!(
            response.status(),
            Some(200),
            "/posts/{slug}: {}",
            response.head()
        );
        assert!(
            response.text().contains(slug),
            "/posts/{slug} does not show the slug"
        );
    }
    for not_a_slug in [
        "Hello-World",
        "hello_world",
        "-hello",
        "hello-",
        "a--b",
        "caf%C3%A9",
        "a%20b",
    ] {
        let response = ask(&server, "GET", &format!("/posts/{not_a_slug}"));
        assert_eq!(
            response.status(),
            Some(404),
            "/posts/{not_a_slug} is not a slug"
        );
    }
}
// ANCHOR_END: slug

// ANCHOR: no_slash
/// A path with a trailing slash that no route has, when the path without
/// it has one, is redirected there with `308`, the query kept: `/users/42/`
/// to `/users/42`. A path that has its own route is not redirected, a path
/// that is nothing either way is `404`, and the redirect that adds a slash
/// (`/login` to `/login/`) still works.
#[test]
#[ignore = "exercise: cargo xtask exercise check step04/no_slash"]
fn no_slash() {
    let server = start();
    let cases = [
        ("GET", "/users/42/", 308, Some("/users/42")),
        (
            "GET",
            "/hello/Seven/?lang=en",
            308,
            Some("/hello/Seven?lang=en"),
        ),
        ("POST", "/login", 308, Some("/login/")),
        ("GET", "/index/", 200, None),
        ("GET", "/", 200, None),
        ("GET", "/nothing/", 404, None),
    ];
    for (method, target, status, location) in cases {
        let response = ask(&server, method, target);
        assert_eq!(response.status(), Some(status), "{method} {target}");
        assert_eq!(
            response.header("location").as_deref(),
            location,
            "{method} {target}"
        );
    }
    // Never a redirect that leaves the site: `//evil.example` is a link to
    // another host.
    let response = ask(&server, "GET", "//evil.example/");
    let location = response.header("location").unwrap_or_default();
    assert!(
        !location.starts_with("//"),
        "a redirect off the site: {location}"
    );
}
// ANCHOR_END: no_slash

// ANCHOR: route_timer
/// Each request logs one line on stderr with the route that answered and
/// how long it took, such as `route=/hello/{name} 0.042ms` (`route=-` when
/// no route matched).
#[test]
#[ignore = "exercise: cargo xtask exercise check step04/route_timer"]
fn route_timer() {
    let server = start();
    let cases = [
        ("/hello/Seven", "route=/hello/{name} "),
        ("/users/7", "route=/users/{id:int} "),
        ("/nowhere", "route=- "),
    ];
    for (path, expected) in cases {
        ask(&server, "GET", path);
        let line = server
            .stderr_line(|line| line.contains("route="))
            .unwrap_or_else(|e| panic!("no route= line for {path}: {e}"));
        let at = line
            .find(expected)
            .unwrap_or_else(|| panic!("{path}: {line:?} has no {expected:?}"));
        let time = line[at + expected.len()..]
            .split_whitespace()
            .next()
            .unwrap_or_default();
        let millis: f64 = time
            .strip_suffix("ms")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{path}: {time:?} is not a time like 0.042ms"));
        assert!((0.0..1000.0).contains(&millis), "{line}");
    }
}
// ANCHOR_END: route_timer

// ANCHOR: user_links
/// Each user's page links to the previous and the next user, with
/// `rel="prev"` and `rel="next"`; user 0 has no previous, and the last user
/// a `u64` can number has no next.
#[test]
#[ignore = "exercise: cargo xtask exercise check step04/user_links"]
fn user_links() {
    let server = start();
    // The links of a page with this `rel`, by their `href`: attribute
    // order, quotes and the links' text are the solution's to choose.
    let links = |id: &str, rel: &str| -> Vec<String> {
        let page = ask(&server, "GET", &format!("/users/{id}")).text();
        let links = elements(&page, "a").into_iter();
        let with_rel = links.filter(|a| a.attr("rel") == Some(rel));
        with_rel
            .filter_map(|a| a.attr("href").map(str::to_string))
            .collect()
    };
    assert_eq!(links("42", "prev"), ["/users/41"], "user 42's previous");
    assert_eq!(links("42", "next"), ["/users/43"], "user 42's next");
    assert!(links("0", "prev").is_empty(), "user 0 has no previous");
    assert_eq!(links("0", "next"), ["/users/1"]);
    let last = "18446744073709551615";
    assert_eq!(links(last, "prev"), ["/users/18446744073709551614"]);
    assert!(links(last, "next").is_empty(), "the last user has no next");
}
// ANCHOR_END: user_links

// ANCHOR: json_api
/// `GET /api/users/{id:int}` answers `{"id": 42, "url": "/users/42"}` as
/// JSON; other methods get 405 with `Allow`.
#[test]
#[ignore = "exercise: cargo xtask exercise check step04/json_api"]
fn json_api() {
    let server = start();
    let response = ask(&server, "GET", "/api/users/42");
    assert_eq!(response.status(), Some(200), "{}", response.head());
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "Content-Type: {content_type}"
    );
    let value: serde_json::Value = serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", response.text()));
    assert_eq!(value["id"], 42, "{value}");
    assert_eq!(value["url"], "/users/42", "{value}");
    let big = ask(&server, "GET", "/api/users/18446744073709551615");
    let value: serde_json::Value = serde_json::from_slice(big.body()).unwrap();
    assert_eq!(value["id"].as_u64(), Some(u64::MAX), "{value}");
    let wrong = ask(&server, "POST", "/api/users/42");
    assert_eq!(wrong.status(), Some(405));
    assert_eq!(wrong.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
    assert_eq!(ask(&server, "GET", "/api/users/x").status(), Some(404));
}
// ANCHOR_END: json_api
