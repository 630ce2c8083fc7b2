//! The route tree's search, made fast: [`Tree::find`], which the router
//! uses. It finds exactly what [`Tree::find_simple`] finds (a test checks
//! that on every route of the GitHub table and on made-up paths), with
//! four changes, each kept because the lookup benchmark
//! (`benches/lookup.rs`) showed it faster; the appendix "Measure, then
//! choose" has the figures:
//!
//! 1. the search returns one register, a `&T`, and carries the rest of
//!    what it finds in a [`Walk`];
//! 2. a path with no `%` (nearly all of them) is searched by a copy of the
//!    search that never decodes, chosen once per path by a const generic;
//! 3. a node finds the child for a text through a [`ThumbIndex`] of first
//!    bytes, instead of a binary search;
//! 4. slashes are found eight bytes at a time, and short texts compared
//!    without `memcmp` (`bytes.rs`).

use std::borrow::Cow;

use crate::bytes::{find_slash, same_text};
use crate::params::Params;
use crate::path::{NotUtf8, check_decodes, decode_segment};
use crate::tree::{Match, Node, Tail, Tree};

impl<T> Tree<T> {
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
            true => self.root.fast_search::<DECODE>(rest, &mut walk),
            false => self.root.fast_search::<AS_SENT>(rest, &mut walk),
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
    /// `Node::search` (in `tree.rs`), returning only the route's value and
    /// keeping the rest in `walk`.
    ///
    /// `DECODING` is a constant, so the compiler makes two copies of this
    /// function, and the one for paths without `%` has no decoding in it.
    fn fast_search<'t, 'p, const DECODING: bool>(
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
            if let Some(found) = child.fast_arrive::<DECODING>(next, walk) {
                return Some(found);
            }
        }
        // 2. Typed parameters, then 3. a plain one. A parameter is never
        // empty. If nothing matches below, take the value back out.
        for (converter, child) in &self.typed {
            if converter.accepts(&segment) {
                walk.params.push(raw);
                if let Some(found) = child.fast_arrive::<DECODING>(next, walk) {
                    return Some(found);
                }
                walk.params.pop();
            }
        }
        if let Some(child) = self.param.as_deref().filter(|_| !segment.is_empty()) {
            walk.params.push(raw);
            if let Some(found) = child.fast_arrive::<DECODING>(next, walk) {
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
    fn fast_arrive<'t, 'p, const DECODING: bool>(
        &'t self,
        next: Option<&'p str>,
        walk: &mut Walk<'p>,
    ) -> Option<&'t T> {
        match (next, &self.value, &self.tail) {
            (Some(rest), _, _) => self.fast_search::<DECODING>(rest, walk),
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
        let start = self.index.start_of(first)?;
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
}

// ANCHOR: thumb_index
/// A thumb index into a node's sorted children, as in a dictionary: entry
/// `b - lowest` says where the children whose text starts with byte `b`
/// begin.
#[derive(Default)]
pub(crate) struct ThumbIndex {
    starts: Vec<Option<u32>>,
    /// The smallest first byte of a child's text.
    lowest: u8,
}

impl ThumbIndex {
    /// The index of `statics`, which are sorted by their text.
    pub(crate) fn of<T>(statics: &[(Box<str>, T)]) -> ThumbIndex {
        let firsts: Vec<u8> = statics.iter().map(|(t, _)| first_byte(t)).collect();
        let (Some(&lowest), Some(&highest)) = (firsts.first(), firsts.last()) else {
            return ThumbIndex::default();
        };
        let mut starts = vec![None; usize::from(highest - lowest) + 1];
        // Backwards, so that the first child with each byte is the one kept.
        for (i, byte) in firsts.iter().enumerate().rev() {
            starts[usize::from(byte - lowest)] = u32::try_from(i).ok();
        }
        ThumbIndex { starts, lowest }
    }

    /// Where the children whose text starts with `first` begin, if any do.
    fn start_of(&self, first: u8) -> Option<usize> {
        // A byte below `lowest` wraps around to a number past the end of
        // `starts`, which is at most 255 - `lowest`.
        let entry = usize::from(first.wrapping_sub(self.lowest));
        self.starts
            .get(entry)
            .copied()
            .flatten()
            .map(|i| i as usize)
    }
}
// ANCHOR_END: thumb_index

/// A text's first byte, 0 for the empty text: in the same order as the
/// texts themselves.
fn first_byte(text: &str) -> u8 {
    text.as_bytes().first().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thumb index finds every child, and nothing else: texts before
    /// the lowest first byte, after the highest, between two, and empty.
    #[test]
    fn the_thumb_index_finds_exactly_the_children() {
        let children = ["", "commits", "comments", "compare", "issues", "pulls"];
        let mut node: Node<&str> = Node::default();
        for text in children {
            let pattern = crate::Pattern::parse(&format!("/{text}")).unwrap();
            let mut tree = Tree { root: node };
            let _ = tree.insert(&pattern, text);
            node = tree.root;
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
