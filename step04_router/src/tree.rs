//! The route tree: routes stored by their segments, so that a path is
//! matched by walking down it once instead of trying every route.
//!
//! ```text
//!                 (root)
//!        ┌──────────┼───────────┬────────────┐
//!     "index"    "users"     "hello"      "static"
//!        │          │           │            │
//!       ""     {int}  "new"   {name}     {*path}
//!     /index/  /users/{id:int}  /hello/{name}  /static/{*path}
//!                     /users/new
//! ```
//!
//! Each node has, in the order they are tried: children by exact text,
//! children for typed parameters, one child for a plain parameter, and a
//! *tail* that takes the rest of the path (a catch-all, or a mounted
//! application). If the first choice that fits leads nowhere further down,
//! the next is tried, so the most specific route always wins, whatever the
//! order in which routes were added.

use crate::fast_search::ThumbIndex;
use crate::params::Params;
use crate::path::{NotUtf8, check_decodes, decode_segment};
use crate::pattern::{Converter, Pattern, Segment};

// ANCHOR: node
/// One node of the tree: the routes that share the segments above it.
pub(crate) struct Node<T> {
    /// Children for exact text, sorted by it.
    pub(crate) statics: Vec<(Box<str>, Node<T>)>,
    /// Where in `statics` each first byte begins: for the fast search only.
    pub(crate) index: ThumbIndex,
    /// Children for typed parameters, in the converters' order.
    pub(crate) typed: Vec<(Converter, Node<T>)>,
    /// The child for a plain parameter, `{name}`.
    pub(crate) param: Option<Box<Node<T>>>,
    /// What takes the rest of the path from here.
    pub(crate) tail: Option<(Tail, T)>,
    /// The route that ends exactly here.
    pub(crate) value: Option<T>,
}

/// How a tail takes the rest of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tail {
    /// `{*name}`: one or more characters, captured as a parameter.
    CatchAll,
    /// A mounted application: anything, even nothing.
    Prefix,
}
// ANCHOR_END: node

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node {
            statics: Vec::new(),
            index: ThumbIndex::default(),
            typed: Vec::new(),
            param: None,
            tail: None,
            value: None,
        }
    }
}

/// A tree of routes, each holding a `T`.
pub struct Tree<T> {
    pub(crate) root: Node<T>,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Tree {
            root: Node::default(),
        }
    }
}

/// What a path matched.
#[derive(Debug)]
pub struct Match<'t, 'p, T> {
    /// The route's value.
    pub value: &'t T,
    /// The values of its parameters, in the pattern's order.
    pub params: Params<'p>,
    /// For a prefix (a mount): the rest of the path after it, as sent,
    /// starting with `/` or empty.
    pub rest: Option<&'p str>,
}

impl<T> Tree<T> {
    // ANCHOR: insert
    /// Adds a route. If a route with the same shape is there already (the
    /// same segments, parameters differing at most in name), nothing is
    /// added: the value comes back, with the one in its place.
    pub fn insert(&mut self, pattern: &Pattern, value: T) -> Result<(), (T, &mut T)> {
        let mut node = &mut self.root;
        for segment in pattern.segments() {
            node = match segment {
                Segment::Static(text) => node.static_child_mut(text),
                Segment::Param {
                    converter: Some(converter),
                    ..
                } => node.typed_child(*converter),
                Segment::Param {
                    converter: None, ..
                } => node.param.get_or_insert_with(Box::default),
                Segment::CatchAll(_) => return occupy_tail(&mut node.tail, Tail::CatchAll, value),
            };
        }
        occupy(&mut node.value, value)
    }
    // ANCHOR_END: insert

    /// Adds a prefix: every path that starts with `pattern`'s segments,
    /// which must all be non-empty text (for `/`, there are none). If
    /// something takes the rest of the path there already, the value comes
    /// back, with the one in its place.
    pub fn insert_prefix(&mut self, pattern: &Pattern, value: T) -> Result<(), (T, &mut T)> {
        let mut node = &mut self.root;
        for segment in pattern.segments() {
            if let Segment::Static(text) = segment {
                if !text.is_empty() {
                    node = node.static_child_mut(text);
                }
            }
        }
        occupy_tail(&mut node.tail, Tail::Prefix, value)
    }

    // ANCHOR: find_simple
    /// The route that `path` (as sent, still percent-encoded) matches, if
    /// any; `Err` if the path is not UTF-8 once decoded.
    pub fn find_simple<'t, 'p>(
        &'t self,
        path: &'p str,
    ) -> Result<Option<Match<'t, 'p, T>>, NotUtf8> {
        let Some(rest) = path.strip_prefix('/') else {
            return Ok(None);
        };
        check_decodes(path)?;
        let mut params = Params::new();
        let found = self.root.search(path, rest, &mut params);
        Ok(found.map(|(value, rest)| Match {
            value,
            params,
            rest,
        }))
    }
    // ANCHOR_END: find_simple
}

