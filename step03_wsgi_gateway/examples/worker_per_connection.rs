//! The design step 3 avoids, kept for comparison: a pool where each worker
//! takes a whole connection and serves it until the client closes it, as
//! the Rust Book's web server does (`src/per_connection.rs`). Every idle
//! keep-alive connection and every slow client holds a worker, so a handful
//! of them starve everybody else. `cargo xtask bench` measures it.
//!
//! ```text
//! $ cargo run -p step03_wsgi_gateway --example worker_per_connection
//! ```

use std::io;

use clap::Parser;
use step03_wsgi_gateway::{Body, Environ, StartResponse, serve_worker_per_connection};

/// Serves "Hello, web!" with a worker per connection.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// How many worker threads.
    #[arg(long, default_value_t = 4)]
    workers: usize,
}

fn hello(_: &mut Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/plain; charset=utf-8")]);
    Body::from("Hello, web!")
}

fn main() -> io::Result<()> {
    let args = Args::parse();
    let (listener, local) = step02_http_reply::server::bind(&args.addr)?;
    println!(
        "Serving (a worker per connection) on http://{local}/ ({} workers)",
        args.workers
    );
    serve_worker_per_connection(listener, hello, args.workers);
    Ok(())
}
