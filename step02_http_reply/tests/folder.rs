//! The folder server (`--dir`), end to end: the real binary serving a
//! temporary folder, a real HTTP client, and raw bytes where needed.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tempfile::TempDir;
use testkit::{Running, exchange, http};
use ureq::ResponseExt;

/// A folder with a few files, served by the real binary.
struct Served {
    dir: TempDir,
    server: Running,
}

fn serve_folder(files: &[(&str, &[u8])]) -> Served {
    let (dir, server) = common::serve_folder(files);
    Served { dir, server }
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    fn get(&self, path: &str) -> ureq::http::Response<ureq::Body> {
        http().get(self.url(path)).call().unwrap()
    }
}

fn body(mut response: ureq::http::Response<ureq::Body>) -> String {
    response.body_mut().read_to_string().unwrap()
}

/// The first line names the folder and the URL.
#[test]
fn prints_the_folder_and_its_url() {
    let served = serve_folder(&[]);
    let line = &served.server.first_line;
    let root = served.dir.path().canonicalize().unwrap();
    assert!(line.contains(&root.display().to_string()), "{line}");
    assert!(line.contains(&served.server.url()), "{line}");
}

/// A file comes with its type, its length and its modification time.
#[test]
fn a_file_with_its_headers() {
    let served = serve_folder(&[("notes.txt", b"some notes\n")]);
    let response = served.get("/notes.txt");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["content-length"], "11");

    let modified = fs::metadata(served.dir.path().join("notes.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let last_modified =
        httpdate::parse_http_date(headers["last-modified"].to_str().unwrap()).unwrap();
    let whole = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(whole(last_modified), whole(modified));
    assert!(httpdate::parse_http_date(headers["date"].to_str().unwrap()).is_ok());
    assert_eq!(body(response), "some notes\n");
}

/// A client whose copy is as new as the file gets 304 and no body; one with
/// an older copy gets the file.
#[test]
fn if_modified_since() {
    let served = serve_folder(&[("a.css", b"body {}")]);
    let first = served.get("/a.css");
    let last_modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();

    let cached = exchange(
        served.server.addr,
        format!("GET /a.css HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: {last_modified}\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(cached.status(), Some(304), "{}", cached.text());
    assert!(cached.body().is_empty());
    assert!(cached.header("content-length").is_none());

    let older = httpdate::fmt_http_date(
        httpdate::parse_http_date(&last_modified).unwrap() - Duration::from_secs(60),
    );
    let stale = http()
        .get(served.url("/a.css"))
        .header("If-Modified-Since", older)
        .call()
        .unwrap();
    assert_eq!(stale.status(), 200);
}

/// A folder asked for without its trailing slash is redirected to it, query
/// and all, by an address relative to the one asked for; a real client
/// follows it to the listing.
#[test]
fn a_folder_without_its_slash_is_redirected() {
    let served = serve_folder(&[("docs/a.txt", b"a")]);
    let response = exchange(
        served.server.addr,
        b"GET /docs?x=1 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(response.status(), Some(301));
    assert_eq!(response.header("location").as_deref(), Some("./docs/?x=1"));

    let followed = served.get("/docs?x=1");
    assert_eq!(followed.status(), 200);
    assert_eq!(followed.get_uri().path(), "/docs/");
    let listing = body(followed);
    assert!(listing.contains("<a href=\"a.txt\">a.txt</a>"), "{listing}");
}

/// A folder with an index.html shows that page rather than a listing.
#[test]
fn a_folder_with_index_html_serves_it() {
    let served = serve_folder(&[
        ("site/index.html", b"<h1>home</h1>"),
        ("site/other.txt", b"x"),
    ]);
    let response = served.get("/site/");
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(body(response), "<h1>home</h1>");
}

// ANCHOR: listing
/// A listing shows every name as text and links to it percent-encoded, and
/// following each link from the listing gets that very file.
#[test]
fn listing_escapes_names_and_its_links_work() {
    let names = [
        "<img src=x onerror=alert(1)>.txt",
        "a b.txt",
        "#1 & more.txt",
        "café.txt",
        "100%.txt",
    ];
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, n.as_bytes())).collect();
    let served = serve_folder(&files);
    fs::create_dir(served.dir.path().join("sub folder")).unwrap();

    let page = body(served.get("/"));
    assert!(
        !page.contains("<img"),
        "a name was inserted as HTML:\n{page}"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;.txt"),
        "{page}"
    );
    assert!(page.contains("#1 &amp; more.txt"), "{page}");
    assert!(
        page.contains("<a href=\"sub%20folder/\">sub folder/</a>"),
        "{page}"
    );

    for name in names {
        let href = page
            .split("<a href=\"")
            .skip(1)
            .filter_map(|rest| rest.split_once('"'))
            .find(|(_, after)| {
                after.starts_with(&format!(">{}", step02_http_reply::html::escape(name)))
            })
            .map(|(href, _)| href.to_string())
            .unwrap_or_else(|| panic!("no link for {name} in\n{page}"));
        assert_eq!(
            body(served.get(&format!("/{href}"))),
            name,
            "following the link {href}"
        );
    }
}
// ANCHOR_END: listing

/// What is missing is a 404 page; a path from the request shown on it is
/// escaped.
#[test]
fn missing_is_404() {
    let served = serve_folder(&[]);
    let response = served.get("/nothing-here.txt");
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
}

/// Methods other than GET and HEAD get 405 and the list of those allowed.
#[test]
fn other_methods_get_405_with_allow() {
    let served = serve_folder(&[("a.txt", b"a")]);
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let request = format!("{method} /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        let response = exchange(served.server.addr, request.as_bytes());
        assert_eq!(response.status(), Some(405), "{method}");
        assert_eq!(
            response.header("allow").as_deref(),
            Some("GET, HEAD"),
            "{method}"
        );
    }
}

/// HEAD gets the headers GET would get, and no body.
#[test]
fn head_has_no_body() {
    let served = serve_folder(&[("a.txt", b"twelve bytes")]);
    let response = exchange(
        served.server.addr,
        b"HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(response.status(), Some(200));
    assert_eq!(response.header("content-length").as_deref(), Some("12"));
    assert!(response.body().is_empty(), "{}", response.text());
}

/// A large file arrives whole, and the server never holds it in memory: its
/// peak memory stays far below the file's size.
#[test]
#[cfg(target_os = "linux")]
fn a_large_file_is_streamed() {
    const SIZE: u64 = 256 * 1024 * 1024;
    let mut served = serve_folder(&[]);
    // A sparse file: 256 MiB long, next to nothing on disk.
    let file = fs::File::create(served.dir.path().join("big.bin")).unwrap();
    file.set_len(SIZE).unwrap();

    let mut response = served.get("/big.bin");
    assert_eq!(
        response.headers()["content-length"],
        SIZE.to_string().as_str()
    );
    let mut reader = response.body_mut().with_config().limit(SIZE + 1).reader();
    let received = std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    assert_eq!(received, SIZE);

    let peak_kib = peak_memory_kib(served.server.child().id());
    assert!(
        peak_kib < 64 * 1024,
        "the server peaked at {peak_kib} KiB serving a 256 MiB file"
    );
}

/// The most memory the process ever had resident (VmHWM), in KiB.
#[cfg(target_os = "linux")]
fn peak_memory_kib(pid: u32) -> u64 {
    let status =
        fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
