//! A folder server, in the spirit of Python's `SimpleHTTPRequestHandler`
//! (`python -m http.server`), and safe where that one is not: no request,
//! however crafted, reads anything outside the folder.
//!
//! What it does, step by step, for `GET /docs/a%20b.txt`:
//!
//! 1. turn the URL path into a relative file path, decoding each segment
//!    exactly once and refusing any segment that is not a plain file name
//!    (`..`, an encoded `/`, a backslash, a NUL) with `400`;
//! 2. resolve that path on disk, symlinks included, and refuse it (`404`) if
//!    it ends up outside the folder;
//! 3. a file: send it with its type, length and modification time, or `304`
//!    if the client's copy is current; a directory: redirect to the URL with
//!    a trailing slash, serve its `index.html`, or list it.

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::html::{PAGE_END, escape, page_start};
use crate::request::{Head, Request};
use crate::response::{Body, Response, Status, http_date};

/// Serves the files below one folder.
pub struct Folder {
    /// The folder, absolute and with symlinks resolved, so that "is this path
    /// inside the folder?" is a plain prefix comparison.
    root: PathBuf,
    /// Whether a folder is answered too (its `index.html`, else a listing),
    /// or only files are.
    folders: bool,
}

impl Folder {
    /// A server for the folder `root`, which must exist.
    pub fn new(root: impl AsRef<Path>) -> io::Result<Folder> {
        let root = root.as_ref().canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a folder", root.display()),
            ));
        }
        Ok(Folder {
            root,
            folders: true,
        })
    }

    /// The same folder, serving files only: a request for a folder is `404`,
    /// with no listing and no `index.html`. For a site's own static files
    /// (step 4), where a listing would show what nobody meant to link.
    pub fn files_only(self) -> Folder {
        Folder {
            folders: false,
            ..self
        }
    }

    /// The folder served, as an absolute path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    // ANCHOR: respond
    /// Answers one request.
    pub fn respond(&self, request: &Request) -> Response {
        let head = &request.head;
        match head.path_and_query() {
            Ok((url_path, query)) => self.respond_to(head, url_path, query),
            Err(error) => Response::error_page(Status::BAD_REQUEST, &error.to_string()),
        }
    }

    /// Answers a request for `url_path`: the part of the URL's path that
    /// names something inside the folder, as sent (still percent-encoded).
    /// A framework that serves the folder below a prefix, as step 4's router
    /// does, passes only what follows the prefix.
    pub fn respond_to(&self, head: &Head, url_path: &str, query: Option<&str>) -> Response {
        if head.method != "GET" && head.method != "HEAD" {
            return Response::error_page(
                Status::METHOD_NOT_ALLOWED,
                "This server only reads files.",
            )
            .with_header("Allow", "GET, HEAD");
        }
        let relative = match relative_path(url_path) {
            Ok(relative) => relative,
            Err(refusal) => return Response::error_page(Status::BAD_REQUEST, refusal),
        };
        let path = match self.locate(&relative) {
            Ok(path) => path,
            Err(response) => return response,
        };

        if !path.is_dir() {
            return serve_file(&path, head.header("If-Modified-Since"));
        }
        if !self.folders {
            return Response::error_page(Status::NOT_FOUND, "There is nothing at this address.");
        }
        if let Some(last) = url_path.rsplit('/').next().filter(|last| !last.is_empty()) {
            // Without the slash, the relative links in the page would resolve
            // against the parent folder. Python's server redirects too. The
            // new address is relative to the old one ("./docs/" for
            // "/files/docs"), so it is right wherever the folder is served
            // from. The "./" keeps a name like "a:b" from reading as a scheme.
            let location = match query {
                Some(query) => format!("./{last}/?{query}"),
                None => format!("./{last}/"),
            };
            return Response::error_page(
                Status::MOVED_PERMANENTLY,
                &format!("Moved to {location}"),
            )
            .with_header("Location", location);
        }
        match self.locate(&relative.join("index.html")) {
            Ok(index) if index.is_file() => serve_file(&index, head.header("If-Modified-Since")),
            _ => listing(&path, url_path),
        }
    }
    // ANCHOR_END: respond

    // ANCHOR: locate
    /// Finds `relative` below the root on disk, following symlinks, and makes
    /// sure the place it ends up is still inside the root.
    fn locate(&self, relative: &Path) -> Result<PathBuf, Response> {
        let not_found =
            || Response::error_page(Status::NOT_FOUND, "There is nothing at this address.");
        let path = match self.root.join(relative).canonicalize() {
            Ok(path) => path,
            Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {
                return Err(Response::error_page(
                    Status::FORBIDDEN,
                    "Permission denied.",
                ));
            }
            Err(_) => return Err(not_found()),
        };
        // A symlink inside the folder may point anywhere. Python's http.server
        // follows it; we refuse, and answer as if nothing were there.
        if path.starts_with(&self.root) {
            Ok(path)
        } else {
            Err(not_found())
        }
    }
    // ANCHOR_END: locate
}

