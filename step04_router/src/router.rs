//! The router: routes by pattern and method, and an [`Application`] that
//! answers each request with the handler its path and method choose.

use std::borrow::Cow;
use std::io::Write;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use percent_encoding::percent_decode_str;
use step02_http_reply::Status;
use step03_wsgi_gateway::panic_message;
use step03_wsgi_gateway::{Application, Body, Environ, Input, StartResponse};

use crate::csrf;
use crate::error::{Error, RouteError, UrlError};
use crate::keys::Keys;
use crate::path::{NotUtf8, raw_path_info};
use crate::pattern::{Pattern, Segment};
use crate::request::{MAX_FORM_BYTES, Request};
use crate::response::Response;
use crate::security;
use crate::tree::{Match, Tree};
use crate::url::{Urls, encode_path};

// ANCHOR: handler
/// What a handler is: a function (or closure) from a request to a response,
/// or to an [`Error`] that becomes an error page. `?` works inside it. The
/// request carries the application's state, `S` (`()` if it has none).
pub type Handler<S> = Box<dyn Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync>;

/// The handlers of one route, by method.
pub struct Endpoint<S = ()> {
    handlers: Vec<(String, Handler<S>)>,
    /// A method given twice, reported when the route is added.
    twice: Option<String>,
}

impl<S> Default for Endpoint<S> {
    fn default() -> Self {
        Endpoint {
            handlers: Vec::new(),
            twice: None,
        }
    }
}

impl<S> Endpoint<S> {
    /// Adds the handler for `method` (`"GET"`, `"POST"`, any other).
    pub fn on<F>(mut self, method: &str, handler: F) -> Endpoint<S>
    where
        F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
    {
        let method = method.to_ascii_uppercase();
        if self.handlers.iter().any(|(m, _)| *m == method) {
            self.twice.get_or_insert(method.clone());
        }
        self.handlers.push((method, Box::new(handler)));
        self
    }

    /// Adds the handler for `GET` (and so for `HEAD`).
    pub fn get<F>(self, handler: F) -> Endpoint<S>
    where
        F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.on("GET", handler)
    }

    /// Adds the handler for `POST`.
    pub fn post<F>(self, handler: F) -> Endpoint<S>
    where
        F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.on("POST", handler)
    }
    // ANCHOR_END: handler

    /// Adds the handler for `PUT`.
    pub fn put<F>(self, handler: F) -> Endpoint<S>
    where
        F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.on("PUT", handler)
    }

    /// Adds the handler for `DELETE`.
    pub fn delete<F>(self, handler: F) -> Endpoint<S>
    where
        F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.on("DELETE", handler)
    }

    // ANCHOR: handler_for
    /// The handler for `method`. `HEAD` falls back to `GET`'s: the server
    /// sends the same head and drops the body.
    fn handler_for(&self, method: &str) -> Option<&Handler<S>> {
        let find = |wanted: &str| self.handlers.iter().find(|(m, _)| m == wanted);
        let found = match method {
            "HEAD" => find("HEAD").or_else(|| find("GET")),
            _ => find(method),
        };
        found.map(|(_, handler)| handler)
    }

    /// The `Allow` field: every method this route answers, in a fixed order.
    fn allow(&self) -> String {
        let has = |method: &str| self.handlers.iter().any(|(m, _)| m == method);
        let mut methods: Vec<&str> = Vec::new();
        for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] {
            if has(method) || (method == "HEAD" && has("GET")) {
                methods.push(method);
            }
        }
        for (method, _) in &self.handlers {
            if !methods.contains(&method.as_str()) && method != "OPTIONS" {
                methods.push(method);
            }
        }
        methods.push("OPTIONS");
        methods.join(", ")
    }
    // ANCHOR_END: handler_for
}

/// A route for `GET` (and `HEAD`): `router.route("/", get(home))`.
pub fn get<S, F>(handler: F) -> Endpoint<S>
where
    F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
{
    Endpoint::default().get(handler)
}

/// A route for `POST`.
pub fn post<S, F>(handler: F) -> Endpoint<S>
where
    F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
{
    Endpoint::default().post(handler)
}

