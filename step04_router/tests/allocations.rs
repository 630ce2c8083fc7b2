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

/// Nor does a route with up to four parameters (see `params.rs`); one
/// with more allocates once, for the values after the fourth.
#[test]
fn a_parameter_route_is_found_without_allocating() {
    let router = github::app().unwrap();
    for (_, pattern) in github::routes() {
        let path = github::sample_path(pattern);
        let counted = allocation_counter::measure(|| {
            assert!(matches!(router.find(&path), Ok(Some(_))));
        });
        assert_eq!(counted.count_total, 0, "{path}");
    }
    let mut five = step04_router::Router::new();
    let ok = |_: &step04_router::Request| Ok(step04_router::Response::text(""));
    five.route("/{a}/{b}/{c}/{d}/{e}", step04_router::get(ok))
        .unwrap();
    let counted = allocation_counter::measure(|| {
        assert!(matches!(five.find("/1/2/3/4/5"), Ok(Some(_))));
    });
    assert_eq!(counted.count_total, 1);
}
