//! What holding an environ's variables costs, four ways: a `BTreeMap` of
//! `String`s (what `Environ` uses), the same with fixed names borrowed
//! (`Cow<'static, str>`), a `HashMap`, and one vector of pairs kept sorted
//! with borrowed names (what this step used before: a "speed trick" that,
//! measured here, was slower than the plain map, and went).
//!
//! ```text
//! $ cargo bench -p step03_wsgi_gateway --bench environ
//! ```
//!
//! One iteration does what the server and a small application do for one
//! request from a browser: set the 15 fixed variables and the 9 `HTTP_*`
//! ones a browser's request head gives, then look up six of them. The
//! four take turns, round after round, and the median round is reported.
//! `--quick` runs fewer, shorter rounds.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The fixed variables every request gets, with typical values.
const FIXED: [(&str, &str); 15] = [
    ("REQUEST_METHOD", "GET"),
    ("SCRIPT_NAME", ""),
    ("PATH_INFO", "/environ"),
    ("QUERY_STRING", ""),
    ("REQUEST_URI", "/environ"),
    ("SERVER_NAME", "127.0.0.1"),
    ("SERVER_PORT", "8000"),
    ("SERVER_PROTOCOL", "HTTP/1.1"),
    ("REMOTE_ADDR", "127.0.0.1"),
    ("REMOTE_PORT", "51234"),
    ("wsgi.version", "1.0"),
    ("wsgi.url_scheme", "http"),
    ("wsgi.multithread", "true"),
    ("wsgi.multiprocess", "false"),
    ("wsgi.run_once", "false"),
];

/// The header fields of a browser's request (Chromium's, trimmed).
const HEADERS: [(&str, &str); 9] = [
    ("Host", "127.0.0.1:8000"),
    ("Connection", "keep-alive"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0",
    ),
    ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Accept-Language", "en-GB,en;q=0.9,zh-CN;q=0.8"),
    ("Sec-Fetch-Mode", "navigate"),
    ("Sec-Fetch-Site", "none"),
    ("Upgrade-Insecure-Requests", "1"),
];

/// What the application looks up.
const LOOKUPS: [&str; 6] = [
    "REQUEST_METHOD",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_HOST",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_COOKIE",
];

fn http_name(field: &str) -> String {
    format!("HTTP_{}", field.to_ascii_uppercase().replace('-', "_"))
}

fn with_btree_map() -> usize {
    let mut vars = BTreeMap::new();
    for (name, value) in FIXED {
        vars.insert(name.to_string(), value.to_string());
    }
    for (field, value) in HEADERS {
        vars.insert(http_name(field), value.to_string());
    }
    LOOKUPS
        .iter()
        .filter_map(|k| vars.get(*k))
        .map(String::len)
        .sum()
}

fn with_btree_map_cow() -> usize {
    let mut vars: BTreeMap<Cow<'static, str>, String> = BTreeMap::new();
    for (name, value) in FIXED {
        vars.insert(Cow::Borrowed(name), value.to_string());
    }
    for (field, value) in HEADERS {
        vars.insert(Cow::Owned(http_name(field)), value.to_string());
    }
    LOOKUPS
        .iter()
        .filter_map(|k| vars.get(*k))
        .map(String::len)
        .sum()
}

fn with_hash_map() -> usize {
    let mut vars = HashMap::new();
    for (name, value) in FIXED {
        vars.insert(name.to_string(), value.to_string());
    }
    for (field, value) in HEADERS {
        vars.insert(http_name(field), value.to_string());
    }
    LOOKUPS
        .iter()
        .filter_map(|k| vars.get(*k))
        .map(String::len)
        .sum()
}

/// The sorted vector: pairs in name order, found by binary search.
fn with_sorted_vec() -> usize {
    let mut vars: Vec<(Cow<'static, str>, String)> =
        Vec::with_capacity(FIXED.len() + HEADERS.len());
    let mut insert = |name: Cow<'static, str>, value: &str| match vars
        .binary_search_by(|(k, _)| k.as_ref().cmp(name.as_ref()))
    {
        Ok(at) => vars[at].1 = value.to_string(),
        Err(at) => vars.insert(at, (name, value.to_string())),
    };
    for (name, value) in FIXED {
        insert(Cow::Borrowed(name), value);
    }
    for (field, value) in HEADERS {
        insert(Cow::Owned(http_name(field)), value);
    }
    LOOKUPS
        .iter()
        .filter_map(|k| {
            let at = vars.binary_search_by(|(n, _)| n.as_ref().cmp(*k)).ok()?;
            Some(vars[at].1.len())
        })
        .sum()
}

/// A way to hold the variables: its name, and one request's work.
type Way = (&'static str, fn() -> usize);

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, round_time) = if quick {
        (3, Duration::from_millis(50))
    } else {
        (11, Duration::from_millis(300))
    };
    let ways: [Way; 4] = [
        ("BTreeMap<String, String>", with_btree_map),
        ("BTreeMap<Cow<'static, str>, String>", with_btree_map_cow),
        ("HashMap<String, String>", with_hash_map),
        ("sorted Vec<(Cow<'static, str>, String)>", with_sorted_vec),
    ];
    // All must find the same values.
    let found: Vec<usize> = ways.iter().map(|(_, way)| way()).collect();
    assert!(found.windows(2).all(|w| w[0] == w[1]), "{found:?}");

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); ways.len()];
    for _ in 0..rounds {
        for (i, (_, way)) in ways.iter().enumerate() {
            let started = Instant::now();
            let mut n = 0u64;
            while started.elapsed() < round_time {
                for _ in 0..100 {
                    black_box(way());
                }
                n += 100;
            }
            times[i].push(started.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    println!("one request's environ: 24 variables set, 6 looked up (median of {rounds} rounds)");
    println!();
    println!("| storage | per request | against BTreeMap<String, String> |");
    println!("|---------|-------------|----------------------------------|");
    for ((name, _), median) in ways.iter().zip(&medians) {
        println!("| {name} | {median:.0} ns | {:.2}x |", median / medians[0]);
    }
}
