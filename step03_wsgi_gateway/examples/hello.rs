//! The application the benchmark serves: "Hello, web!" as plain text, on
//! the step 3 server, with no middleware. `cargo xtask bench` runs it
//! beside an axum server that sends the same response.
//!
//! ```text
//! $ cargo run --release -p step03_wsgi_gateway --example hello -- --addr 127.0.0.1:8000
//! ```

use std::io;

use clap::Parser;
use step03_wsgi_gateway::{Body, Environ, ServerArgs, StartResponse};

/// Serves "Hello, web!" for every request.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

// ANCHOR: hello
fn hello(_environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/plain; charset=utf-8")]);
    Body::from("Hello, web!")
}
// ANCHOR_END: hello

fn main() -> io::Result<()> {
    let server = Args::parse().server.server(hello)?;
    println!(
        "Serving Hello, web! on {} ({})",
        server.url(),
        server.config()
    );
    server.serve_forever()
}
