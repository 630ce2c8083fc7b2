//! The 203 routes of GitHub's v3 API, the route set router benchmarks use
//! (from the Go HTTP router benchmark, `julienschmidt/go-http-routing-benchmark`,
//! file `github_test.go`). Not a lesson: a realistic table for the `github`
//! example, its test and the benchmarks.

use crate::error::RouteError;
use crate::response::Response;
use crate::router::{Router, on};

/// The routes, one `METHOD /pattern` per line, read when the crate is built.
pub const ROUTES: &str = include_str!("../data/github_api_routes.txt");

/// Every route, as `(method, pattern)`.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    ROUTES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| line.split_once(' '))
}

// ANCHOR: app
/// A router where every route answers `200 text/plain` with its own
/// pattern: `GET /repos/rust-lang/rust/issues/1` answers
/// `/repos/{owner}/{repo}/issues/{number}`.
pub fn app() -> Result<Router, RouteError> {
    let mut router = Router::new();
    for (method, pattern) in routes() {
        router.route(pattern, on(method, move |_| Ok(Response::text(pattern))))?;
    }
    Ok(router)
}
// ANCHOR_END: app

/// A path for `pattern` with a realistic value for each parameter, as a
/// client of the real API would send: `/repos/rust-lang/rust/issues/4242`.
pub fn sample_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            "{owner}" | "{org}" => "rust-lang",
            "{repo}" | "{repository}" => "rust",
            "{user}" | "{assignee}" | "{target_user}" => "octocat",
            "{id}" | "{number}" => "4242",
            "{sha}" => "6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "{name}" | "{ref}" | "{branch}" => "main",
            "{keyword}" => "router",
            "{state}" => "open",
            "{email}" => "octocat@github.com",
            "{client_id}" => "Iv1.8a61f9b3a7aba766",
            "{access_token}" => "e72e16c7e42f292c6912e7710c838347ae178b4a",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All 203 routes are read, and every parameter gets a value.
    #[test]
    fn the_table_is_whole() {
        assert_eq!(routes().count(), 203);
        for (_, pattern) in routes() {
            assert!(!sample_path(pattern).contains('{'), "{pattern}");
        }
    }
}
