//! The demo application `cargo run -p step03_wsgi_gateway` serves. It is an
//! ordinary application (a function), so tests call it with a made-up
//! environ and no server at all.

use std::sync::LazyLock;

use step02_http_reply::Status;
use step02_http_reply::html::{PAGE_END, escape, page, page_start};
use step02_http_reply::response::error_html;

use crate::gateway::{Body, Environ, StartResponse};

// ANCHOR: demo
/// Three pages: `/` says hello, `/environ` lists the environ it received,
/// and `/form` shows a form whose submission it reads back.
pub fn demo(environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    match (environ.method(), environ.path_info()) {
        ("GET" | "HEAD", "/") => html(start_response, "200 OK", home()),
        ("GET" | "HEAD", "/environ") => environ_page(environ, start_response),
        ("GET" | "HEAD", "/form") => html(start_response, "200 OK", form_page("")),
        ("POST", "/form") => {
            // The body as a browser sends a form: `message=Hello%2C+web%21`.
            // Decoding that is the `form_urlencoded` crate's job.
            let body = environ.input.read_all();
            let message = form_urlencoded::parse(&body)
                .find(|(name, _)| name == "message")
                .map_or_else(String::new, |(_, value)| value.into_owned());
            let echo = format!("<p>You wrote:</p>\n<pre>{}</pre>\n", escape(&message));
            html(start_response, "200 OK", form_page(&echo))
        }
        (_, "/" | "/environ" | "/form") => {
            let allow = if environ.path_info() == "/form" {
                "GET, HEAD, POST"
            } else {
                "GET, HEAD"
            };
            start_response.start(
                "405 Method Not Allowed",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Allow", allow),
                ],
            );
            let detail = format!("{} is not allowed here.", environ.method());
            Body::from(error_html(Status::METHOD_NOT_ALLOWED, &detail))
        }
        (_, path) => {
            let page = error_html(Status::NOT_FOUND, &format!("Nothing at {path}."));
            html(start_response, "404 Not Found", page)
        }
    }
}
// ANCHOR_END: demo

/// The home page, made once: it never changes.
fn home() -> String {
    static HOME: LazyLock<String> = LazyLock::new(|| {
        page(
            "Hello, web!",
            "<h1>Hello, web!</h1>\n<ul>\n\
             <li><a href=\"/environ\">the environ this request produced</a></li>\n\
             <li><a href=\"/form\">a form, read back from wsgi.input</a></li>\n</ul>\n",
        )
    });
    HOME.clone()
}

fn html(start_response: &mut StartResponse, status: &str, page: String) -> Body {
    start_response.start(status, [("Content-Type", "text/html; charset=utf-8")]);
    Body::from(page)
}

// ANCHOR: environ_page
/// Every variable of the environ, as a table. Sent as one chunk per row,
/// with no length known ahead, so the server uses chunked encoding. Every
/// value came from the request and is escaped.
fn environ_page(environ: &Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/html; charset=utf-8")]);
    let mut chunks =
        vec![page_start("environ", "") + "<h1>The environ of this request</h1>\n<table>\n"];
    for (key, value) in environ.iter() {
        chunks.push(format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            escape(key),
            escape(value)
        ));
    }
    chunks.push(format!("</table>\n{PAGE_END}"));
    Body::from_chunks(chunks.into_iter().map(String::into_bytes))
}
// ANCHOR_END: environ_page

fn form_page(echo: &str) -> String {
    let form = "<h1>A form</h1>\n<form method=\"post\" action=\"/form\">\n\
         <label for=\"message\">Your message</label>\n\
         <textarea id=\"message\" name=\"message\" rows=\"3\" cols=\"40\"></textarea>\n\
         <button type=\"submit\">Send</button>\n</form>\n";
    page("A form", &format!("{form}{echo}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::collect_body;

    fn call(method: &str, target: &str, body: &[u8]) -> (String, String) {
        let mut environ = Environ::synthetic(method, target, body);
        let mut start_response = StartResponse::new();
        let body = collect_body(demo(&mut environ, &mut start_response));
        (
            start_response.status().unwrap_or_default().to_string(),
            String::from_utf8(body).unwrap(),
        )
    }

    /// The pages and their statuses, without a server.
    #[test]
    fn pages() {
        let (status, body) = call("GET", "/", b"");
        assert_eq!(status, "200 OK");
        assert!(body.contains("<h1>Hello, web!</h1>"));
        assert_eq!(call("GET", "/nope", b"").0, "404 Not Found");
        assert_eq!(call("DELETE", "/", b"").0, "405 Method Not Allowed");
    }

    /// The environ page lists the variables, escaped.
    #[test]
    fn environ_page_escapes_values() {
        let mut environ = Environ::synthetic("GET", "/environ", b"");
        environ.set("HTTP_X_TEST", "<script>alert(1)</script>");
        let mut start_response = StartResponse::new();
        let body =
            String::from_utf8(collect_body(demo(&mut environ, &mut start_response))).unwrap();
        assert!(
            body.contains("<th>PATH_INFO</th><td>/environ</td>"),
            "{body}"
        );
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{body}"
        );
        assert!(!body.contains("<script>"));
    }

    /// A posted form is read from wsgi.input and shown back, escaped.
    #[test]
    fn form_is_read_back_escaped() {
        let (status, body) = call("POST", "/form", b"message=%3Cb%3EHi%3C%2Fb%3E+there%21");
        assert_eq!(status, "200 OK");
        assert!(
            body.contains("<pre>&lt;b&gt;Hi&lt;/b&gt; there!</pre>"),
            "{body}"
        );
    }
}
