//! The seeds' route table, grown up: a list of patterns tried one after
//! another, in the order they were added, as Django's `urlpatterns` are.
//!
//! It knows parameters and says "no match" (so the router can answer
//! `404`). It is correct, and it is how the next version is measured: its
//! cost grows with the number of routes, and when two patterns both match,
//! the one added first wins, whichever is more specific. The router in
//! `router.rs` fixes both; this one stays as the baseline the benchmark
//! compares it with.

use std::borrow::Cow;

use crate::error::RouteError;
use crate::path::{NotUtf8, decode_segment};
use crate::pattern::{Pattern, Segment};

/// A route's value, and the values of its parameters in order.
pub type Found<'r, 'p, T> = (&'r T, Vec<Cow<'p, str>>);

/// Patterns and their values, in the order they were added.
pub struct LinearRouter<T> {
    routes: Vec<(Pattern, T)>,
}

impl<T> Default for LinearRouter<T> {
    fn default() -> Self {
        LinearRouter { routes: Vec::new() }
    }
}

impl<T> LinearRouter<T> {
    /// No routes yet.
    pub fn new() -> LinearRouter<T> {
        LinearRouter::default()
    }

    /// Adds a route after the others.
    pub fn add(&mut self, pattern: &str, value: T) -> Result<(), RouteError> {
        self.routes.push((Pattern::parse(pattern)?, value));
        Ok(())
    }

    // ANCHOR: find
    /// The first route whose pattern matches `path`, and the values of its
    /// parameters in order.
    pub fn find<'p>(&self, path: &'p str) -> Result<Option<Found<'_, 'p, T>>, NotUtf8> {
        let Some(rest) = path.strip_prefix('/') else {
            return Ok(None);
        };
        let segments = rest
            .split('/')
            .map(decode_segment)
            .collect::<Result<Vec<_>, _>>()?;
        for (pattern, value) in &self.routes {
            if let Some(params) = match_pattern(pattern, &segments) {
                return Ok(Some((value, params)));
            }
        }
        Ok(None)
    }
    // ANCHOR_END: find
}

// ANCHOR: match_pattern
/// The parameters, if the decoded segments of a path match `pattern`.
fn match_pattern<'p>(pattern: &Pattern, segments: &[Cow<'p, str>]) -> Option<Vec<Cow<'p, str>>> {
    let mut params = Vec::new();
    for (i, expected) in pattern.segments().iter().enumerate() {
        match expected {
            Segment::Static(text) => {
                if segments.get(i)? != text {
                    return None;
                }
            }
            Segment::Param { converter, .. } => {
                let value = segments.get(i)?;
                if value.is_empty() || !converter.is_none_or(|c| c.accepts(value)) {
                    return None;
                }
                params.push(value.clone());
            }
            Segment::CatchAll(_) => {
                let rest = segments.get(i..)?.join("/");
                if rest.is_empty() {
                    return None;
                }
                params.push(Cow::Owned(rest));
                return Some(params);
            }
        }
    }
    (segments.len() == pattern.segments().len()).then_some(params)
}
// ANCHOR_END: match_pattern

#[cfg(test)]
mod tests {
    use super::*;

    fn router(patterns: &[&'static str]) -> LinearRouter<&'static str> {
        let mut router = LinearRouter::new();
        for pattern in patterns {
            router.add(pattern, *pattern).unwrap();
        }
        router
    }

    /// Paths find their route and its parameters, decoded.
    #[test]
    fn paths_find_their_route() {
        let router = router(&[
            "/",
            "/index/",
            "/hello/{name}",
            "/users/{id:int}",
            "/s/{*path}",
        ]);
        type Expected = Option<(&'static str, Vec<&'static str>)>;
        let cases: [(&str, Expected); 9] = [
            ("/", Some(("/", vec![]))),
            ("/index/", Some(("/index/", vec![]))),
            ("/index", None),
            ("/hello/Seven", Some(("/hello/{name}", vec!["Seven"]))),
            ("/hello/a%2Fb", Some(("/hello/{name}", vec!["a/b"]))),
            ("/users/42", Some(("/users/{id:int}", vec!["42"]))),
            ("/users/abc", None),
            ("/s/a/b.css", Some(("/s/{*path}", vec!["a/b.css"]))),
            ("/s/", None),
        ];
        for (path, expected) in cases {
            let found = router.find(path).unwrap();
            let found = found.map(|(value, params)| {
                (
                    *value,
                    params.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                )
            });
            let expected = expected.map(|(v, p)| (v, p.iter().map(|s| s.to_string()).collect()));
            assert_eq!(found, expected, "{path}");
        }
    }

    // ANCHOR: order_wins
    /// The weakness: the route added first wins, even when a later one
    /// is more specific. `/users/new` never reaches its own route.
    #[test]
    fn the_first_route_added_wins() {
        let router = router(&["/users/{name}", "/users/new"]);
        let (route, _) = router.find("/users/new").unwrap().unwrap();
        assert_eq!(*route, "/users/{name}");
    }
    // ANCHOR_END: order_wins
}
