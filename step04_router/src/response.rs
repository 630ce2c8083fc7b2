//! A response as a value. A handler builds one and returns it; the router
//! turns it into what the gateway wants: a `start_response` call and a
//! [`Body`].

use cookie::Cookie;
use serde::Serialize;
use step02_http_reply::Status;
use step02_http_reply::html::{self, escape};
use step03_wsgi_gateway::{Body, StartResponse};

use crate::error::Error;

// ANCHOR: response
/// A status, header fields and a body.
#[derive(Debug)]
pub struct Response {
    /// The status, `200 OK` unless set.
    pub status: Status,
    /// The header fields, in order.
    pub headers: Vec<(String, String)>,
    /// The body: bytes, or chunks made as they are sent.
    pub body: Body,
}

impl Response {
    /// An empty response with this status.
    pub fn new(status: Status) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Body::empty(),
        }
    }

    /// An HTML page, `200 OK`.
    pub fn html(page: impl Into<String>) -> Response {
        Response::new(Status::OK)
            .with_header("Content-Type", "text/html; charset=utf-8")
            .with_body(page.into())
    }

    /// Plain text, `200 OK`.
    pub fn text(text: impl Into<String>) -> Response {
        Response::new(Status::OK)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(text.into())
    }
    // ANCHOR_END: response

    /// A value as JSON, `200 OK`. Fails only for a map whose keys JSON
    /// cannot write as strings (a key that is a tuple, a sequence, a map or
    /// `()`; numbers, `bool` and `char` keys become strings), or for a value
    /// whose own `Serialize` fails.
    pub fn json(value: &impl Serialize) -> Result<Response, Error> {
        let bytes = serde_json::to_vec(value)?;
        Ok(Response::new(Status::OK)
            .with_header("Content-Type", "application/json")
            .with_body(bytes))
    }

    /// A redirect to `location`: `303 See Other` after a form was handled
    /// (the browser then GETs the new page), `308 Permanent Redirect` when
    /// a resource has moved for good (the method and body are kept).
    ///
    /// Browsers follow `Location` without showing the body; the small page
    /// with a link is for any client that does not.
    pub fn redirect(status: Status, location: impl Into<String>) -> Response {
        let location = location.into();
        let link = escape(&location);
        let body = format!("<p>This page is at <a href=\"{link}\">{link}</a>.</p>\n");
        Response::html(html::page(&status.to_string(), &body))
            .with_status(status)
            .with_header("Location", location)
    }

    // ANCHOR: builders
    /// Sets the status.
    pub fn with_status(mut self, status: Status) -> Response {
        self.status = status;
        self
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a cookie: one `Set-Cookie` field, with its attributes
    /// (`HttpOnly`, `SameSite`, `Max-Age`, ...).
    pub fn with_cookie(self, cookie: Cookie<'_>) -> Response {
        self.with_header("Set-Cookie", cookie.encoded().to_string())
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Body>) -> Response {
        self.body = body.into();
        self
    }
    // ANCHOR_END: builders

    /// The value of the first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    // ANCHOR: into_gateway
    /// Hands the response to the gateway: the status and header fields to
    /// `start_response`, the body as the application's return value.
    pub fn into_gateway(self, start_response: &mut StartResponse) -> Body {
        start_response.start(&self.status.to_string(), self.headers);
        self.body
    }
    // ANCHOR_END: into_gateway
}

#[cfg(test)]
mod tests {
    use super::*;
    use cookie::SameSite;
    use step03_wsgi_gateway::gateway::collect_body;

    /// Each constructor sets its type; the gateway gets status, fields and
    /// body.
    #[test]
    fn constructors_and_the_gateway() {
        let cases = [
            (
                Response::html("<p>hi</p>"),
                "text/html; charset=utf-8",
                "<p>hi</p>",
            ),
            (Response::text("hi"), "text/plain; charset=utf-8", "hi"),
            (
                Response::json(&serde_json::json!({"a": [1, "<"]})).unwrap(),
                "application/json",
                r#"{"a":[1,"<"]}"#,
            ),
        ];
        for (response, content_type, body) in cases {
            let mut start_response = StartResponse::new();
            let sent = collect_body(response.into_gateway(&mut start_response));
            assert_eq!(start_response.status(), Some("200 OK"));
            assert_eq!(start_response.header("Content-Type"), Some(content_type));
            assert_eq!(sent, body.as_bytes());
        }
    }

    /// JSON fails for map keys it cannot write as strings, and for those
    /// only.
    #[test]
    fn json_map_keys() {
        use std::collections::BTreeMap;
        let numbers = BTreeMap::from([(1, "a"), (2, "b")]);
        assert!(Response::json(&numbers).is_ok());
        let chars = BTreeMap::from([('c', 1)]);
        assert!(Response::json(&chars).is_ok());
        let tuples = BTreeMap::from([((1, 2), "a")]);
        let error = Response::json(&tuples).unwrap_err();
        assert_eq!(error.status(), Status::INTERNAL_SERVER_ERROR);
    }

    /// A redirect has its status and Location; a cookie is one Set-Cookie
    /// field with its attributes.
    #[test]
    fn redirects_and_cookies() {
        let response = Response::redirect(Status::SEE_OTHER, "/done").with_cookie(
            Cookie::build(("flash", "thank you"))
                .http_only(true)
                .same_site(SameSite::Lax)
                .build(),
        );
        let mut start_response = StartResponse::new();
        response.into_gateway(&mut start_response);
        assert_eq!(start_response.status(), Some("303 See Other"));
        assert_eq!(start_response.header("Location"), Some("/done"));
        assert_eq!(
            start_response.header("Set-Cookie"),
            Some("flash=thank%20you; HttpOnly; SameSite=Lax")
        );
    }
}
