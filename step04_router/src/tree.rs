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

use std::borrow::Cow;

use crate::bytes::{find_slash, same_text};
use crate::params::Params;
use crate::path::{NotUtf8, check_decodes, decode_segment};
use crate::pattern::{Converter, Pattern, Segment};

// ANCHOR: node
/// One node of the tree: the routes that share the segments above it.
struct Node<T> {
    /// Children for exact text, sorted by it.
    statics: Vec<(Box<str>, Node<T>)>,
    /// A thumb index into `statics`, as in a dictionary: entry `b - lowest`
    /// says where the children whose text starts with byte `b` begin.
    index: Vec<Option<u32>>,
    /// The smallest first byte of a child's text.
    lowest: u8,
    /// Children for typed parameters, in the converters' order.
    typed: Vec<(Converter, Node<T>)>,
    /// The child for a plain parameter, `{name}`.
    param: Option<Box<Node<T>>>,
    /// What takes the rest of the path from here.
    tail: Option<(Tail, T)>,
    /// The route that ends exactly here.
    value: Option<T>,
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
            index: Vec::new(),
            lowest: 0,
            typed: Vec::new(),
            param: None,
            tail: None,
            value: None,
        }
    }
}

/// A tree of routes, each holding a `T`.
pub struct Tree<T> {
    root: Node<T>,
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

    // ANCHOR: find
    /// The route that `path` (as sent, still percent-encoded) matches, if
    /// any; `Err` if the path is not UTF-8 once decoded.
    pub fn find<'t, 'p>(&'t self, path: &'p str) -> Result<Option<Match<'t, 'p, T>>, NotUtf8> {
        let Some(rest) = path.strip_prefix('/') else {
            return Ok(None);
        };
        // Most paths have no `%` at all: then no segment needs decoding. A
        // path that has one is checked whole, once, here. (A `fold` has no
        // early exit, so the compiler checks 16 bytes per instruction;
        // `contains` calls `memchr`, which costs more on a short path.)
        let encoded = path.bytes().fold(false, |seen, b| seen | (b == b'%'));
        if encoded {
            check_decodes(path)?;
        }
        let mut walk = Walk {
            path,
            params: Params::new(),
            rest: None,
        };
        let found = match encoded {
            true => self.root.search::<DECODE>(rest, &mut walk),
            false => self.root.search::<AS_SENT>(rest, &mut walk),
        };
        Ok(found.map(|value| Match {
            value,
            params: walk.params,
            rest: walk.rest,
        }))
    }
    // ANCHOR_END: find
}

// ANCHOR: walk
/// A search under way: what it knows of the path, and what it has found.
struct Walk<'p> {
    /// The whole path, as sent.
    path: &'p str,
    /// The parameters' values so far.
    params: Params<'p>,
    /// For a prefix (a mount): the rest of the path after it.
    rest: Option<&'p str>,
}

/// The two ways to read a path's segments, chosen once per path: decode
/// each (the path has a `%`), or take each as sent (it has none).
const DECODE: bool = true;
const AS_SENT: bool = false;
// ANCHOR_END: walk

impl<T> Node<T> {
    // ANCHOR: search
    /// Matches `rest`, the part of the path after a slash, against this
    /// node's children, most specific first, collecting parameters on the way.
    ///
    /// `DECODING` is a constant, so the compiler makes two copies of this
    /// function, and the one for paths without `%` has no decoding in it.
    fn search<'t, 'p, const DECODING: bool>(
        &'t self,
        rest: &'p str,
        walk: &mut Walk<'p>,
    ) -> Option<&'t T> {
        let (raw, next) = match find_slash(rest.as_bytes()) {
            Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
            None => (rest, None),
        };
        let segment = match DECODING {
            DECODE => decode_segment(raw).ok()?, // never fails: `find` checked
            AS_SENT => Cow::Borrowed(raw),
        };

