//! Reverse routing, as a property: for any parameter values, the URL that
//! `url_for` builds is matched by the same route, and the request the
//! router makes of it gives the values back.

use proptest::prelude::*;
use step03_wsgi_gateway::Environ;
use step04_router::{Request, Response, Router, get};

/// A router whose named routes cover each kind of parameter.
fn router() -> Router {
    let show = |_: &Request| Ok(Response::text(""));
    let mut router = Router::new();
    router
        .named("plain", "/hello/{name}", get(show))
        .unwrap()
        .named(
            "two",
            "/repos/{owner}/{repo}/issues/{number:int}",
            get(show),
        )
        .unwrap()
        .named("rest", "/static/{*path}", get(show))
        .unwrap()
        .named("text", "/café/{name}/", get(show))
        .unwrap();
    router
}

/// Any text but the empty string, `.` and `..`: what a parameter can hold.
/// Slashes, `%`, `?`, `#`, spaces and any Unicode included.
fn value() -> impl Strategy<Value = String> {
    "\\PC{1,12}".prop_filter("not a path segment", |v| !matches!(v.as_str(), "." | ".."))
}

/// A catch-all's value: pieces joined by real slashes.
fn rest() -> impl Strategy<Value = String> {
    prop::collection::vec(value().prop_map(|v| v.replace('/', "_")), 1..4).prop_map(|p| p.join("/"))
}

// ANCHOR: property
proptest! {
    /// Built, then matched: the same route, the same values.
    #[test]
    fn matching_a_built_url_gives_the_parameters_back(
        name in value(), owner in value(), repo in value(), number: u64, path in rest(),
    ) {
        let router = router();
        let number = number.to_string();
        let cases: [(&str, Vec<(&str, &str)>); 4] = [
            ("plain", vec![("name", &name)]),
            ("two", vec![("owner", &owner), ("repo", &repo), ("number", &number)]),
            ("rest", vec![("path", &path)]),
            ("text", vec![("name", &name)]),
        ];
        for (route, params) in cases {
            let url = router.url_for(route, &params).unwrap();
            prop_assert!(url.is_ascii(), "{url}");
            let mut environ = Environ::synthetic("GET", &url, b"");
            let request = router.request(&mut environ);
            prop_assert!(request.is_ok(), "{url} matched nothing");
            let request = request.unwrap();
            for (name, value) in &params {
                prop_assert_eq!(request.param(name).unwrap(), *value, "{}", url);
            }
        }
    }
}
// ANCHOR_END: property