/// A route for `method`.
pub fn on<S, F>(method: &str, handler: F) -> Endpoint<S>
where
    F: Fn(&Request<'_, S>) -> Result<Response, Error> + Send + Sync + 'static,
{
    Endpoint::default().on(method, handler)
}

/// What the error page function is: the request and the error, to the page
/// sent for it. The router sets the status from the error afterwards.
pub type ErrorPage<S> = Box<dyn Fn(&Request<'_, S>, &Error) -> Response + Send + Sync>;

// ANCHOR: router
/// A route: its pattern, and what answers it.
pub struct Route<S = ()> {
    pattern: Arc<Pattern>,
    target: Target<S>,
}

enum Target<S> {
    /// Handlers, by method.
    Endpoint(Endpoint<S>),
    /// A whole application, mounted below the pattern.
    Mount(Box<dyn Application>),
}

impl<S> Route<S> {
    /// The route's pattern.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }
}

/// Routes, and the application that dispatches requests to them. `S` is the
/// application's state, which every handler reads with
/// [`Request::state`]; `()` if there is none.
pub struct Router<S = ()> {
    tree: Tree<Route<S>>,
    shared: Shared<S>,
    error_page: ErrorPage<S>,
    /// The header fields every response gets unless it has them already.
    defaults: Vec<(String, String)>,
    /// Origins besides our own whose requests may change something.
    trusted_origins: Vec<String>,
}
// ANCHOR_END: router

/// What every request of one router shares, and a [`Request`] reads.
pub struct Shared<S> {
    pub(crate) state: S,
    pub(crate) urls: Urls,
    pub(crate) form_limit: usize,
    /// Whether requests that change something must carry a CSRF token.
    pub(crate) csrf_tokens: bool,
    /// The key that signs cookies: the application's, or one made at the
    /// first use if it gave none.
    keys: OnceLock<Result<Keys, String>>,
}

impl<S> Shared<S> {
    /// The signing keys. Without a key of its own, a router makes one at
    /// the first use, which signs nothing that outlives the process.
    pub(crate) fn keys(&self) -> Result<&Keys, Error> {
        let keys = self
            .keys
            .get_or_init(|| Keys::generate().map_err(|e| e.to_string()));
        keys.as_ref().map_err(|e| Error::internal(e.clone()))
    }
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// No routes yet, and no state.
    pub fn new() -> Router {
        Router::with_state(())
    }
}

impl<S: 'static> Router<S> {
    // ANCHOR: with_state
    /// No routes yet, and `state` for every handler to read with
    /// [`Request::state`]: the application's database, its templates.
    /// Handlers then take a `&Request<S>`:
    ///
    /// ```
    /// use step04_router::{Error, Request, Response, Router, get};
    ///
    /// struct Site {
    ///     name: String,
    /// }
    ///
    /// fn hello(request: &Request<Site>) -> Result<Response, Error> {
    ///     Ok(Response::text(format!("Hello from {}", request.state().name)))
    /// }
    ///
    /// let mut router = Router::with_state(Site { name: "the site".into() });
    /// router.route("/", get(hello)).unwrap();
    /// ```
    pub fn with_state(state: S) -> Router<S> {
        Router {
            tree: Tree::default(),
            shared: Shared {
                state,
                urls: Urls::default(),
                form_limit: MAX_FORM_BYTES,
                csrf_tokens: false,
                keys: OnceLock::new(),
            },
            error_page: Box::new(default_error_page::<S>),
            defaults: security::default_headers(),
            trusted_origins: Vec::new(),
        }
    }
    // ANCHOR_END: with_state

    // ANCHOR: route
    /// Adds a route: `router.route("/login/", get(form).post(login))`.
    ///
    /// Adding the same pattern again adds its methods to the route. A
    /// pattern that matches exactly the paths of another (`/a/{x}` and
    /// `/a/{y}`), or a method given twice, is refused.
    pub fn route(
        &mut self,
        pattern: &str,
        endpoint: Endpoint<S>,
    ) -> Result<&mut Router<S>, RouteError> {
        let pattern = Arc::new(Pattern::parse(pattern)?);
        if let Some(method) = endpoint.twice {
            return Err(RouteError::MethodTwice {
                pattern: pattern.text().into(),
                method,
            });
        }
        let route = Route {
            pattern: Arc::clone(&pattern),
            target: Target::Endpoint(endpoint),
        };
        if let Err((route, existing)) = self.tree.insert(&pattern, route) {
            existing.merge(route)?;
        }
        Ok(self)
    }

    /// [`Router::route`], and a name for the route, for [`Router::url_for`].
    pub fn named(
        &mut self,
        name: &str,
        pattern: &str,
        endpoint: Endpoint<S>,
    ) -> Result<&mut Router<S>, RouteError> {
        let parsed = Arc::new(Pattern::parse(pattern)?);
        if let Err(existing) = self.shared.urls.insert(name, Arc::clone(&parsed)) {
            return Err(RouteError::NameTaken {
                name: name.into(),
                existing: existing.text().into(),
                new: pattern.into(),
            });
        }
        self.route(pattern, endpoint)
    }
    // ANCHOR_END: route

    // ANCHOR: mount
    /// Mounts `app` at `prefix`: every request whose path is `prefix` or
    /// below it goes to `app`, with the prefix moved from `PATH_INFO` to
    /// the end of `SCRIPT_NAME`, as a WSGI server does for an application
    /// mounted there. The prefix is text only (`/api`, not `/api/{x}`).
    pub fn mount(
        &mut self,
        prefix: &str,
        app: impl Application,
    ) -> Result<&mut Router<S>, RouteError> {
        let pattern = Arc::new(Pattern::parse(prefix)?);
        let text_only = pattern
            .segments()
            .iter()
            .all(|s| matches!(s, Segment::Static(_)));
        if !text_only || (prefix.ends_with('/') && prefix != "/") {
            return Err(RouteError::Invalid {
                pattern: prefix.into(),
                why: "a mount point is text with no trailing slash, such as /api".into(),
            });
        }
        let route = Route {
            pattern: Arc::clone(&pattern),
            target: Target::Mount(Box::new(app)),
        };
        if let Err((route, existing)) = self.tree.insert_prefix(&pattern, route) {
            existing.merge(route)?;
        }
        Ok(self)
    }
    // ANCHOR_END: mount

    /// Serves the files of `folder` below `prefix`, such as `/static`: the
    /// route `/static/{*path}`, named `static`, with step 2's folder server
    /// behind it (and its defences against `..` and the rest). Files only:
    /// a folder is `404`, not a listing, and so is a name that starts with
    /// a dot (`.env`, `.git/`), which is hidden by convention and often
    /// holds what nobody meant to publish.
    pub fn static_files(
        &mut self,
        prefix: &str,
        folder: step02_http_reply::Folder,
    ) -> Result<&mut Router<S>, RouteError> {
        let pattern = format!("{}/{{*path}}", prefix.trim_end_matches('/'));
        let folder = folder.files_only();
        self.named(
            "static",
            &pattern,
            get(move |request| crate::files::serve(&folder, request)),
        )
    }

    /// Replaces the error page: `page(request, error)` makes the response
    /// for a `404`, a `405`, a `500` and every other error a handler
    /// returns. The router keeps the error's status, and for a `405` adds
    /// the `Allow` field, whatever the page does.
    pub fn error_page<F>(&mut self, page: F) -> &mut Router<S>
    where
        F: Fn(&Request<'_, S>, &Error) -> Response + Send + Sync + 'static,
    {
        self.error_page = Box::new(page);
        self
    }

    /// Changes the largest form [`Request::form`] reads
    /// ([`MAX_FORM_BYTES`] by default).
    pub fn form_limit(&mut self, bytes: usize) -> &mut Router<S> {
        self.shared.form_limit = bytes;
        self
    }

    // ANCHOR: options
    /// The key that signs this application's cookies (flash messages, CSRF
    /// tokens). Without one, the router makes a key when it first needs one,
    /// and what it signed stops verifying when the process ends.
    pub fn keys(&mut self, keys: Keys) -> &mut Router<S> {
        self.shared.keys = OnceLock::from(Ok(keys));
        self
    }

    /// Requires a CSRF token on every request that may change something
    /// (any method but `GET`, `HEAD`, `OPTIONS`, `TRACE`): the handler runs
    /// only if the form field `csrf` (or the header field `X-CSRF-Token`)
    /// holds the token of the visitor's signed cookie; else `403`. Pages get
    /// the token from [`Request::csrf_token`].
    pub fn csrf_tokens(&mut self) -> &mut Router<S> {
        self.shared.csrf_tokens = true;
        self
    }

    /// Lets requests from `origin` (such as `https://admin.example.com`)
    /// change something too, past the origin check that refuses every other
    /// site's.
    pub fn trust_origin(&mut self, origin: &str) -> &mut Router<S> {
        self.trusted_origins.push(origin.to_string());
        self
    }

    /// Sets the value of a header field every response gets unless its
    /// handler set the field itself (see [`security::default_headers`]):
    /// `router.default_header("Content-Security-Policy", "default-src 'self'; img-src *")`.
    pub fn default_header(&mut self, name: &str, value: &str) -> &mut Router<S> {
        self.without_default_header(name);
        self.defaults.push((name.to_string(), value.to_string()));
        self
    }

    /// Stops adding the header field `name` to every response.
    pub fn without_default_header(&mut self, name: &str) -> &mut Router<S> {
        self.defaults.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }
    // ANCHOR_END: options

    /// The URL of the route called `name`; see [`Urls::url_for`].
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, UrlError> {
        self.shared.urls.url_for(name, params)
    }

    /// The named routes, to build URLs elsewhere (in templates, say).
    pub fn urls(&self) -> Urls {
        self.shared.urls.clone()
    }

    /// The application's state.
    pub fn state(&self) -> &S {
        &self.shared.state
    }

    /// The request this router would hand a handler for `environ`, to call
    /// the handler directly (in a test). `404` if no route matches.
    ///
    /// ```
    /// use step03_wsgi_gateway::Environ;
    /// use step04_router::{Error, Request, Response, Router, get};
    ///
    /// fn hello(request: &Request) -> Result<Response, Error> {
    ///     Ok(Response::text(format!("Hello, {}", request.param("name")?)))
    /// }
    ///
    /// let mut router = Router::new();
    /// router.route("/hello/{name}", get(hello)).unwrap();
    /// let mut environ = Environ::synthetic("GET", "/hello/caf%C3%A9", b"");
    /// let request = router.request(&mut environ).unwrap();
    /// assert_eq!(request.param("name").unwrap(), "café");
    /// let response = hello(&request).unwrap();
    /// ```
    pub fn request<'a>(&'a self, environ: &'a mut Environ) -> Result<Request<'a, S>, Error> {
        let body = mem::replace(&mut environ.input, Input::new(Vec::new())).into_bytes();
        let environ: &'a Environ = environ;
        let Cow::Borrowed(raw) = raw_path_info(environ) else {
            return Err(Error::internal("REQUEST_URI does not lead to PATH_INFO"));
        };
        let found = self
            .tree
            .find(raw)
            .map_err(|NotUtf8| Error::bad_request("The path is not UTF-8 once decoded."))?
            .ok_or_else(Error::not_found)?;
        let route = Some((&*found.value.pattern, found.params));
        Ok(Request::new(environ, body, route, &self.shared))
    }

    /// The route `path` (as sent, still percent-encoded) matches, and its
    /// parameters.
    pub fn find<'p>(&self, path: &'p str) -> Result<Option<Match<'_, 'p, Route<S>>>, NotUtf8> {
        self.tree.find(path)
    }
}

impl<S> Route<S> {
    /// Adds the methods of `other`, which has the same shape, to this
    /// route; or says why they cannot share it.
    fn merge(&mut self, other: Route<S>) -> Result<(), RouteError> {
        let conflict = RouteError::Conflict {
            existing: self.pattern.text().into(),
            new: other.pattern.text().into(),
        };
        let same_text = self.pattern.text() == other.pattern.text();
        match (&mut self.target, other.target) {
            (Target::Endpoint(old), Target::Endpoint(new)) if same_text => {
                for (method, handler) in new.handlers {
                    if old.handlers.iter().any(|(m, _)| *m == method) {
                        return Err(RouteError::MethodTwice {
                            pattern: other.pattern.text().into(),
                            method,
                        });
                    }
                    old.handlers.push((method, handler));
                }
                Ok(())
            }
            _ => Err(conflict),
        }
    }
}

// ANCHOR: call
impl<S: Send + Sync + 'static> Application for Router<S> {
    fn call(&self, environ: &mut Environ, start_response: &mut StartResponse) -> Body {
        // The body moves into the request; a mounted application gets it back.
        let input = mem::replace(&mut environ.input, Input::new(Vec::new()));
        match self.dispatch(environ, input) {
            Outcome::Respond(mut response, route, problem) => {
                if let Some(problem) = problem {
                    let _ = writeln!(environ.errors, "{problem}");
                }
                if let Some(route) = route {
                    // For middleware: which route answered (a log, a timer).
                    environ.set("router.route", route);
                }
                security::add_defaults(&mut response.headers, &self.defaults);
                response.into_gateway(start_response)
            }
            Outcome::Mount(app, input, script_name, path_info) => {
                environ.input = input;
                environ.set("SCRIPT_NAME", script_name);
                environ.set("PATH_INFO", path_info);
                let body = app.call(environ, start_response);
                security::add_defaults(start_response.headers_mut(), &self.defaults);
                body
            }
        }
    }
}

