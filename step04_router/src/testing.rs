//! A test client: requests to an application, in the same process, with no
//! server and no socket, the way Flask's `test_client` works. It keeps the
//! cookies the application sets and sends them back, as a browser does, so
//! that a test can walk through a site: load a form, post it, follow the
//! redirect.
//!
//! ```
//! use step04_router::testing::Client;
//! use step04_router::{Response, Router, get};
//!
//! let mut router = Router::new();
//! router.route("/", get(|_| Ok(Response::text("hello")))).unwrap();
//! let mut client = Client::new(router);
//! let response = client.get("/");
//! assert_eq!(response.status, 200);
//! assert_eq!(response.text(), "hello");
//! ```

use std::sync::Arc;

use cookie::Cookie;
use step03_wsgi_gateway::environ::variable_for;
use step03_wsgi_gateway::gateway::collect_body;
use step03_wsgi_gateway::{Application, Environ, StartResponse};

// ANCHOR: client
/// An application, and the cookies it has set so far: one visitor.
pub struct Client<A> {
    app: Arc<A>,
    cookies: Vec<(String, String)>,
    /// Environ variables every request gets, besides the request's own.
    environ: Vec<(String, String)>,
}

/// What the application answered.
#[derive(Debug)]
pub struct TestResponse {
    /// The status code.
    pub status: u16,
    /// The header fields, in order.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
    /// What the application wrote to `wsgi.errors`: its log.
    pub errors: String,
}

impl<A: Application> Client<A> {
    /// A client with no cookies yet.
    pub fn new(app: A) -> Client<A> {
        Client {
            app: Arc::new(app),
            cookies: Vec::new(),
            environ: Vec::new(),
        }
    }

    /// Another visitor of the same application: no cookies yet.
    pub fn visitor(&self) -> Client<A> {
        Client {
            app: Arc::clone(&self.app),
            cookies: Vec::new(),
            environ: self.environ.clone(),
        }
    }

    /// Sets an environ variable for every request from now on, as a server
    /// would: `set_environ("wsgi.url_scheme", "https")` for a server behind
    /// TLS.
    pub fn set_environ(&mut self, key: &str, value: &str) {
        self.environ.retain(|(k, _)| k != key);
        self.environ.push((key.to_string(), value.to_string()));
    }

    /// `GET target`.
    pub fn get(&mut self, target: &str) -> TestResponse {
        self.request("GET", target, &[], b"")
    }

    /// `POST target` with a form, encoded as a browser encodes it.
    pub fn post_form(&mut self, target: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
        self.request("POST", target, &content_type, body.as_bytes())
    }

    /// Any request: `headers` as `(name, value)`, and a body. The client's
    /// cookies go along in a `Cookie` field; those the answer sets are kept.
    pub fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> TestResponse {
        let mut environ = Environ::synthetic(method, target, body);
        for (key, value) in &self.environ {
            environ.set(key.as_str(), value.as_str());
        }
        for (name, value) in headers {
            environ.set(variable_for(name), *value);
        }
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            environ.set("HTTP_COOKIE", cookies.join("; "));
        }
        let mut start_response = StartResponse::new();
        let body = collect_body(self.app.call(&mut environ, &mut start_response));
        let status = start_response.status().unwrap_or("500");
        let status = status
            .get(..3)
            .and_then(|code| code.parse().ok())
            .unwrap_or(500);
        let headers = start_response.into_headers();
        self.keep_cookies(&headers);
        TestResponse {
            status,
            headers,
            body,
            errors: environ.errors.written().to_string(),
        }
    }
    // ANCHOR_END: client

    /// The value of a cookie the client holds, as the application set it.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        let found = self.cookies.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str())
    }

    /// Sets (or with `None`, forgets) a cookie, as a test that plays a
    /// tampering client would.
    pub fn set_cookie(&mut self, name: &str, value: Option<&str>) {
        self.cookies.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.cookies.push((name.to_string(), value.to_string()));
        }
    }

    /// The application, to look at it between requests.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// Keeps what each `Set-Cookie` field sets; one that has expired
    /// (`Max-Age=0`) removes its cookie.
    fn keep_cookies(&mut self, headers: &[(String, String)]) {
        let set = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Set-Cookie"));
        for (_, value) in set {
            let Ok(cookie) = Cookie::parse(value.as_str()) else {
                continue;
            };
            let expired = cookie.max_age().is_some_and(|age| age.is_zero());
            let value = (!expired).then(|| cookie.value_raw().unwrap_or(cookie.value()));
            self.set_cookie(cookie.name(), value);
        }
    }
}

impl TestResponse {
    /// The value of the first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Response, Router, get, post};

    /// Cookies set by one answer go with the next request, until one
    /// expires them; a form arrives decoded.
    #[test]
    fn cookies_are_kept_and_forms_are_sent() {
        let mut router = Router::new();
        router
            .route(
                "/login",
                post(|request| {
                    let user = request.form()?.get("user").unwrap_or_default().to_string();
                    let cookie = Cookie::build(("user", user)).http_only(true).build();
                    Ok(Response::text("in").with_cookie(cookie))
                }),
            )
            .unwrap()
            .route(
                "/me",
                get(|request| {
                    let user = request.cookie("user").unwrap_or_else(|| "nobody".into());
                    Ok(Response::text(user))
                }),
            )
            .unwrap()
            .route(
                "/logout",
                get(|_| {
                    Ok(Response::text("out").with_cookie(Cookie::build("user").removal().build()))
                }),
            )
            .unwrap();
        let mut client = Client::new(router);
        assert_eq!(client.get("/me").text(), "nobody");
        assert_eq!(
            client
                .post_form("/login", &[("user", "Seven of Nine")])
                .status,
            200
        );
        assert_eq!(client.cookie("user"), Some("Seven%20of%20Nine"));
        assert_eq!(client.get("/me").text(), "Seven of Nine");
        client.get("/logout");
        assert_eq!(client.cookie("user"), None);
        assert_eq!(client.get("/me").text(), "nobody");
    }
}
