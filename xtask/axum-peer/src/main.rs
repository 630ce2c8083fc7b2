//! The benchmark's peer: "Hello, web!" as plain text from axum, so that
//! `cargo xtask bench` can compare step 3 with a server Rust programmers
//! use in production. Not a lesson: see step 3's chapter for why it is here.
//!
//! ```text
//! axum-peer 127.0.0.1:0
//! ```

use axum::Router;
use axum::http::header;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("axum on http://{}/", listener.local_addr()?);
    let app = Router::new().route(
        "/",
        get(|| async { ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Hello, web!") }),
    );
    axum::serve(listener, app).await
}
