//! The simplest server that speaks the gateway interface, in the spirit of
//! Python's `wsgiref.simple_server`: one connection at a time, one request
//! per connection, no threads. It is here to show that an application does
//! not care which server runs it: the same application runs unchanged on
//! this one and on [`Server`](crate::Server).

use std::net::TcpListener;
use std::time::Instant;

use step02_http_reply::Limits;
use step02_http_reply::server::{accepted, close_gracefully};

use crate::connection::{Connection, Progress};
use crate::exchange::{self, Exchange, error_page};
use crate::gateway::Application;

// ANCHOR: simple
/// Serves `listener` forever, one connection after another.
pub fn serve_one_at_a_time(listener: TcpListener, app: impl Application, limits: Limits) {
    for stream in accepted(&listener) {
        let (peer, local) = match (stream.peer_addr(), stream.local_addr()) {
            (Ok(peer), Ok(local)) => (peer, local),
            (Err(error), _) | (_, Err(error)) => {
                // The client left between connecting and being accepted.
                eprintln!("a connection closed before it was served: {error}");
                continue;
            }
        };
        let mut conn = Connection::new(stream, peer, local);
        // The same reading as the threaded server's, but waiting: read,
        // advance, repeat until the request is whole or its time is up.
        let progress = loop {
            let left = conn
                .deadline(&limits, limits.head_deadline)
                .saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Progress::Failed(conn.timed_out());
            }
            let _ = conn.stream().set_read_timeout(Some(left));
            match conn.read_and_advance(&limits) {
                Progress::NeedMore => continue,
                other => break other,
            }
        };
        match progress {
            Progress::Request(head, body) => {
                let exchange = Exchange {
                    head: &head,
                    body,
                    connection: &conn.vars,
                    keep_alive_allowed: &|| false,
                };
                exchange::run(&app, exchange, conn.stream());
            }
            Progress::Failed(error) => {
                eprintln!("{peer}: {error}");
                if let Some(status) = error.status() {
                    let _ = error_page(status, &error.to_string()).write_to(conn.stream(), false);
                }
            }
            Progress::NeedMore | Progress::Closed => {}
        }
        close_gracefully(conn.stream());
    }
}
// ANCHOR_END: simple