impl<T> Node<T> {
    // ANCHOR: search
    /// Matches `rest`, the part of `path` after a slash, against this
    /// node's children, most specific first, collecting the parameters'
    /// values (as sent) on the way. What it finds: the route's value, and
    /// for a prefix, the rest of the path after it.
    fn search<'t, 'p>(
        &'t self,
        path: &'p str,
        rest: &'p str,
        params: &mut Params<'p>,
    ) -> Option<(&'t T, Option<&'p str>)> {
        // This segment, and what follows its slash, if there is one.
        let (raw, next) = match rest.split_once('/') {
            Some((raw, next)) => (raw, Some(next)),
            None => (rest, None),
        };
        let segment = decode_segment(raw).ok()?; // `find_simple` checked it decodes

        // 1. Exact text.
        let exact = self
            .statics
            .binary_search_by(|(text, _)| (**text).cmp(&segment));
        if let Ok(i) = exact {
            if let Some(found) = self.statics[i].1.arrive(path, next, params) {
                return Some(found);
            }
        }
        // 2. Typed parameters whose converter accepts the segment, then 3.
        // the plain parameter, which takes any segment but an empty one. If
        // nothing matches below a child, take its value back out.
        let typed = self.typed.iter().filter(|(c, _)| c.accepts(&segment));
        let plain = self.param.as_deref().filter(|_| !segment.is_empty());
        for child in typed.map(|(_, child)| child).chain(plain) {
            params.push(raw);
            if let Some(found) = child.arrive(path, next, params) {
                return Some(found);
            }
            params.pop();
        }
        // 4. The tail, which takes all that is left.
        match &self.tail {
            Some((Tail::CatchAll, value)) if !rest.is_empty() => {
                params.push(rest);
                Some((value, None))
            }
            // The rest, with the slash before it: a suffix of the path.
            Some((Tail::Prefix, value)) => {
                Some((value, Some(&path[path.len() - rest.len() - 1..])))
            }
            _ => None,
        }
    }
    // ANCHOR_END: search

    // ANCHOR: arrive
    /// Arrives at this node with `next` left of the path: more to search,
    /// or nothing (the path ends here).
    fn arrive<'t, 'p>(
        &'t self,
        path: &'p str,
        next: Option<&'p str>,
        params: &mut Params<'p>,
    ) -> Option<(&'t T, Option<&'p str>)> {
        match (next, &self.value, &self.tail) {
            (Some(rest), _, _) => self.search(path, rest, params),
            (None, Some(value), _) => Some((value, None)),
            (None, None, Some((Tail::Prefix, value))) => Some((value, Some(""))),
            (None, None, _) => None,
        }
    }
    // ANCHOR_END: arrive

    /// The child for exact `text`, made if missing.
    fn static_child_mut(&mut self, text: &str) -> &mut Node<T> {
        let i = match self
            .statics
            .binary_search_by(|(other, _)| (**other).cmp(text))
        {
            Ok(i) => i,
            Err(i) => {
                self.statics.insert(i, (text.into(), Node::default()));
                self.index = ThumbIndex::of(&self.statics);
                i
            }
        };
        &mut self.statics[i].1
    }

    /// The child for a typed parameter, made if missing.
    fn typed_child(&mut self, converter: Converter) -> &mut Node<T> {
        let i = match self.typed.binary_search_by_key(&converter, |(c, _)| *c) {
            Ok(i) => i,
            Err(i) => {
                self.typed.insert(i, (converter, Node::default()));
                i
            }
        };
        &mut self.typed[i].1
    }
}