/// What a request comes to.
enum Outcome<'r> {
    /// A response; the pattern of the route that made it; a problem to log.
    Respond(Response, Option<&'r str>, Option<String>),
    /// A mounted application, with the body and the new `SCRIPT_NAME` and
    /// `PATH_INFO`.
    Mount(&'r dyn Application, Input, String, String),
}
// ANCHOR_END: call

impl<S> Router<S> {
    // ANCHOR: dispatch
    /// Finds the route and the handler for a request, and runs it.
    fn dispatch(&self, environ: &Environ, input: Input) -> Outcome<'_> {
        // A request without a route, for the error pages before one is found.
        let unrouted = |input: Input| Request::new(environ, input.into_bytes(), None, &self.shared);
        if let Err(error) = csrf::cross_origin(environ, &self.trusted_origins) {
            return self.failed(&unrouted(input), error, None);
        }
        let raw = raw_path_info(environ);
        let found = match self.tree.find(&raw) {
            Ok(Some(found)) => found,
            Ok(None) => {
                if let Some(location) = self.with_slash(&raw, environ) {
                    let redirect = Response::redirect(Status::PERMANENT_REDIRECT, location);
                    return Outcome::Respond(redirect, None, None);
                }
                return self.failed(&unrouted(input), Error::not_found(), None);
            }
            Err(NotUtf8) => {
                let error = Error::bad_request("The path is not UTF-8 once decoded.");
                return self.failed(&unrouted(input), error, None);
            }
        };
        let route = found.value;
        let endpoint = match &route.target {
            Target::Endpoint(endpoint) => endpoint,
            Target::Mount(app) => {
                return self.mount_outcome(environ, app.as_ref(), route, found.rest, input);
            }
        };
        let request = Request::new(
            environ,
            input.into_bytes(),
            Some((&route.pattern, found.params)),
            &self.shared,
        );
        let pattern = Some(route.pattern.text());
        // ANCHOR_END: dispatch
        // ANCHOR: run_handler
        let Some(handler) = endpoint.handler_for(request.method()) else {
            if request.method() == "OPTIONS" {
                let options =
                    Response::new(Status::NO_CONTENT).with_header("Allow", endpoint.allow());
                return Outcome::Respond(options, pattern, None);
            }
            let error = Error::new(
                Status::METHOD_NOT_ALLOWED,
                format!("{} is not allowed here.", request.method()),
            );
            return match self.failed(&request, error, pattern) {
                Outcome::Respond(page, route, problem) => {
                    Outcome::Respond(page.with_header("Allow", endpoint.allow()), route, problem)
                }
                other => other,
            };
        };
        if self.shared.csrf_tokens && csrf::is_unsafe(request.method()) {
            if let Err(error) = request.check_csrf_token() {
                return self.failed(&request, error, pattern);
            }
        }
        // The handler is somebody else's code: a panic stops here and
        // becomes a 500 page (the server would catch it too, but with its
        // own page, not this router's).
        match panic::catch_unwind(AssertUnwindSafe(|| handler(&request))) {
            Ok(Ok(response)) => Outcome::Respond(request.finish(response), pattern, None),
            Ok(Err(error)) => self.failed(&request, error, pattern),
            Err(panic) => {
                let message = format!("the handler panicked: {}", panic_message(&*panic));
                self.failed(&request, Error::internal(message), pattern)
            }
        }
    }
    // ANCHOR_END: run_handler

    // ANCHOR: failed
    /// The error page for `error`, and for a failure on our side (a 5xx) a
    /// line for the log, which says what the client is not told.
    fn failed<'r>(
        &'r self,
        request: &Request<'_, S>,
        error: Error,
        route: Option<&'r str>,
    ) -> Outcome<'r> {
        let page = (self.error_page)(request, &error).with_status(error.status());
        let problem = (error.status().code() >= 500).then(|| {
            format!(
                "router: {} {} failed: {error}",
                request.method(),
                route.unwrap_or(request.path())
            )
        });
        Outcome::Respond(request.finish(page), route, problem)
    }
    // ANCHOR_END: failed

    // ANCHOR: with_slash
    /// Where to send a request for `/index` when only `/index/` exists:
    /// the same address with the slash, query included. `308` keeps the
    /// method, so a form posted to the wrong one still arrives.
    fn with_slash(&self, raw: &str, environ: &Environ) -> Option<String> {
        if raw.ends_with('/') || raw.starts_with("//") {
            // `//evil.example/` would be a link to another site.
            return None;
        }
        let slashed = format!("{raw}/");
        let found = self.tree.find(&slashed).ok()??;
        if found.rest.is_some() || !matches!(found.value.target, Target::Endpoint(_)) {
            return None;
        }
        // Browsers read `\` in a URL as `/`, so `/\evil.example/` would
        // leave the site too. Encoded, a backslash is only a character, and
        // it still decodes to the same segment.
        let slashed = slashed.replace('\\', "%5C");
        let script_name = encode_path(environ.get("SCRIPT_NAME").unwrap_or_default());
        Some(match environ.query_string() {
            "" => format!("{script_name}{slashed}"),
            query => format!("{script_name}{slashed}?{query}"),
        })
    }
    // ANCHOR_END: with_slash

    /// A mounted application's turn: the new `SCRIPT_NAME` and `PATH_INFO`.
    fn mount_outcome<'r>(
        &'r self,
        environ: &Environ,
        app: &'r dyn Application,
        route: &'r Route<S>,
        rest: Option<&str>,
        input: Input,
    ) -> Outcome<'r> {
        let rest = rest.unwrap_or_default();
        let Ok(path_info) = percent_decode_str(rest).decode_utf8() else {
            let request = Request::new(environ, input.into_bytes(), None, &self.shared);
            let error = Error::bad_request("The path is not UTF-8 once decoded.");
            return self.failed(&request, error, None);
        };
        let script_name = format!(
            "{}{}",
            environ.get("SCRIPT_NAME").unwrap_or_default(),
            route.pattern.text().trim_end_matches('/')
        );
        Outcome::Mount(app, input, script_name, path_info.into_owned())
    }
}

/// The page for an error, unless the program chose its own: step 2's
/// error page, a small valid HTML document with the status as its title.
pub fn default_error_page<S>(_request: &Request<'_, S>, error: &Error) -> Response {
    step02_http_reply::Response::error_page(error.status(), error.message()).into()
}
