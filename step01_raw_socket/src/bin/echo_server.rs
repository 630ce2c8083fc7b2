//! A TCP echo server: sends back every byte it receives, until the client
//! closes. One client at a time.
//!
//! ```text
//! $ cargo run -p step01_raw_socket --bin echo_server
//! Echo server listening on 127.0.0.1:8001
//! 127.0.0.1:51234: echoed 5 bytes
//! ```

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// How long the server waits for a quiet client before hanging up. While one
/// client is connected nobody else is served, so an idle client must not be
/// able to keep the server forever; a minute leaves time to type.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Echoes back whatever each client sends, until it closes.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8001")]
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

/// Serves one client after another, forever.
fn run(addr: &str) -> io::Result<()> {
    let (listener, local) = step01_raw_socket::bind(addr)?;
    println!("Echo server listening on {local}");
    for stream in step01_raw_socket::accepted(&listener) {
        let Ok(peer) = stream.peer_addr() else {
            continue; // the client left before it was served
        };
        match echo(stream) {
            Ok(total) => println!("{peer}: echoed {total} bytes"),
            Err(error) => eprintln!("{peer}: {error}"),
        }
    }
    Ok(())
}

// ANCHOR: echo
/// Sends back everything `stream` receives; returns the byte count once the
/// client closes its side.
fn echo(mut stream: TcpStream) -> io::Result<u64> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let mut buf = [0u8; 2048];
    let mut total = 0;
    loop {
        let n = match stream.read(&mut buf) {
            // 0 bytes means the client closed its side: the conversation is over.
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // write_all loops until every byte is in the kernel's send buffer; a
        // single write() may accept only part of them.
        stream.write_all(&buf[..n])?;
        total += n as u64;
    }
}
// ANCHOR_END: echo
