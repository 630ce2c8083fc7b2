//! The application the benchmark serves: "Hello, web!" as plain text, on
//! the step 3 server, with no middleware. `cargo xtask bench` runs it
//! beside an axum server that sends the same response.
//!
//! ```text
//! $ cargo run --release -p step03_wsgi_gateway --example hello -- --addr 127.0.0.1:8000
//! ```

use std::io;

use clap::Parser;
use step03_wsgi_gateway::server::default_workers;
use step03_wsgi_gateway::{Body, Config, Environ, Server, StartResponse};

/// Serves "Hello, web!" for every request.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// How many worker threads [default: two per CPU, at least 4]
    #[arg(long)]
    workers: Option<usize>,
}

// ANCHOR: hello
fn hello(_environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/plain; charset=utf-8")]);
    Body::from("Hello, web!")
}
// ANCHOR_END: hello

fn main() -> io::Result<()> {
    let args = Args::parse();
    let (listener, _) = step02_http_reply::server::bind(&args.addr)?;
    let workers = args.workers.unwrap_or_else(default_workers);
    let server = Server::new(
        listener,
        hello,
        Config {
            workers,
            ..Config::default()
        },
    )?;
    println!(
        "Serving Hello, web! on {} ({workers} workers)",
        server.url()
    );
    server.serve_forever()
}
