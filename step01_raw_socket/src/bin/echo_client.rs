//! A TCP echo client: sends a message, reads until the same number of bytes
//! came back, prints them.
//!
//! ```text
//! $ cargo run -p step01_raw_socket --bin echo_client -- --addr 127.0.0.1:8001 can you hear me?
//! sent 16 bytes
//! received "can you hear me?"
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// How long to wait for the echo before giving up on the server.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends a message to an echo server and prints what comes back.
#[derive(Parser)]
struct Args {
    /// The echo server, as HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8001")]
    addr: String,
    /// The message to send (the words are joined with spaces).
    #[arg(default_value = "Hello")]
    message: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let message = args.message.join(" ");
    match run(&args.addr, message.as_bytes()) {
        Ok(reply) => {
            println!("received {:?}", String::from_utf8_lossy(&reply));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: client
/// Connects to `addr`, sends `message`, and returns the echo.
fn run(addr: &str, message: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
    stream.write_all(message)?;
    println!("sent {} bytes", message.len());

    // TCP is a stream of bytes, not of messages: the echo may arrive in
    // several pieces, so read until we have as many bytes as we sent.
    let mut reply = Vec::with_capacity(message.len());
    let mut buf = [0u8; 16];
    while reply.len() < message.len() {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "server closed after {} of {} bytes",
                    reply.len(),
                    message.len()
                ),
            ));
        }
        reply.extend_from_slice(&buf[..n]);
    }
    // Tell the server we are done; it sees end-of-stream and stops echoing.
    stream.shutdown(Shutdown::Write)?;
    Ok(reply)
}
// ANCHOR_END: client
