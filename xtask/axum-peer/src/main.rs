//! The benchmark's peer: the same work as the step it is compared with,
//! done the way an axum user would do it, so that `cargo xtask bench` can
//! compare each step with a server Rust programmers use in production. Not
//! a lesson: see the chapters for why it is here.
//!
//! ```text
//! axum-peer hello 127.0.0.1:0     "Hello, web!" as text (step 3's hello)
//! axum-peer github 127.0.0.1:0    GitHub's 203 API routes (step 4's github)
//! axum-peer guestbook 127.0.0.1:0 DB TEMPLATES
//!                                 the guestbook's home page (step 5), from the
//!                                 same database and the same templates
//! ```

mod guestbook;

use axum::Router;
use axum::http::header;
use axum::routing::{MethodFilter, MethodRouter, get, on};

/// The GitHub API routes step 4 serves, one `METHOD /pattern` per line.
const GITHUB_ROUTES: &str = include_str!("../../../step04_router/data/github_api_routes.txt");

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (app, addr) = match args.as_slice() {
        [mode, addr] if mode == "hello" => (hello(), addr),
        [mode, addr] if mode == "github" => (github(), addr),
        [mode, addr, db, templates] if mode == "guestbook" => (guestbook::app(db, templates), addr),
        _ => {
            eprintln!("usage: axum-peer hello|github ADDR, or axum-peer guestbook ADDR DB TEMPLATES");
            std::process::exit(2);
        }
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("axum on http://{}/", listener.local_addr()?);
    axum::serve(listener, app).await
}

/// "Hello, web!" as plain text, for every request to `/`.
fn hello() -> Router {
    Router::new().route(
        "/",
        get(|| async { ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Hello, web!") }),
    )
}

/// Each GitHub route answers with its own pattern, as plain text; a path's
/// methods share one `MethodRouter`, so a wrong method gets 405 and `Allow`.
fn github() -> Router {
    let mut paths: Vec<(&'static str, MethodRouter)> = Vec::new();
    for line in GITHUB_ROUTES.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let Some((method, pattern)) = line.split_once(' ') else { continue };
        let filter = match method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            "PATCH" => MethodFilter::PATCH,
            other => panic!("no method filter for {other}"),
        };
        let handler = move || async move { pattern };
        match paths.iter_mut().find(|(p, _)| *p == pattern) {
            Some((_, methods)) => *methods = std::mem::take(methods).on(filter, handler),
            None => paths.push((pattern, on(filter, handler))),
        }
    }
    paths
        .into_iter()
        .fold(Router::new(), |router, (pattern, methods)| router.route(pattern, methods))
}
