//! What the server shows without `--dir`: one page, `index.html`, read from
//! disk for every request, so you can edit it and reload the browser.

use std::fs;
use std::path::PathBuf;

use crate::request::Request;
use crate::response::{Response, Status};

// ANCHOR: site
/// A site with a single page at `/` (also reachable as `/index.html`).
pub struct Site {
    /// The HTML file to serve.
    index: PathBuf,
}

impl Site {
    /// A site serving the file `index`.
    pub fn new(index: impl Into<PathBuf>) -> Site {
        Site {
            index: index.into(),
        }
    }

    /// Answers one request: the page, or a 404 page for any other path.
    pub fn respond(&self, request: &Request) -> Response {
        let head = &request.head;
        let path = match head.path_and_query() {
            Ok((path, _query)) => path,
            Err(error) => return Response::error_page(Status::BAD_REQUEST, &error.to_string()),
        };
        if path != "/" && path != "/index.html" {
            return Response::error_page(
                Status::NOT_FOUND,
                &format!("There is no page at {path}."),
            );
        }
        if head.method != "GET" && head.method != "HEAD" {
            return Response::error_page(Status::METHOD_NOT_ALLOWED, "This page can only be read.")
                .with_header("Allow", "GET, HEAD");
        }
        match fs::read_to_string(&self.index) {
            Ok(html) => Response::html(Status::OK, html),
            // Say what went wrong (the server's own file, nothing from the
            // request), so that whoever runs it can fix it.
            Err(error) => Response::error_page(
                Status::INTERNAL_SERVER_ERROR,
                &format!("Cannot read {}: {error}", self.index.display()),
            ),
        }
    }
}
// ANCHOR_END: site
