//! The demo site end to end: the real binary on port 0, a real HTTP client,
//! and raw bytes for what no real client sends.

use std::process::Command;

use step02_http_reply::request::{MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
use testkit::hostile::{assert_no_traversal, folder_beside_secrets};
use testkit::html::assert_html5;
use testkit::{Running, exchange, http};

const BIN: &str = env!("CARGO_BIN_EXE_step04_router");

fn start(extra: &[&str]) -> Running {
    let mut args = vec!["--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    Running::start(BIN, &args)
}

fn get(server: &Running, path: &str) -> (u16, String) {
    let mut response = http()
        .get(format!("http://{}{path}", server.addr))
        .call()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

/// Every page of the site, and its error pages, are whole HTML5 documents
/// with a language and a title.
#[test]
fn every_page_is_a_whole_document() {
    let server = start(&[]);
    assert!(
        server.first_line.contains(&server.url()),
        "{}",
        server.first_line
    );
    let pages = [
        ("/", 200, "<title>Step 4: a router</title>"),
        ("/index/", 200, "<title>index</title>"),
        ("/login/", 200, "<label for=\"user\">"),
        ("/hello/Seven", 200, "<title>Hello, Seven</title>"),
        ("/hello/caf%C3%A9", 200, "<h1>Hello, café</h1>"),
        ("/users/42", 200, "<title>User 42</title>"),
        ("/nowhere", 404, "<title>404 Not Found</title>"),
        (
            "/users/18446744073709551616",
            404,
            "<title>404 Not Found</title>",
        ),
        ("/static/missing.css", 404, "<title>404 Not Found</title>"),
    ];
    for (path, status, expected) in pages {
        let (got, body) = get(&server, path);
        assert_eq!(got, status, "{path}");
        assert_html5(&body, path);
        assert!(body.contains(expected), "{path}: no {expected} in {body}");
    }
    // The pages made for a wrong method, a redirect, a form of the wrong
    // type, and a form with an empty name.
    let form = "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5";
    for request in [
        "DELETE /login/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_string(),
        "GET /index HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_string(),
        "POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\
         Connection: close\r\n\r\nx"
            .to_string(),
        format!("POST /login/ HTTP/1.1\r\nHost: x\r\n{form}\r\nConnection: close\r\n\r\nuser="),
    ] {
        let response = exchange(server.addr, request.as_bytes());
        assert_html5(&String::from_utf8_lossy(response.body()), &request);
    }
}

/// The links on the home page, built by `url_for`, all lead somewhere.
#[test]
fn the_home_page_links_work() {
    let server = start(&[]);
    let (_, home) = get(&server, "/");
    let links: Vec<&str> = home
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(links.len() >= 7, "{links:?}");
    for link in links {
        assert_eq!(get(&server, link).0, 200, "{link}");
    }
}

/// The Python tutorials' login route: the form posts `user`, and the answer shows it
/// back escaped; an empty name is 422 with the form again.
#[test]
fn logging_in_shows_the_name_escaped() {
    let server = start(&[]);
    let post = |body: &str| {
        let mut response = http()
            .post(format!("{}login/", server.url()))
            .content_type("application/x-www-form-urlencoded")
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    };
    let (status, page) = post("user=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%E4%B8%83");
    assert_eq!(status, 200);
    assert!(
        page.contains("Welcome, <strong>&lt;script&gt;alert(1)&lt;/script&gt; 七</strong>"),
        "{page}"
    );
    assert!(!page.contains("<script>"));
    let (status, page) = post("user=+++");
    assert_eq!(status, 422);
    assert!(page.contains("Please type a name."), "{page}");
}

/// Names in the path are escaped too: `/hello/<script>` shows the text.
#[test]
fn path_parameters_are_escaped() {
    let server = start(&[]);
    let (status, page) = get(&server, "/hello/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert_eq!(status, 200);
    assert!(
        page.contains("Hello, &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>"));
}

/// Methods, slashes and bad paths, as raw requests see them.
#[test]
fn methods_slashes_and_bad_paths() {
    let server = start(&[]);
    let ask = |request: &str| exchange(server.addr, request.as_bytes());
    let wrong = ask("DELETE /login/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(wrong.status(), Some(405));
    assert_eq!(
        wrong.header("allow").as_deref(),
        Some("GET, HEAD, POST, OPTIONS")
    );

    let moved = ask(
        "POST /login?next=%2F HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(moved.status(), Some(308));
    assert_eq!(
        moved.header("location").as_deref(),
        Some("/login/?next=%2F")
    );

    let head = ask("HEAD /hello/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status(), Some(200));
    assert!(head.body().is_empty(), "HEAD has no body");
    assert!(head.header("content-length").is_some());

    let options = ask("OPTIONS /users/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(options.status(), Some(204));
    assert_eq!(
        options.header("allow").as_deref(),
        Some("GET, HEAD, OPTIONS")
    );

    let not_utf8 = ask("GET /hello/%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(not_utf8.status(), Some(400));
}

/// The static route is step 2's folder server below `/static`: files come
/// with their type, and every attempt to leave the folder fails, without
/// the secret.
#[test]
fn the_static_route_serves_files_and_nothing_outside() {
    let (_outside, root) = folder_beside_secrets();
    let server = start(&["--static-dir", root.to_str().unwrap()]);
    let (status, body) = get(&server, "/static/public.txt");
    assert_eq!((status, body.as_str()), (200, "public"));
    assert_no_traversal(server.addr, "/static");
}

/// The shipped stylesheet and icon are served with their types, and a
/// folder without its slash is redirected below `/static/`.
#[test]
fn the_shipped_static_files() {
    let server = start(&[]);
    let css = http()
        .get(format!("{}static/style.css", server.url()))
        .call()
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let icon = http()
        .get(format!("{}static/favicon.svg", server.url()))
        .call()
        .unwrap();
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
}

/// The access log has a line for each request, in wsgiref's format.
#[test]
fn requests_are_logged() {
    let server = start(&[]);
    get(&server, "/users/7");
    let line = server
        .stderr_line(|l| l.contains("\"GET /users/7 HTTP/1.1\""))
        .unwrap();
    assert!(line.starts_with("127.0.0.1 - - ["), "{line}");
    assert!(line.contains("\" 200 "), "{line}");
}

/// Malformed requests get the server's statuses, and the site lives on.
#[test]
fn malformed_requests_do_not_stop_the_site() {
    let mut server = start(&[]);
    let limits = testkit::hostile::Limits {
        target: MAX_TARGET_BYTES,
        head: MAX_HEAD_BYTES,
        headers: MAX_HEADERS,
        body: MAX_BODY_BYTES,
    };
    for bad in testkit::hostile::bad_requests(&limits) {
        let response = exchange(server.addr, &bad.bytes);
        assert_eq!(response.status(), Some(bad.status), "{}", bad.what);
    }
    assert!(server.is_alive());
    assert_eq!(get(&server, "/").0, 200);
}

/// `--help` explains the flags; a missing static folder is a clear error.
#[test]
fn help_and_a_missing_folder() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in ["--addr", "--workers", "--static-dir"] {
        assert!(help.contains(flag), "{help}");
    }
    let output = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--static-dir", "/no/such/folder"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("cannot serve /no/such/folder"), "{error}");
}
