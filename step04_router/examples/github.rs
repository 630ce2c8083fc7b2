//! The 203 routes of GitHub's v3 API on the step 4 router, each answering
//! with its own pattern, on step 3's server with no middleware: what
//! `cargo xtask bench` measures against axum serving the same routes.
//!
//! ```text
//! $ cargo run --release -p step04_router --example github -- --addr 127.0.0.1:8000
//! Serving 203 GitHub API routes on http://127.0.0.1:8000/ (4 workers, up to 19952 connections)
//! $ curl http://127.0.0.1:8000/repos/rust-lang/rust/issues/1
//! /repos/{owner}/{repo}/issues/{number}
//! ```

use std::error::Error;

use clap::Parser;
use step03_wsgi_gateway::ServerArgs;
use step04_router::github;

/// Serves the GitHub API's routes, each answering with its pattern.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> Result<(), Box<dyn Error>> {
    let server = Args::parse().server.server(github::app()?)?;
    println!(
        "Serving {} GitHub API routes on {} ({})",
        github::routes().count(),
        server.url(),
        server.config()
    );
    server.serve_until_signalled()?;
    Ok(())
}
