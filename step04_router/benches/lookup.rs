//! How long finding a route takes, over the 203 routes of GitHub's API:
//! the linear table (`linear.rs`, the Python tutorials' design grown up),
//! the route tree searched plainly (`Tree::find_simple`, the chapter's
//! search), the router's fast search of the same tree (`Tree::find`), and
//! `matchit`, the router inside axum.
//!
//! ```text
//! $ cargo bench -p step04_router --bench lookup
//! ```
//!
//! One iteration looks up every route once, with realistic parameter values
//! (`/repos/rust-lang/rust/issues/4242`), and keeps the parameters. The
//! four take turns, round after round, so that whatever else the machine
//! does slows all four alike; the median round is reported. `--quick`
//! runs fewer, shorter rounds (for CI, where only "it runs" is judged).

use std::hint::black_box;
use std::time::{Duration, Instant};

use step04_router::Pattern;
use step04_router::github::{routes, sample_path};
use step04_router::linear::LinearRouter;
use step04_router::tree::Tree;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, round_time) = if quick {
        (3, Duration::from_millis(50))
    } else {
        (11, Duration::from_millis(300))
    };

    let mut patterns: Vec<&str> = routes().map(|(_, pattern)| pattern).collect();
    let paths: Vec<String> = patterns.iter().map(|p| sample_path(p)).collect();
    patterns.sort_unstable();
    patterns.dedup();

    let mut linear = LinearRouter::new();
    let mut plain = Tree::default();
    let mut matchit = matchit::Router::new();
    for pattern in &patterns {
        linear.add(pattern, *pattern).expect("a valid pattern");
        let parsed = Pattern::parse(pattern).expect("a valid pattern");
        plain
            .insert(&parsed, *pattern)
            .map_err(|_| "a conflict")
            .expect("no conflict");
        matchit
            .insert(*pattern, *pattern)
            .expect("matchit takes the pattern");
    }
    let tree = step04_router::github::app().expect("the GitHub routes");

    // Each contender: look up a path, keep what was found.
    type Find<'a> = Box<dyn Fn(&str) -> usize + 'a>;
    let contenders: [(&str, Find); 4] = [
        (
            "linear table",
            Box::new(|path| match linear.find(path) {
                Ok(Some((_, params))) => black_box(params).len() + 1,
                _ => 0,
            }),
        ),
        (
            "tree, plain search",
            Box::new(|path| match plain.find_simple(path) {
                Ok(Some(found)) => black_box(found.params).len() + 1,
                _ => 0,
            }),
        ),
        (
            "step 4 router (fast search)",
            Box::new(|path| match tree.find(path) {
                Ok(Some(found)) => black_box(found.params).len() + 1,
                _ => 0,
            }),
        ),
        (
            "matchit",
            Box::new(|path| match matchit.at(path) {
                Ok(found) => black_box(found.params).len() + 1,
                Err(_) => 0,
            }),
        ),
    ];
    // Every path must be found by all four, or the race is not fair.
    for (name, find) in &contenders {
        for path in &paths {
            assert!(find(path) > 0, "{name} does not find {path}");
        }
    }

    println!(
        "{} lookups per iteration ({} patterns), {rounds} rounds, median:",
        paths.len(),
        patterns.len()
    );
    let mut per_lookup: [Vec<f64>; 4] = Default::default();
    for round in 0..rounds {
        for turn in 0..contenders.len() {
            let i = (round + turn) % contenders.len();
            let (_, find) = &contenders[i];
            per_lookup[i].push(time_per_lookup(find, &paths, round_time));
        }
    }
    let medians: Vec<f64> = per_lookup.iter_mut().map(|v| median(v)).collect();
    println!();
    println!("| router | per lookup | all 203 routes |");
    println!("|--------|-----------:|---------------:|");
    for ((name, _), ns) in contenders.iter().zip(&medians) {
        println!(
            "| {name} | {ns:.1} ns | {:.2} µs |",
            ns * paths.len() as f64 / 1000.0
        );
    }
    let (linear_ns, plain_ns, tree_ns, matchit_ns) =
        (medians[0], medians[1], medians[2], medians[3]);
    println!();
    println!(
        "step 4 router: {:.2}x matchit's time per lookup; {:.0}x faster than the linear \
         table, {:.1}x faster than the plain search of the same tree",
        tree_ns / matchit_ns,
        linear_ns / tree_ns,
        plain_ns / tree_ns
    );
}

/// Looks up every path, again and again for about `budget`, and returns
/// the time per lookup in nanoseconds.
fn time_per_lookup(find: &dyn Fn(&str) -> usize, paths: &[String], budget: Duration) -> f64 {
    let started = Instant::now();
    let mut lookups = 0u64;
    let mut found = 0usize;
    while started.elapsed() < budget {
        for path in paths {
            found += find(black_box(path));
        }
        lookups += paths.len() as u64;
    }
    black_box(found);
    started.elapsed().as_nanos() as f64 / lookups as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
