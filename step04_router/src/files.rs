//! Static files, by step 2's folder server. The route `/static/{*path}`
//! hands the rest of the path, *as sent*, to `Folder::respond_to`, which
//! decodes it once, refuses `..`, encoded slashes and symlinks out of the
//! folder, and answers with the file, `304` or an error page. There is no
//! second traversal defence here to get wrong. What this module adds is a
//! rule of the site, not of the folder server: hidden files stay hidden.

use step02_http_reply::files::relative_path;
use step02_http_reply::request::{Header, Version};
use step02_http_reply::{Folder, Head, Status};
use step03_wsgi_gateway::Body;

use crate::error::Error;
use crate::request::Request;
use crate::response::Response;

// ANCHOR: serve
/// Answers a request for a file below `folder`: the route's `{*path}`
/// parameter names it.
pub fn serve<S>(folder: &Folder, request: &Request<'_, S>) -> Result<Response, Error> {
    let url_path = request.raw_param("path")?;
    // A name that starts with a dot is hidden by convention (`.env`,
    // `.git/`): as far as the site says, there is nothing there. Only for a
    // path the folder server would accept; it refuses the rest itself.
    if let Ok(relative) = relative_path(url_path) {
        if relative
            .iter()
            .any(|name| name.as_encoded_bytes().starts_with(b"."))
        {
            return Err(Error::new(Status::NOT_FOUND, "There is no such file."));
        }
    }
    let query = Some(request.environ().query_string()).filter(|q| !q.is_empty());
    let head = head_of(request);
    let response = folder.respond_to(&head, url_path, query);
    if response.status.code() >= 400 {
        // The router's error page, so that it looks like the rest of the
        // site. (Step 2's page said why in more words.)
        let message = match response.status {
            Status::NOT_FOUND => "There is no such file.",
            Status::FORBIDDEN => "This file may not be read.",
            _ => "This path cannot name a file.",
        };
        return Err(Error::new(response.status, message));
    }
    Ok(response.into())
}
// ANCHOR_END: serve

/// The request head step 2's handlers read, rebuilt from the environ: the
/// method, the target, the version and the header fields.
fn head_of<S>(request: &Request<'_, S>) -> Head {
    let environ = request.environ();
    let version = match environ.get("SERVER_PROTOCOL") {
        Some("HTTP/1.0") => Version::Http10,
        _ => Version::Http11,
    };
    let headers = environ
        .iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix("HTTP_")?.replace('_', "-");
            Some(Header {
                name,
                value: value.to_string(),
            })
        })
        .collect();
    Head {
        method: request.method().to_string(),
        target: environ.get("REQUEST_URI").unwrap_or("/").to_string(),
        version,
        headers,
    }
}

// ANCHOR: from_step02
/// Step 2's response, as this step's: the same status and fields; a file
/// is sent a piece at a time, as step 2 sent it.
impl From<step02_http_reply::Response> for Response {
    fn from(response: step02_http_reply::Response) -> Response {
        let body = match response.body {
            step02_http_reply::Body::Empty => Body::empty(),
            step02_http_reply::Body::Bytes(bytes) => Body::from(bytes),
            step02_http_reply::Body::File(file, length) => Body::from_reader(file, length),
        };
        Response {
            status: response.status,
            headers: response.headers,
            body,
        }
    }
}
// ANCHOR_END: from_step02
