//! The first version everybody writes, and the one the Python tutorials show:
//! one read of at most 1024 bytes, a status line, the body, close.
//!
//! ```text
//! $ cargo run -p step01_raw_socket --example naive
//! ```
//!
//! It works for a short request and fails for a long one (step 1's "The
//! first version, and how it breaks"). The `unwrap`s are naive too: one
//! client that resets its connection takes the whole server down.

// On purpose: this is the version to fix. Clippy, as this workspace runs it,
// spots the short read (`unused_io_amount`: a `read` whose count is
// ignored), which is a good reason to run it. It says nothing about the
// `unwrap`s: their lint, `unwrap_used`, is off by default, and only the
// steps' libraries turn it on.
#![allow(clippy::unused_io_amount)]

// ANCHOR: naive
use std::io::{Read, Write};
use std::net::TcpListener;

fn main() {
    let listener = TcpListener::bind("127.0.0.1:8000").unwrap();
    println!("Serving (naively) on http://127.0.0.1:8000/");
    for stream in listener.incoming() {
        let mut stream = stream.unwrap();
        let mut buf = [0u8; 1024];
        stream.read(&mut buf).unwrap(); // one read: the rest of a long request stays unread
        stream.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        stream.write_all(b"Hello, Seven").unwrap();
    } // the stream is dropped here, which closes the connection
}
// ANCHOR_END: naive
