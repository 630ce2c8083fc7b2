//! The step 1 server: answers every connection with `Hello, Seven`.
//!
//! ```text
//! $ cargo run -p step01_raw_socket
//! Serving Hello, Seven on http://127.0.0.1:8000/
//! ```
//!
//! The logic lives in the library (`src/lib.rs`); this file only reads the
//! flags, binds the socket and prints where it listens.

use std::io;
use std::process::ExitCode;

use clap::Parser;

// ANCHOR: main
/// Answers every connection with an HTTP response whose body is "Hello, Seven".
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args.addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(addr: &str) -> io::Result<()> {
    let (listener, local) = step01_raw_socket::bind(addr)?;
    // The first line on stdout is the URL actually served. With port 0 that
    // is the only way to learn the port, and the tests rely on it.
    println!(
        "Serving Hello, Seven on {}",
        step01_raw_socket::url_for(local)
    );
    step01_raw_socket::serve(listener);
    Ok(())
}
// ANCHOR_END: main
