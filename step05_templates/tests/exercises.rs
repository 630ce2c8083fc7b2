//! Checkers for the step 5 exercises (see the step 5 chapter). Each fails on
//! the code as shipped and passes once the exercise is solved:
//!
//! ```text
//! cargo xtask exercise check step05/time_ago
//! ```
//!
//! They run the real guestbook on a fresh database and talk HTTP to it.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use tempfile::TempDir;
use testkit::html::elements;
use testkit::{RawResponse, Running, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_step05_templates");

/// The guestbook on a fresh database, with these messages stored, each
/// `(name, message, seconds ago)`.
fn guestbook_with(messages: &[(&str, &str, i64)]) -> (TempDir, Running) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("guestbook.db");
    let server = Running::start(
        BIN,
        &["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()],
    );
    store(&db, messages);
    (dir, server)
}

/// Stores messages straight into the database the guestbook made.
fn store(db: &Path, messages: &[(&str, &str, i64)]) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let db = Connection::open(db).unwrap();
    for (name, body, ago) in messages {
        db.execute(
            "INSERT INTO messages (name, body, created) VALUES (?1, ?2, ?3)",
            params![name, body, now - ago],
        )
        .unwrap();
    }
}

fn get(server: &Running, target: &str) -> RawResponse {
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    exchange(server.addr, request.as_bytes())
}

// ANCHOR: time_ago
/// Each message says how long ago it was written, as the text of its
/// `<time>` element: "just now", "1 minute ago", "3 minutes ago", "2 hours
/// ago", "5 days ago"; the exact time stays in the element's `datetime`.
#[test]
#[ignore = "exercise: cargo xtask exercise check step05/time_ago"]
fn time_ago() {
    let (_dir, server) = guestbook_with(&[
        ("a", "five days", 5 * 86_400 + 60),
        ("b", "one day", 86_400),
        ("c", "two hours", 2 * 3600 + 100),
        ("d", "one hour", 3600),
        ("e", "three minutes", 3 * 60 + 5),
        ("f", "one minute", 61),
        ("g", "just now", 2),
    ]);
    let page = get(&server, "/").text();
    // What a reader sees in each <time>, newest first; markup, attribute
    // order and whitespace are the solution's to choose.
    let times = elements(&page, "time");
    let shown: Vec<&str> = times.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        shown,
        [
            "just now",
            "1 minute ago",
            "3 minutes ago",
            "1 hour ago",
            "2 hours ago",
            "1 day ago",
            "5 days ago",
        ],
        "{page}"
    );
    for time in &times {
        let datetime = time.attr("datetime").unwrap_or_default();
        assert!(
            datetime.len() == 20 && datetime.ends_with('Z'),
            "the exact time stays in datetime: {time:?}"
        );
    }
}
// ANCHOR_END: time_ago

// ANCHOR: search
/// `GET /?q=TEXT` shows only the messages that contain TEXT, in a search
/// form that keeps what was typed; quotes, `%` and `_` are only text, so
/// no search is SQL.
#[test]
#[ignore = "exercise: cargo xtask exercise check step05/search"]
fn search() {
    let (_dir, server) = guestbook_with(&[
        ("a", "Hello, world", 50),
        ("b", "hello again", 40),
        ("c", "100% sure", 30),
        ("d", "1000 times", 20),
        ("e", "snake_case", 10),
        ("f", "snakeXcase", 5),
    ]);
    let shown = |query: &str| {
        let target = format!(
            "/?q={}",
            query
                .replace(' ', "+")
                .replace('%', "%25")
                .replace('\'', "%27")
        );
        let page = get(&server, &target).text();
        // The text of each message shown, in the shipped markup.
        let bodies: Vec<String> = elements(&page, "p")
            .into_iter()
            .filter(|p| p.has_class("body"))
            .map(|p| p.text)
            .collect();
        (page, bodies)
    };
    let cases: [(&str, &[&str]); 6] = [
        ("hello", &["hello again", "Hello, world"]),
        ("100%", &["100% sure"]),
        ("_", &["snake_case"]),
        ("' OR '1'='1", &[]),
        ("zzz", &[]),
        (
            "",
            &[
                "snakeXcase",
                "snake_case",
                "1000 times",
                "100% sure",
                "hello again",
                "Hello, world",
            ],
        ),
    ];
    // The field named q, and what it holds.
    let field = |page: &str| -> Option<String> {
        let inputs = elements(page, "input").into_iter();
        let mut named_q = inputs.filter(|input| input.attr("name") == Some("q"));
        named_q
            .next()
            .map(|q| q.attr("value").unwrap_or_default().to_string())
    };
    for (query, expected) in cases {
        let (page, bodies) = shown(query);
        assert_eq!(bodies, *expected, "search {query:?}");
        assert!(field(&page).is_some(), "no search field named q: {page}");
    }
    let (page, _) = shown("100%");
    assert_eq!(
        field(&page).as_deref(),
        Some("100%"),
        "the field keeps what was typed"
    );
}
// ANCHOR_END: search

// ANCHOR: feed
/// `GET /messages.json` answers the 20 newest messages, newest first, as
/// JSON: `{"messages": [{"id", "name", "message", "created"}]}`, with
/// `created` as `2026-11-22T13:05:09Z`.
#[test]
#[ignore = "exercise: cargo xtask exercise check step05/feed"]
fn feed() {
    let numbered: Vec<String> = (0..25).map(|i| format!("message {i}")).collect();
    let mut messages: Vec<(&str, &str, i64)> = numbered
        .iter()
        .enumerate()
        .map(|(i, body)| ("n", body.as_str(), 1000 - i as i64))
        .collect();
    messages.push(("李四", "你好, \"quoted\" </script>", 10));
    let (_dir, server) = guestbook_with(&messages);
    let response = get(&server, "/messages.json");
    assert_eq!(response.status(), Some(200), "{}", response.head());
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "Content-Type: {content_type}"
    );
    let feed: serde_json::Value = serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", response.text()));
    let list = feed["messages"].as_array().expect("a list called messages");
    assert_eq!(list.len(), 20, "the 20 newest");
    assert_eq!(list[0]["name"], "李四");
    assert_eq!(list[0]["message"], "你好, \"quoted\" </script>");
    assert_eq!(list[1]["message"], "message 24", "newest first");
    let ids: Vec<i64> = list.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let created = list[0]["created"].as_str().unwrap_or_default();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.contains('T'),
        "{created}"
    );
}
// ANCHOR_END: feed
