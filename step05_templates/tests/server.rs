//! The guestbook binary over real sockets: its command line, many visitors
//! posting at once, and a restart.

use std::process::Command;
use std::sync::{Arc, Barrier};
use std::thread;

use testkit::{RawResponse, Running, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_step05_templates");

fn start(db: &std::path::Path) -> Running {
    Running::start(
        BIN,
        &["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()],
    )
}

/// A visitor: loads the page, as a browser would, to get the form's token
/// and its cookie; then posts the form with both.
fn visit_and_post(server: &std::net::SocketAddr, name: &str, message: &str) -> RawResponse {
    let page = exchange(
        *server,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let text = page.text();
    let at = text.find("name=\"csrf\" value=\"").expect("a token") + 19;
    let token = &text[at..at + 64];
    let cookie = page.header("set-cookie").expect("a cookie");
    let cookie = cookie.split(';').next().unwrap();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("csrf", token), ("name", name), ("message", message)])
        .finish();
    let request = format!(
        "POST /messages HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: \
         application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    exchange(*server, request.as_bytes())
}

/// How many messages the guestbook shows, over all its pages.
fn messages_shown(server: &std::net::SocketAddr) -> usize {
    let mut total = 0;
    for page in 1.. {
        let request = format!("GET /?page={page} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let response = exchange(*server, request.as_bytes());
        if response.status() != Some(200) {
            break;
        }
        total += response.text().matches("<article").count();
    }
    total
}

/// The first line is the URL; the second, the database; `--help` explains
/// every flag.
#[test]
fn the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let server = start(&db);
    assert!(
        server.first_line.contains(&server.url()),
        "{}",
        server.first_line
    );
    let second = server.stdout_line(|_| true).unwrap();
    assert_eq!(second, format!("Guestbook database: {}", db.display()));
    assert!(
        dir.path().join("book.db.key").is_file(),
        "the key is kept beside the database"
    );

    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--addr",
        "--db",
        "--dev",
        "--workers",
        "--templates",
        "--static",
    ] {
        assert!(help.contains(flag), "{help}");
    }
}

/// `--templates` and `--static` serve another folder's templates and
/// files; a folder of templates that is not there stops the start with a
/// clear error, instead of a 500 on every page.
#[test]
fn templates_and_static_files_from_other_folders() {
    let dir = tempfile::tempdir().unwrap();
    let (templates, statics) = (dir.path().join("views"), dir.path().join("assets"));
    std::fs::create_dir(&templates).unwrap();
    std::fs::create_dir(&statics).unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(shipped.join("templates")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), templates.join(entry.file_name())).unwrap();
    }
    let layout = std::fs::read_to_string(templates.join("layout.html")).unwrap();
    let renamed = layout.replace("· Guestbook</title>", "· Our own book</title>");
    std::fs::write(templates.join("layout.html"), renamed).unwrap();
    std::fs::write(statics.join("style.css"), "/* ours */").unwrap();
    let db = dir.path().join("g.db");
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--db",
        db.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
        "--static",
        statics.to_str().unwrap(),
    ];
    let server = Running::start(BIN, &args);
    let get = |path: &str| {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        exchange(server.addr, request.as_bytes())
    };
    assert!(get("/").text().contains("· Our own book</title>"));
    assert_eq!(get("/static/style.css").body(), b"/* ours */");

    for dev in [false, true] {
        let mut command = Command::new(BIN);
        command.args(["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()]);
        command.args(["--templates", dir.path().join("nowhere").to_str().unwrap()]);
        if dev {
            command.arg("--dev");
        }
        let output = command.output().unwrap();
        assert!(!output.status.success(), "it started without templates");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cannot read the templates in") && stderr.contains("nowhere"),
            "{stderr}"
        );
    }
}

// ANCHOR: two_hundred
/// 200 visitors post at the same moment, over real connections: every
/// post is answered 303, and every message is stored. (SQLite takes one
/// write at a time; the busy timeout makes the others wait, not fail.)
#[test]
fn two_hundred_posts_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("guestbook.db"));
    let addr = server.addr;
    let start_together = Arc::new(Barrier::new(200));
    let visitors: Vec<_> = (0..200)
        .map(|i| {
            let start_together = Arc::clone(&start_together);
            thread::spawn(move || {
                start_together.wait();
                visit_and_post(&addr, &format!("visitor {i}"), &format!("message {i}"))
            })
        })
        .collect();
    for visitor in visitors {
        let answer = visitor.join().unwrap();
        assert_eq!(answer.status(), Some(303), "{}", answer.text());
    }
    // A "database is locked" would have been a 500 above; none was.
    assert_eq!(messages_shown(&addr), 200);
}
// ANCHOR_END: two_hundred

/// Messages survive a restart, a graceful one (SIGTERM) and a crash
/// (SIGKILL), because each is committed to the file before the answer.
#[test]
#[cfg(unix)]
fn messages_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("guestbook.db");
    let mut server = start(&db);
    assert_eq!(
        visit_and_post(&server.addr, "before", "a graceful stop").status(),
        Some(303)
    );
    let terminated = Command::new("kill")
        .args(["-TERM", &server.child().id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    assert!(
        server.child().wait().unwrap().success(),
        "a graceful stop exits 0"
    );

    let mut server = start(&db);
    assert_eq!(messages_shown(&server.addr), 1);
    assert_eq!(
        visit_and_post(&server.addr, "then", "a crash").status(),
        Some(303)
    );
    server.child().kill().unwrap(); // SIGKILL: no chance to tidy up
    server.child().wait().unwrap();

    let server = start(&db);
    assert_eq!(messages_shown(&server.addr), 2);
}