// ANCHOR: relative_path
/// Turns the path of a URL into a path relative to the served folder.
///
/// Each segment between slashes is percent-decoded exactly once, and must
/// then be a plain file name. Decoding segment by segment is what makes an
/// encoded slash (`..%2f..%2fetc`) harmless: it can never create a new
/// segment, and it is refused. Decoding once is what makes `%252e%252e` a
/// file literally called `%2e%2e`, not `..`.
pub fn relative_path(url_path: &str) -> Result<PathBuf, &'static str> {
    let mut relative = PathBuf::new();
    for segment in url_path.split('/') {
        if segment.is_empty() {
            continue; // the leading slash, or a doubled one
        }
        let name = percent_decode_str(segment)
            .decode_utf8()
            .map_err(|_| "The path is not valid UTF-8 once decoded.")?;
        if name == "." || name == ".." {
            return Err("The path contains a . or .. segment.");
        }
        if name.contains('/') {
            return Err("The path contains an encoded slash.");
        }
        if name.contains('\\') {
            return Err("The path contains a backslash.");
        }
        if name.contains('\0') {
            return Err("The path contains a NUL byte.");
        }
        // One plain component: not a root, not a drive letter (on Windows).
        let mut components = Path::new(&*name).components();
        if !matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(_)), None)
        ) {
            return Err("The path contains a segment that is not a plain file name.");
        }
        relative.push(&*name);
    }
    Ok(relative)
}
// ANCHOR_END: relative_path

// ANCHOR: serve_file
/// Sends a file: its type from its extension, its length, and its
/// modification time, or `304 Not Modified` if the client's copy is as new.
fn serve_file(path: &Path, if_modified_since: Option<&str>) -> Response {
    // Open first, then ask the open file for its size and time, so that all
    // three describe the same file even if someone replaces it meanwhile.
    let opened = File::open(path).and_then(|file| {
        let metadata = file.metadata()?;
        Ok((file, metadata))
    });
    let (file, metadata) = match opened {
        Ok(opened) => opened,
        Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {
            return Response::error_page(Status::FORBIDDEN, "Permission denied.");
        }
        Err(_) => {
            return Response::error_page(Status::NOT_FOUND, "There is nothing at this address.");
        }
    };
    // HTTP dates have whole seconds, so compare in whole seconds.
    let modified = metadata.modified().ok().map(whole_seconds);
    let client_copy = if_modified_since.and_then(|date| httpdate::parse_http_date(date).ok());
    if let (Some(modified), Some(client_copy)) = (modified, client_copy) {
        if modified <= client_copy {
            return Response::new(Status::NOT_MODIFIED)
                .with_header("Last-Modified", http_date(modified));
        }
    }
    let mut response = Response::new(Status::OK).with_header("Content-Type", content_type(path));
    if let Some(modified) = modified {
        response = response.with_header("Last-Modified", http_date(modified));
    }
    response.body = Body::File(file, metadata.len());
    response
}

fn whole_seconds(time: SystemTime) -> SystemTime {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// The media type for a file name, by its extension. Text gets an explicit
/// `charset=utf-8`: without one, a browser may guess another encoding.
pub fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    if mime.starts_with("text/") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}
// ANCHOR_END: serve_file

// ANCHOR: listing
/// The bytes that may appear as they are in a link to a file; everything
/// else is percent-encoded (`a b.txt` becomes `a%20b.txt`).
pub const LINK: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An HTML page listing a directory, sorted by name, folders marked with `/`.
/// Names are chosen by whoever put the files there, so every name is escaped
/// as text and percent-encoded as a link.
fn listing(dir: &Path, url_path: &str) -> Response {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(_) => return Response::error_page(Status::FORBIDDEN, "This folder cannot be listed."),
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, entry.path().is_dir())
        })
        .collect();
    names.sort_by_key(|(name, _)| name.to_lowercase());

    let title = format!(
        "Directory listing for {}",
        percent_decode_str(url_path).decode_utf8_lossy()
    );
    let mut html = page_start(&title, "");
    html.push_str(&format!("<h1>{}</h1>\n<hr>\n<ul>\n", escape(&title)));
    if url_path != "/" {
        html.push_str("<li><a href=\"../\">../</a></li>\n");
    }
    for (name, is_dir) in names {
        let slash = if is_dir { "/" } else { "" };
        let link = utf8_percent_encode(&name, LINK);
        html.push_str(&format!(
            "<li><a href=\"{link}{slash}\">{}{slash}</a></li>\n",
            escape(&name)
        ));
    }
    html.push_str("</ul>\n<hr>\n");
    html.push_str(PAGE_END);
    Response::html(Status::OK, html)
}
// ANCHOR_END: listing

#[cfg(test)]
mod tests {
    use super::*;

    /// URL paths that stay inside the folder, and where they lead.
    #[test]
    fn plain_paths_are_accepted() {
        let cases = [
            ("/", ""),
            ("/index.html", "index.html"),
            ("/a/b/", "a/b"),
            ("//a//b", "a/b"),
            ("/a%20b.txt", "a b.txt"),
            ("/caf%C3%A9", "café"),
            ("/%252e%252e", "%2e%2e"),
            ("/..foo", "..foo"),
            ("/a..b", "a..b"),
        ];
        for (url, expected) in cases {
            assert_eq!(relative_path(url), Ok(PathBuf::from(expected)), "{url}");
        }
    }

    /// Every way of writing "go up" or "start elsewhere" is refused.
    #[test]
    fn escapes_are_refused() {
        let cases = [
            "/..",
            "/../secret",
            "/a/../../secret",
            "/%2e%2e/secret",
            "/%2E%2E/secret",
            "/.%2e/secret",
            "/./a",
            "/..%2fsecret",
            "/a%2f..%2f..%2fsecret",
            "/%2Fetc%2Fpasswd",
            "/..%5csecret",
            "/a\\..\\secret",
            "/a%00.txt",
            "/%ff%fe",
        ];
        for url in cases {
            assert!(
                relative_path(url).is_err(),
                "{url} was accepted as {:?}",
                relative_path(url)
            );
        }
    }

    /// Types come from the extension; text says its charset.
    #[test]
    fn content_types() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("logo.png", "image/png"),
            ("app.wasm", "application/wasm"),
            ("LICENSE", "application/octet-stream"),
        ];
        for (name, expected) in cases {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }
}
