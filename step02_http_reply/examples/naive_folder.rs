//! The folder server you might write first: decode the URL path, join it to
//! the folder, read the file. It uses the step 2 library for HTTP, so the
//! only difference from `--dir` is how a URL becomes a file.
//!
//! ```text
//! $ cargo run -p step02_http_reply --example naive_folder -- some/folder
//! ```
//!
//! Do not run it on a machine with anything to lose: the step 2 chapter
//! ("What a naive folder server gives away") shows what it serves.

use std::env;
use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use step02_http_reply::{Response, Status, serve};

fn main() -> std::io::Result<()> {
    let root = PathBuf::from(env::args().nth(1).unwrap_or_else(|| ".".into()));
    let listener = TcpListener::bind("127.0.0.1:8000")?;
    println!(
        "Serving {} (naively) on http://127.0.0.1:8000/",
        root.display()
    );
    // ANCHOR: naive
    serve(listener, move |request| {
        let target = request.head.target.split('?').next().unwrap_or("/");
        let decoded = percent_decode_str(target).decode_utf8_lossy();
        let file = root.join(decoded.trim_start_matches('/')); // the whole "security"
        match fs::read(&file) {
            Ok(bytes) => Response::new(Status::OK)
                .with_header("Content-Type", "application/octet-stream")
                .with_body(bytes),
            Err(_) => Response::error_page(Status::NOT_FOUND, "Not found."),
        }
    });
    // ANCHOR_END: naive
    Ok(())
}
