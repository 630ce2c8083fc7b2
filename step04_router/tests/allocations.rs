//! Matching a route with no parameters allocates nothing on the heap. (A
//! count, not a time: the same on every machine.) This file is its own test
//! binary because counting replaces the memory allocator.

use step04_router::github;

/// Every static route of the GitHub table, found without one allocation.
#[test]
fn a_static_route_is_found_without_allocating() {
    let router = github::app().unwrap();
    let statics: Vec<&str> = github::routes()
        .map(|(_, pattern)| pattern)
        .filter(|pattern| !pattern.contains('{'))
        .collect();
    assert!(statics.len() > 20, "{}", statics.len());
    for path in statics {
        let mut found = false;
        let counted = allocation_counter::measure(|| {
            found = matches!(router.find(path), Ok(Some(_)));
        });
        assert!(found, "{path}");
        assert_eq!(counted.count_total, 0, "{path} allocated");
    }
}

/// A route with parameters allocates once: the list of their values.
#[test]
fn a_parameter_route_allocates_once() {
    let router = github::app().unwrap();
    let path = github::sample_path("/repos/{owner}/{repo}/issues/{number}");
    let counted = allocation_counter::measure(|| {
        assert!(matches!(router.find(&path), Ok(Some(_))));
    });
    assert_eq!(counted.count_total, 1);
}