        // 1. Exact text.
        if let Some(child) = self.static_child(&segment) {
            if let Some(found) = child.arrive::<DECODING>(next, walk) {
                return Some(found);
            }
        }
        // 2. Typed parameters, then 3. a plain one. A parameter is never
        // empty. If nothing matches below, take the value back out.
        for (converter, child) in &self.typed {
            if converter.accepts(&segment) {
                walk.params.push(raw);
                if let Some(found) = child.arrive::<DECODING>(next, walk) {
                    return Some(found);
                }
                walk.params.pop();
            }
        }
        if let Some(child) = self.param.as_deref().filter(|_| !segment.is_empty()) {
            walk.params.push(raw);
            if let Some(found) = child.arrive::<DECODING>(next, walk) {
                return Some(found);
            }
            walk.params.pop();
        }
        // 4. The tail, which takes all that is left.
        match &self.tail {
            Some((Tail::CatchAll, value)) if !rest.is_empty() => {
                walk.params.push(rest);
                Some(value)
            }
            Some((Tail::Prefix, value)) => {
                // The rest, with the slash before it: a suffix of the path.
                let from = walk.path.len() - rest.len() - 1;
                walk.rest = Some(&walk.path[from..]);
                Some(value)
            }
            _ => None,
        }
    }

    /// Arrives at this node with `next` left of the path: none (the path
    /// ends here), or more to search.
    #[inline]
    fn arrive<'t, 'p, const DECODING: bool>(
        &'t self,
        next: Option<&'p str>,
        walk: &mut Walk<'p>,
    ) -> Option<&'t T> {
        match (next, &self.value, &self.tail) {
            (Some(rest), _, _) => self.search::<DECODING>(rest, walk),
            (None, Some(value), _) => Some(value),
            (None, None, Some((Tail::Prefix, value))) => {
                walk.rest = Some("");
                Some(value)
            }
            (None, None, _) => None,
        }
    }
    // ANCHOR_END: search

    // ANCHOR: static_child
    /// The child for exact `text`, if there is one: one look in the thumb
    /// index, then only the children with the same first byte are compared.
    fn static_child(&self, text: &str) -> Option<&Node<T>> {
        let first = first_byte(text);
        // A byte below `lowest` wraps around to a number past the index's
        // end, which is at most 255 - `lowest`.
        let entry = usize::from(first.wrapping_sub(self.lowest));
        let start = (*self.index.get(entry)?)? as usize;
        for (key, child) in self.statics.get(start..)? {
            if same_text(key, text) {
                return Some(child);
            }
            if first_byte(key) != first {
                break;
            }
        }
        None
    }
    // ANCHOR_END: static_child

    /// The child for exact `text`, made if missing.
    fn static_child_mut(&mut self, text: &str) -> &mut Node<T> {
        let i = match self
            .statics
            .binary_search_by(|(other, _)| (**other).cmp(text))
        {
            Ok(i) => i,
            Err(i) => {
                self.statics.insert(i, (text.into(), Node::default()));
                self.reindex();
                i
            }
        };
        &mut self.statics[i].1
    }

    /// Rebuilds the thumb index after a child was added.
    fn reindex(&mut self) {
        let firsts: Vec<u8> = self.statics.iter().map(|(t, _)| first_byte(t)).collect();
        let (Some(&lowest), Some(&highest)) = (firsts.first(), firsts.last()) else {
            return;
        };
        self.lowest = lowest;
        self.index = vec![None; usize::from(highest - lowest) + 1];
        // Backwards, so that the first child with each byte is the one kept.
        for (i, byte) in firsts.iter().enumerate().rev() {
            self.index[usize::from(byte - lowest)] = u32::try_from(i).ok();
        }
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

/// A text's first byte, 0 for the empty text: in the same order as the
/// texts themselves.
fn first_byte(text: &str) -> u8 {
    text.as_bytes().first().copied().unwrap_or(0)
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

    /// The route and the decoded parameters a path finds, as text.
    fn find(tree: &Tree<&'static str>, path: &str) -> Option<(String, Vec<String>)> {
        let found = tree.find(path).unwrap()?;
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
        let rest = |path| tree.find(path).unwrap().map(|m| (*m.value, m.rest));
        assert_eq!(rest("/api/version"), Some(("/api/version", None)));
        assert_eq!(rest("/api"), Some(("mount", Some(""))));
        assert_eq!(rest("/api/"), Some(("mount", Some("/"))));
        assert_eq!(rest("/api/a%2Fb/c"), Some(("mount", Some("/a%2Fb/c"))));
        assert_eq!(rest("/apis"), None);
    }

    /// The thumb index finds every child, and nothing else: texts before
    /// the lowest first byte, after the highest, between two, and empty.
    #[test]
    fn the_thumb_index_finds_exactly_the_children() {
        let children = ["", "commits", "comments", "compare", "issues", "pulls"];
        let mut node: Node<&str> = Node::default();
        for text in children {
            node.static_child_mut(text).value = Some(text);
        }
        for text in children {
            let found = node.static_child(text).and_then(|child| child.value);
            assert_eq!(found, Some(text));
        }
        for absent in ["\u{0}", "a", "comment", "commitsx", "j", "z", "é"] {
            assert!(node.static_child(absent).is_none(), "{absent}");
        }
    }
}
