//! The 203 routes of GitHub's v3 API on the step 4 router, each answering
//! with its own pattern, on step 3's server with no middleware: what
//! `cargo xtask bench` measures against axum serving the same routes.
//!
//! ```text
//! $ cargo run --release -p step04_router --example github -- --addr 127.0.0.1:8000
//! Serving 203 GitHub API routes on http://127.0.0.1:8000/ (4 workers)
//! $ curl http://127.0.0.1:8000/repos/rust-lang/rust/issues/1
//! /repos/{owner}/{repo}/issues/{number}
//! ```

use std::error::Error;

use clap::Parser;
use step03_wsgi_gateway::server::default_workers;
use step03_wsgi_gateway::{Config, Server};
use step04_router::github;

/// Serves the GitHub API's routes, each answering with its pattern.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// How many worker threads [default: two per CPU, at least 4]
    #[arg(long)]
    workers: Option<usize>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let (listener, _) = step02_http_reply::server::bind(&args.addr)?;
    let workers = args.workers.unwrap_or_else(default_workers).max(1);
    let config = Config {
        workers,
        ..Config::default()
    };
    let server = Server::new(listener, github::app()?, config)?;
    println!(
        "Serving {} GitHub API routes on {} ({workers} workers)",
        github::routes().count(),
        server.url()
    );
    server.serve_until_signalled()?;
    Ok(())
}
