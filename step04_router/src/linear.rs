//! The Python tutorials' route table, grown up: a list of patterns tried one after
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
use percent_encoding::percent_decode_str;

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
    /// The first route whose pattern matches `path` (as sent, still
    /// percent-encoded), and the values of its parameters in order.
    pub fn find<'p>(&self, path: &'p str) -> Result<Option<Found<'_, 'p, T>>, NotUtf8> {
        for (pattern, value) in &self.routes {
            if let Some(params) = match_pattern(pattern, path)? {
                return Ok(Some((value, params)));
            }
        }
        Ok(None)
    }
    // ANCHOR_END: find
}

// ANCHOR: match_pattern
/// The parameters, if `path` matches `pattern`: segment by segment, each
/// decoded on its own after the path is split at its slashes.
fn match_pattern<'p>(
    pattern: &Pattern,
    path: &'p str,
) -> Result<Option<Vec<Cow<'p, str>>>, NotUtf8> {
    let mut rest = path.strip_prefix('/');
    let mut params = Vec::new();
    for expected in pattern.segments() {
        let Some(left) = rest else {
            return Ok(None); // the path ended before the pattern
        };
        if let Segment::CatchAll(_) = expected {
            if left.is_empty() {
                return Ok(None);
            }
            params.push(
                percent_decode_str(left)
                    .decode_utf8()
                    .map_err(|_| NotUtf8)?,
            );
            return Ok(Some(params));
        }
        let (raw, next) = match left.split_once('/') {
            Some((raw, next)) => (raw, Some(next)),
            None => (left, None),
        };
        let segment = decode_segment(raw)?;
        match expected {
            Segment::Static(text) if segment == *text => {}
            Segment::Param { converter, .. }
                if !segment.is_empty() && converter.is_none_or(|c| c.accepts(&segment)) =>
            {
                params.push(segment);
            }
            _ => return Ok(None),
        }
        rest = next;
    }
    // A match only if the path ended with the pattern.
    Ok(rest.is_none().then_some(params))
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
