//! The router's fast search (`Tree::find`) finds exactly what the plain
//! search of the chapter finds (`Tree::find_simple`): the same route and
//! the same parameters, or nothing, for every route of the GitHub table and
//! for paths made up from the pieces that trip searches up.

use proptest::prelude::*;
use step04_router::Pattern;
use step04_router::github::{routes, sample_path};
use step04_router::tree::{Match, Tree};

/// The GitHub table's patterns, and a few shapes it lacks: a catch-all,
/// a typed parameter beside a plain one, a dead end to back out of.
fn tree() -> Tree<String> {
    let mut tree = Tree::default();
    let extra = [
        "/a/new/x",
        "/a/{id}/y",
        "/n/{id:int}",
        "/n/{name}",
        "/s/{*rest}",
        "/",
    ];
    let patterns = routes().map(|(_, pattern)| pattern).chain(extra);
    for pattern in patterns {
        let parsed = Pattern::parse(pattern).unwrap();
        let _ = tree.insert(&parsed, pattern.to_string()); // a pattern with two methods comes twice
    }
    tree
}

/// What a search found, as plain values.
fn shown(found: Option<Match<'_, '_, String>>) -> Option<(String, Vec<String>, Option<String>)> {
    found.map(|m| {
        let params = m.params.iter().map(|p| p.to_string()).collect();
        (m.value.clone(), params, m.rest.map(str::to_string))
    })
}

fn agree(tree: &Tree<String>, path: &str) {
    let simple = tree.find_simple(path).map(shown);
    let fast = tree.find(path).map(shown);
    assert_eq!(simple, fast, "{path}");
}

/// Every route of the table, with realistic values, and each with an
/// encoded byte or a trailing slash.
#[test]
fn the_two_searches_agree_on_the_github_table() {
    let tree = tree();
    for (_, pattern) in routes() {
        let path = sample_path(pattern);
        agree(&tree, &path);
        agree(&tree, &format!("{path}/"));
        agree(&tree, &path.replacen('r', "%72", 1));
        assert!(tree.find(&path).unwrap().is_some(), "{path}");
    }
}

/// A path segment: text of the routes, a number, nothing, an escape, or
/// something no route knows.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("repos".to_string()),
        Just("issues".to_string()),
        Just("user".to_string()),
        Just("a".to_string()),
        Just("new".to_string()),
        Just("n".to_string()),
        Just("s".to_string()),
        Just(String::new()),
        Just("%2F".to_string()),
        Just("%ff".to_string()),
        Just("caf%C3%A9".to_string()),
        "[0-9]{1,25}",
        "[a-z.~-]{1,6}",
    ]
}

proptest! {
    /// Made-up paths: whatever one is found, or not found, by the plain
    /// search, the fast one finds the same.
    #[test]
    fn the_two_searches_agree_on_any_path(segments in proptest::collection::vec(segment(), 0..7)) {
        let tree = tree();
        agree(&tree, &format!("/{}", segments.join("/")));
    }
}
