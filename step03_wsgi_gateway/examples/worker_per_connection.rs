//! The design step 3 avoids, kept for comparison: the same worker pool, but
//! each worker takes a whole *connection* and serves it until the client
//! closes it. The Rust Book's web server uses its pool this way. Every idle
//! keep-alive connection and every slow client holds a worker, so a handful
//! of them starve everybody else. `cargo xtask bench` measures it.
//!
//! ```text
//! $ cargo run -p step03_wsgi_gateway --example worker_per_connection
//! ```

use std::io;
use std::net::TcpStream;
use std::sync::Arc;

use clap::Parser;
use step02_http_reply::Limits;
use step03_wsgi_gateway::connection::{Connection, Progress};
use step03_wsgi_gateway::pool::{Queue, spawn_workers};
use step03_wsgi_gateway::respond::{Exchange, Persist, respond};
use step03_wsgi_gateway::{Body, Environ, StartResponse};

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
    let queue = Arc::new(Queue::new());
    let _workers = spawn_workers(args.workers, &queue, serve_connection);
    for stream in listener.incoming().flatten() {
        queue.push_all([stream]);
    }
    Ok(())
}

// ANCHOR: per_connection
/// One worker, one connection, until the client closes it: while the
/// client is idle or slow, this worker waits with it and serves nobody else.
fn serve_connection(stream: TcpStream) {
    let (Ok(peer), Ok(local)) = (stream.peer_addr(), stream.local_addr()) else {
        return;
    };
    let mut conn = Connection::new(stream, peer, local);
    let limits = Limits::default();
    loop {
        match conn.read_and_advance(&limits) {
            Progress::NeedMore => continue, // read again: wait for the client
            Progress::Request(head, body) => {
                let exchange = Exchange {
                    head: &head,
                    body,
                    local,
                    peer,
                    keep_open: &|| true,
                };
                if respond(&hello, exchange, conn.stream()) == Persist::Close {
                    return;
                }
            }
            Progress::Closed | Progress::Failed(_) => return,
        }
    }
}
// ANCHOR_END: per_connection