/// Puts `value` in an empty slot, or gives it back with what is there.
fn occupy<T>(slot: &mut Option<T>, value: T) -> Result<(), (T, &mut T)> {
    match slot {
        Some(existing) => Err((value, existing)),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// [`occupy`] for a tail.
fn occupy_tail<T>(slot: &mut Option<(Tail, T)>, tail: Tail, value: T) -> Result<(), (T, &mut T)> {
    match slot {
        Some((_, existing)) => Err((value, existing)),
        None => {
            *slot = Some((tail, value));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::percent_decode_str;

    fn decoded(raw: &str) -> String {
        percent_decode_str(raw).decode_utf8().unwrap().into_owned()
    }

    fn tree(patterns: &[&'static str]) -> Tree<&'static str> {
        let mut tree = Tree::default();
        for pattern in patterns {
            let parsed = Pattern::parse(pattern).unwrap();
            assert!(tree.insert(&parsed, *pattern).is_ok(), "{pattern}");
        }
        tree
    }

    /// The route and the decoded parameters a path finds, as text; the
    /// plain search and the fast one must agree.
    fn find(tree: &Tree<&'static str>, path: &str) -> Option<(String, Vec<String>)> {
        let simple = tree.find_simple(path).unwrap();
        let fast = tree.find(path).unwrap();
        let shown = |m: &Match<'_, '_, &'static str>| {
            let params: Vec<String> = m.params.iter().map(|p| p.to_string()).collect();
            (m.value.to_string(), params)
        };
        assert_eq!(
            simple.as_ref().map(shown),
            fast.as_ref().map(shown),
            "{path}"
        );
        let found = fast?;
        let params = found.params.iter().map(|raw| decoded(raw)).collect();
        Some((found.value.to_string(), params))
    }

    // ANCHOR: precedence
    /// The most specific route wins, in whatever order they were added:
    /// text, then a typed parameter, then a plain one, then a catch-all.
    #[test]
    fn the_most_specific_route_wins() {
        let patterns = [
            "/users/{name}",
            "/users/{id:int}",
            "/users/new",
            "/users/{*rest}",
        ];
        // Every order of adding gives the same answers.
        let orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]];
        for order in orders {
            let tree = tree(&order.map(|i| patterns[i]));
            let cases = [
                ("/users/new", "/users/new"),
                ("/users/42", "/users/{id:int}"),
                ("/users/bob", "/users/{name}"),
                ("/users/bob/posts", "/users/{*rest}"),
                ("/users/18446744073709551616", "/users/{name}"),
            ];
            for (path, route) in cases {
                assert_eq!(find(&tree, path).map(|f| f.0), Some(route.into()), "{path}");
            }
        }
    }

    /// When the first choice leads nowhere, the search backs up and tries
    /// the next.
    #[test]
    fn a_dead_end_backs_up() {
        let tree = tree(&["/a/new/x", "/a/{id}/y"]);
        assert_eq!(
            find(&tree, "/a/new/y"),
            Some(("/a/{id}/y".into(), vec!["new".into()]))
        );
        assert_eq!(find(&tree, "/a/new/z"), None);
    }
    // ANCHOR_END: precedence

    /// Segments are decoded after splitting: an encoded slash stays inside
    /// its parameter, `/a` and `/%61` are the same, and a segment that is
    /// not UTF-8 is an error.
    #[test]
    fn segments_are_decoded_after_splitting() {
        let tree = tree(&["/a", "/files/{name}", "/s/{*path}"]);
        assert_eq!(find(&tree, "/%61").map(|f| f.0), Some("/a".into()));
        assert_eq!(
            find(&tree, "/files/x%2Fy"),
            Some(("/files/{name}".into(), vec!["x/y".into()]))
        );
        assert_eq!(find(&tree, "/files/x/y"), None);
        assert_eq!(
            find(&tree, "/s/a%20b/c"),
            Some(("/s/{*path}".into(), vec!["a b/c".into()]))
        );
        assert!(tree.find("/files/%ff").is_err());
        assert!(tree.find_simple("/files/%ff").is_err());
    }

    /// Trailing slashes are strict: `/index/` and `/index` are different.
    #[test]
    fn trailing_slashes_are_part_of_the_route() {
        let tree = tree(&["/", "/index/", "/hello/{name}"]);
        assert!(find(&tree, "/").is_some());
        assert!(find(&tree, "/index/").is_some());
        assert!(find(&tree, "/index").is_none());
        assert!(find(&tree, "/hello/x/").is_none());
        assert!(
            find(&tree, "/hello/").is_none(),
            "a parameter is never empty"
        );
        assert!(find(&tree, "").is_none());
    }

    /// Two routes of the same shape cannot both go in: the second gets the
    /// first one's value back.
    #[test]
    fn the_same_shape_twice_is_refused() {
        let mut tree = tree(&["/a/{x}", "/b/{*rest}", "/c/{n:int}"]);
        for (again, existing) in [
            ("/a/{y}", "/a/{x}"),
            ("/b/{*all}", "/b/{*rest}"),
            ("/c/{m:int}", "/c/{n:int}"),
        ] {
            let pattern = Pattern::parse(again).unwrap();
            let (rejected, in_place) = tree.insert(&pattern, again).unwrap_err();
            assert_eq!((rejected, *in_place), (again, existing));
        }
        let different = Pattern::parse("/c/{m}").unwrap();
        assert!(tree.insert(&different, "/c/{m}").is_ok());
    }

    /// A prefix takes everything below it, and says where its rest starts.
    #[test]
    fn a_prefix_takes_the_rest() {
        let mut tree = tree(&["/api/version"]);
        tree.insert_prefix(&Pattern::parse("/api").unwrap(), "mount")
            .unwrap();
        let rest = |path| {
            let simple = tree.find_simple(path).unwrap().map(|m| (*m.value, m.rest));
            let fast = tree.find(path).unwrap().map(|m| (*m.value, m.rest));
            assert_eq!(simple, fast, "{path}");
            fast
        };
        assert_eq!(rest("/api/version"), Some(("/api/version", None)));
        assert_eq!(rest("/api"), Some(("mount", Some(""))));
        assert_eq!(rest("/api/"), Some(("mount", Some("/"))));
        assert_eq!(rest("/api/a%2Fb/c"), Some(("mount", Some("/a%2Fb/c"))));
        assert_eq!(rest("/apis"), None);
    }
}
