//! The `github` example's router: every one of the 203 GitHub API routes
//! resolves to itself, and a wrong method gets 405 with the right `Allow`.

use std::collections::BTreeMap;

use step03_wsgi_gateway::gateway::collect_body;
use step03_wsgi_gateway::{Application, Environ, StartResponse};
use step04_router::github::{app, routes, sample_path};

fn call(app: &dyn Application, method: &str, path: &str) -> (String, Option<String>, String) {
    let mut environ = Environ::synthetic(method, path, b"");
    let mut start_response = StartResponse::new();
    let body = collect_body(app.call(&mut environ, &mut start_response));
    (
        start_response.status().unwrap_or_default().to_string(),
        start_response.header("Allow").map(String::from),
        String::from_utf8(body).unwrap(),
    )
}

/// Each route, asked with realistic parameter values, answers with its own
/// pattern.
#[test]
fn every_route_resolves_to_itself() {
    let router = app().unwrap();
    let mut checked = 0;
    for (method, pattern) in routes() {
        let path = sample_path(pattern);
        let (status, _, body) = call(&router, method, &path);
        assert_eq!(status, "200 OK", "{method} {path}");
        assert_eq!(body, pattern, "{method} {path}");
        checked += 1;
    }
    assert_eq!(checked, 203);
}

/// A method a path does not have is 405, and `Allow` lists exactly the
/// methods the table gives that path (HEAD with GET, and OPTIONS).
#[test]
fn wrong_methods_get_405_and_allow() {
    let router = app().unwrap();
    let mut methods: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (method, pattern) in routes() {
        methods.entry(pattern).or_default().push(method);
    }
    for (pattern, allowed) in methods {
        let path = sample_path(pattern);
        let (status, allow, _) = call(&router, "PATCH", &path);
        assert_eq!(status, "405 Method Not Allowed", "{path}");
        let allow = allow.unwrap();
        let listed: Vec<&str> = allow.split(", ").collect();
        for method in &allowed {
            assert!(listed.contains(method), "{pattern}: {allow}");
        }
        let extra = usize::from(allowed.contains(&"GET")) + 1; // HEAD, OPTIONS
        assert_eq!(listed.len(), allowed.len() + extra, "{pattern}: {allow}");
    }
}
