//! The first server design, and the one this step moves away from: the
//! thread pool of `pool.rs`, where each job is a whole *connection*,
//! served until the client closes it. The Rust Book's web server uses its
//! pool this way.
//!
//! It works, and it is short. But every idle keep-alive connection and
//! every slow client holds a worker while it waits, so a handful of them
//! starve everybody else. `cargo xtask bench` measures that, and
//! [`Server`](crate::Server) is the answer. Run it to see for yourself:
//!
//! ```text
//! $ cargo run -p step03_wsgi_gateway --example worker_per_connection
//! ```

use std::net::TcpListener;
use std::sync::Arc;

use step02_http_reply::Limits;
use step02_http_reply::server::accepted;

use crate::connection::{Connection, Progress};
use crate::exchange::{self, Exchange, KeepAlive};
use crate::gateway::Application;
use crate::pool::ThreadPool;

// ANCHOR: per_connection
/// Serves `listener` forever with `workers` threads, each of which takes a
/// connection and serves it, request after request, until the client
/// closes it.
pub fn serve_worker_per_connection(listener: TcpListener, app: impl Application, workers: usize) {
    let app: Arc<dyn Application> = Arc::new(app);
    let pool = ThreadPool::new(workers);
    for stream in accepted(&listener) {
        let app = Arc::clone(&app);
        pool.execute(move || {
            let (Ok(peer), Ok(local)) = (stream.peer_addr(), stream.local_addr()) else {
                return; // the client is gone already
            };
            serve_connection(Connection::new(stream, peer, local), &*app);
        });
    }
}

/// One worker, one connection, until the client closes it: while the
/// client is idle or slow, this worker waits with it and serves nobody else.
fn serve_connection(mut conn: Connection, app: &dyn Application) {
    let limits = Limits::default();
    loop {
        match conn.read_and_advance(&limits) {
            Progress::NeedMore => continue, // read again: wait for the client
            Progress::Request(head, body) => {
                let exchange = Exchange {
                    head: &head,
                    body,
                    connection: &conn.vars,
                    keep_alive_allowed: &|| true,
                };
                if exchange::run(app, exchange, conn.stream()) == KeepAlive::No {
                    return;
                }
            }
            Progress::Closed | Progress::Failed(_) => return,
        }
    }
}
// ANCHOR_END: per_connection
