//! The router as an application, called with a made-up environ and no
//! socket: which handler answers, with which status and fields, and what
//! the handler is given.

use step03_wsgi_gateway::gateway::collect_body;
use step03_wsgi_gateway::{Application, Body, Environ, StartResponse, application_fn};
use step04_router::{Error, Request, Response, RouteError, Router, Status, get, on, post};

/// What came back from one call.
struct Answer {
    status: String,
    headers: Vec<(String, String)>,
    body: String,
    environ: Environ,
}

impl Answer {
    fn code(&self) -> u16 {
        self.status[..3].parse().unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }
}

/// Calls `app` for `method target`, with `extra` variables set.
fn call_with(
    app: &dyn Application,
    method: &str,
    target: &str,
    body: &[u8],
    extra: &[(&'static str, &str)],
) -> Answer {
    let mut environ = Environ::synthetic(method, target, body);
    for (key, value) in extra {
        environ.set(*key, *value);
    }
    let mut start_response = StartResponse::new();
    let sent = collect_body(app.call(&mut environ, &mut start_response));
    Answer {
        status: start_response.status().unwrap_or_default().to_string(),
        headers: start_response.headers().to_vec(),
        body: String::from_utf8(sent).unwrap(),
        environ,
    }
}

fn call(app: &dyn Application, method: &str, target: &str) -> Answer {
    call_with(app, method, target, b"", &[])
}

/// A handler that answers with its route and parameters: `/users/{id:int} id=42`.
fn show(request: &Request) -> Result<Response, Error> {
    let route = request.route().unwrap_or("-");
    let mut text = route.to_string();
    for name in ["a", "id", "name", "path", "rest", "x"] {
        if let Ok(value) = request.param(name) {
            text.push_str(&format!(" {name}={value}"));
        }
    }
    Ok(Response::text(text))
}

fn routes(patterns: &[&str]) -> Router {
    let mut router = Router::new();
    for pattern in patterns {
        router.route(pattern, get(show).post(show)).unwrap();
    }
    router
}

/// The most specific route answers, whatever the order they were added:
/// text, then a typed parameter, then a plain one, then a catch-all.
#[test]
fn precedence_by_specificity() {
    let patterns = [
        "/users/{*rest}",
        "/users/{name}",
        "/users/{id:int}",
        "/users/new",
        "/",
    ];
    let mut reversed = patterns;
    reversed.reverse();
    for order in [patterns, reversed] {
        let router = routes(&order);
        let cases = [
            ("/users/new", "/users/new"),
            ("/users/42", "/users/{id:int} id=42"),
            ("/users/007", "/users/{id:int} id=007"),
            ("/users/bob", "/users/{name} name=bob"),
            (
                "/users/18446744073709551616",
                "/users/{name} name=18446744073709551616",
            ),
            ("/users/a/b", "/users/{*rest} rest=a/b"),
            ("/", "/"),
        ];
        for (path, expected) in cases {
            assert_eq!(call(&router, "GET", path).body, expected, "{path}");
        }
    }
}

/// A typed parameter that does not convert is not a match: 404, never a
/// 500, integer overflow included.
#[test]
fn a_value_that_does_not_convert_is_a_404() {
    let router = routes(&["/users/{id:int}"]);
    for path in [
        "/users/abc",
        "/users/-1",
        "/users/18446744073709551616",
        "/users/1.5",
        "/users/",
    ] {
        assert_eq!(call(&router, "GET", path).code(), 404, "{path}");
    }
    assert_eq!(
        call(&router, "GET", "/users/18446744073709551615").code(),
        200
    );
}

/// Segments are split first and decoded after: `%2F` stays inside its
/// parameter, and `/a` and `/%61` are one route. (A path that is not UTF-8
/// once decoded never gets here: the server answers it with 400, as
/// `tests/demo.rs` shows.)
#[test]
fn paths_are_decoded_segment_by_segment() {
    let router = routes(&["/a", "/files/{name}", "/s/{*path}"]);
    let cases = [
        ("/%61", 200, "/a"),
        ("/files/x%2Fy", 200, "/files/{name} name=x/y"),
        ("/files/caf%C3%A9", 200, "/files/{name} name=café"),
        ("/files/%252e", 200, "/files/{name} name=%2e"),
        ("/s/a%2Fb/c", 200, "/s/{*path} path=a/b/c"),
        ("/files/x/y", 404, ""),
    ];
    for (path, status, body) in cases {
        let answer = call(&router, "GET", path);
        assert_eq!(answer.code(), status, "{path}");
        if status == 200 {
            assert_eq!(answer.body, body, "{path}");
        }
    }
}

/// Routes that no request could tell apart are refused when added, and the
/// message names both.
#[test]
fn conflicts_are_refused_naming_both_routes() {
    let mut router = routes(&["/a/{x}", "/b/{*rest}", "/c/{id:int}", "/d"]);
    let cases = [
        ("/a/{y}", "\"/a/{y}\"", "\"/a/{x}\""),
        ("/b/{*all}", "\"/b/{*all}\"", "\"/b/{*rest}\""),
        ("/c/{n:int}", "\"/c/{n:int}\"", "\"/c/{id:int}\""),
    ];
    for (pattern, new, existing) in cases {
        let error = router.route(pattern, get(show)).err().unwrap().to_string();
        assert!(error.contains(new) && error.contains(existing), "{error}");
    }
    // The same pattern again adds methods; the same method twice is refused.
    router.route("/d", on("PUT", show)).unwrap();
    let twice = router.route("/d", get(show)).err().unwrap();
    assert_eq!(
        twice,
        RouteError::MethodTwice {
            pattern: "/d".into(),
            method: "GET".into()
        }
    );
    assert!(router.route("/e", get(show).get(show)).is_err());
    // A mount and a catch-all at one place would both take the rest.
    let mount = router.mount(
        "/b",
        application_fn(|_, sr| {
            sr.start("200 OK", [("Content-Type", "text/plain")]);
            Body::empty()
        }),
    );
    assert!(mount.is_err());
    // A name is given once.
    router.named("home", "/home", get(show)).unwrap();
    let named = router
        .named("home", "/other", get(show))
        .err()
        .unwrap()
        .to_string();
    assert!(
        named.contains("\"home\"") && named.contains("/home") && named.contains("/other"),
        "{named}"
    );
}

/// 404 when no path matches; 405 with every method of the path in `Allow`
/// when only the method is wrong; GET answers HEAD; OPTIONS says `Allow`.
#[test]
fn methods_404_405_head_options() {
    let mut router = Router::new();
    router
        .route("/login/", get(show).post(show))
        .unwrap()
        .route("/item", on("DELETE", show).on("PUT", show))
        .unwrap();
    assert_eq!(call(&router, "GET", "/nowhere").code(), 404);

    let wrong = call(&router, "DELETE", "/login/");
    assert_eq!(wrong.code(), 405);
    assert_eq!(wrong.header("Allow"), Some("GET, HEAD, POST, OPTIONS"));
    assert!(
        wrong.body.contains("<title>405 Method Not Allowed</title>"),
        "{}",
        wrong.body
    );

    let get = call(&router, "GET", "/login/");
    let head = call(&router, "HEAD", "/login/");
    assert_eq!(head.code(), 200);
    assert_eq!(head.headers, get.headers, "HEAD has GET's header fields");

    let options = call(&router, "OPTIONS", "/item");
    assert_eq!(options.code(), 204);
    assert_eq!(options.header("Allow"), Some("PUT, DELETE, OPTIONS"));
    assert_eq!(
        call(&router, "GET", "/item").header("Allow"),
        Some("PUT, DELETE, OPTIONS")
    );
}

/// A path without the trailing slash its route has is redirected with 308,
/// which keeps the method, and keeps the query; never to another site.
#[test]
fn a_missing_trailing_slash_is_a_308() {
    let router = routes(&["/index/", "/hello"]);
    let answer = call(&router, "POST", "/index?page=2&q=a%20b");
    assert_eq!(answer.status, "308 Permanent Redirect");
    assert_eq!(answer.header("Location"), Some("/index/?page=2&q=a%20b"));
    assert!(
        answer.body.contains("href=\"/index/?page=2&amp;q=a%20b\""),
        "{}",
        answer.body
    );
    // The other way round is not redirected: the routes are strict.
    assert_eq!(call(&router, "GET", "/hello/").code(), 404);
    // Never to another site: browsers read `/\` as `//`, so a backslash
    // in the path is sent encoded.
    let users = routes(&["/{user}/"]);
    let sneaky = call(&users, "GET", "/\\evil.example");
    assert_eq!(sneaky.code(), 308);
    assert_eq!(sneaky.header("Location"), Some("/%5Cevil.example/"));
    assert_eq!(call(&users, "GET", "/%5Cevil.example/").code(), 200);
    // Below a mount point, the redirect goes below it too.
    let mut outer = Router::new();
    outer.mount("/app", router).unwrap();
    let mounted = call(&outer, "GET", "/app/index");
    assert_eq!(mounted.header("Location"), Some("/app/index/"));
}

/// A mounted application sees the prefix moved to SCRIPT_NAME, the rest in
/// PATH_INFO, and the body; a router mounted in a router builds its URLs
/// below the mount point and still sees encoded slashes.
#[test]
fn mounting_moves_the_prefix_to_script_name() {
    let echo = application_fn(|environ, start_response| {
        let body = environ.input.read_all();
        let text = format!(
            "SCRIPT_NAME={} PATH_INFO={} body={}",
            environ.get("SCRIPT_NAME").unwrap_or_default(),
            environ.path_info(),
            String::from_utf8_lossy(&body)
        );
        start_response.start("200 OK", [("Content-Type", "text/plain")]);
        Body::from(text)
    });
    let mut inner = Router::new();
    inner
        .named(
            "file",
            "/files/{name}",
            get(|request| {
                let name = request.param("name")?;
                let url = request.url_for("file", &[("name", name)])?;
                Ok(Response::text(format!("{name} at {url}")))
            }),
        )
        .unwrap();
    let mut outer = routes(&["/"]);
    outer
        .mount("/echo", echo)
        .unwrap()
        .mount("/api", inner)
        .unwrap();
    let router = outer;

    let cases = [
        ("POST", "/echo", "SCRIPT_NAME=/echo PATH_INFO= body=hi"),
        ("POST", "/echo/", "SCRIPT_NAME=/echo PATH_INFO=/ body=hi"),
        (
            "PUT",
            "/echo/a%20b/c",
            "SCRIPT_NAME=/echo PATH_INFO=/a b/c body=hi",
        ),
        ("GET", "/api/files/a%2Fb", "a/b at /api/files/a%2Fb"),
    ];
    for (method, path, expected) in cases {
        let answer = call_with(&router, method, path, b"hi", &[]);
        assert_eq!(answer.body, expected, "{path}");
    }
    assert_eq!(
        call(&router, "GET", "/echoes").code(),
        404,
        "/echoes is not below /echo"
    );
    assert_eq!(call(&router, "GET", "/api/nothing").code(), 404);
}

/// An error a handler returns becomes the error page with its status; a
/// panic becomes a 500 and a line on wsgi.errors, and says nothing of its
/// cause to the client.
#[test]
fn errors_and_panics_become_pages() {
    let mut router = Router::new();
    router
        .route(
            "/teapot",
            get(|_| Err(Error::new(Status(418), "I am a teapot."))),
        )
        .unwrap()
        .route(
            "/io",
            get(|_| Ok(Response::text(std::fs::read_to_string("/no/such/file")?))),
        )
        .unwrap()
        .route("/panic", get(|_| panic!("secret detail")))
        .unwrap();
    let teapot = call(&router, "GET", "/teapot");
    assert_eq!(teapot.code(), 418);
    assert!(teapot.body.contains("I am a teapot."));
    for path in ["/io", "/panic"] {
        let answer = call(&router, "GET", path);
        assert_eq!(answer.code(), 500, "{path}");
        assert!(
            answer.body.starts_with("<!doctype html>"),
            "{}",
            answer.body
        );
        assert!(!answer.body.contains("secret") && !answer.body.contains("such file"));
        let log = answer.environ.errors.written().to_string();
        assert!(log.contains(&format!("GET {path} failed")), "{log}");
    }
    let log = call(&router, "GET", "/panic")
        .environ
        .errors
        .written()
        .to_string();
    assert!(log.contains("the handler panicked: secret detail"), "{log}");
}

/// A custom error page is used for 404, 405 and 500, keeps the status, and
/// a 405 keeps its Allow field.
#[test]
fn the_error_page_can_be_replaced() {
    let mut router = Router::new();
    router
        .route("/only-get", get(show))
        .unwrap()
        .route("/fails", get(|_| Err(Error::internal("broken"))))
        .unwrap()
        .error_page(|request, error| {
            Response::html(format!(
                "custom {} for {}",
                error.status().code(),
                request.path()
            ))
            .with_status(Status::OK)
        });
    let cases = [
        ("GET", "/missing", 404),
        ("POST", "/only-get", 405),
        ("GET", "/fails", 500),
    ];
    for (method, path, status) in cases {
        let answer = call(&router, method, path);
        assert_eq!(answer.code(), status, "{path}");
        assert_eq!(answer.body, format!("custom {status} for {path}"));
    }
    let allow = call(&router, "POST", "/only-get");
    assert_eq!(allow.header("Allow"), Some("GET, HEAD, OPTIONS"));
}

/// The form: its type is checked (415), its size (413), its encoding (400);
/// then it decodes as browsers encode. The query and cookies decode too.
#[test]
fn forms_queries_and_cookies() {
    let mut router = Router::new();
    router
        .route(
            "/form",
            post(|request| {
                let user = request.form()?.get("user").unwrap_or("(none)").to_string();
                Ok(Response::text(user))
            }),
        )
        .unwrap()
        .route(
            "/read",
            get(|request| {
                let query = request.query()?;
                let tags: Vec<&str> = query.get_all("tag").collect();
                let cookie = request.cookie("session").unwrap_or_else(|| "-".into());
                let agent = request.header("user-agent").unwrap_or("-");
                Ok(Response::text(format!("{tags:?} {cookie} {agent}")))
            }),
        )
        .unwrap()
        .form_limit(100);
    let form = [(
        "CONTENT_TYPE",
        "application/x-www-form-urlencoded; charset=UTF-8",
    )];
    type Vars<'a> = &'a [(&'static str, &'a str)];
    let cases: [(&[u8], Vars, u16, &str); 5] = [
        (b"user=Seven+of+Nine", &form, 200, "Seven of Nine"),
        (b"user=%E4%B8%83", &form, 200, "七"),
        (b"user=x", &[("CONTENT_TYPE", "text/plain")], 415, ""),
        (b"user=%ff", &form, 400, ""),
        (&[b'a'; 101], &form, 413, ""),
    ];
    for (body, extra, status, expected) in cases {
        let answer = call_with(&router, "POST", "/form", body, extra);
        assert_eq!(answer.code(), status, "{}", String::from_utf8_lossy(body));
        if status == 200 {
            assert_eq!(answer.body, expected);
        }
    }
    let extra = [
        ("HTTP_COOKIE", "a=1; session=abc123"),
        ("HTTP_USER_AGENT", "test/1.0"),
    ];
    let read = call_with(&router, "GET", "/read?tag=a&tag=b+c", b"", &extra);
    assert_eq!(read.body, r#"["a", "b c"] abc123 test/1.0"#);
    assert_eq!(call(&router, "GET", "/read?tag=%ff").code(), 400);
}

/// The route that answered is left in the environ, for middleware.
#[test]
fn the_route_is_left_for_middleware() {
    let router = routes(&["/hello/{name}"]);
    let answer = call(&router, "GET", "/hello/x");
    assert_eq!(answer.environ.get("router.route"), Some("/hello/{name}"));
    assert_eq!(
        call(&router, "GET", "/nope").environ.get("router.route"),
        None
    );
}

/// A handler can be called without the router's dispatch: the router makes
/// the request it would have handed over.
#[test]
fn a_handler_called_directly() {
    let router = routes(&["/files/{name}"]);
    let mut environ = Environ::synthetic("GET", "/files/a%2Fb", b"");
    let request = router.request(&mut environ).unwrap();
    assert_eq!(request.param("name").unwrap(), "a/b");
    assert_eq!(request.raw_param("name").unwrap(), "a%2Fb");
    assert_eq!(
        request.param_as::<u64>("name").unwrap_err().status(),
        Status::NOT_FOUND
    );
    assert_eq!(
        request.param("nope").unwrap_err().status(),
        Status::INTERNAL_SERVER_ERROR
    );
    let response = show(&request).unwrap();
    assert_eq!(response.status, Status::OK);
}
