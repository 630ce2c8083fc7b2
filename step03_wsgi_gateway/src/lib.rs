//! # Step 3: a gateway between server and application
//!
//! **What this step adds.** The split at the heart of Python's WSGI (PEP
//! 3333): a *server* that speaks HTTP, an *application* that makes
//! responses, and one small interface between them ([`gateway`]): an
//! application is anything callable as `app(environ, start_response)` that
//! returns a body. Then a server built for real traffic ([`Server`]): a fixed
//! set of worker threads, keep-alive and pipelining, chunked bodies both
//! ways, an idle timeout and a head deadline, panics turned into `500`, and
//! graceful shutdown on Ctrl-C and SIGTERM. Idle and slow clients cannot
//! starve it: waiting connections sit with a poller, not in a thread, and
//! the worker that watches them is whichever has nothing else to do. And
//! middleware ([`AccessLog`], [`Validate`]): applications that wrap
//! applications.
//!
//! **What it leaves out on purpose.** Routing (step 4 builds a router that
//! is itself an application) and templates (step 5). HTTPS (put a TLS proxy
//! in front). A request body is read whole before the application runs,
//! up to 1 MiB by default, like the Python server `waitress` does: a slow
//! upload then never holds a worker, but very large uploads need a
//! streaming design this step does not have.
//!
//! **How to run it.**
//!
//! ```text
//! $ cargo run -p step03_wsgi_gateway
//! Serving HTTP on http://127.0.0.1:8000/ (4 workers, up to 19952 connections; Ctrl-C stops)
//! ```
//!
//! This step's server needs a Unix system (Linux or macOS): it watches
//! sockets through their file descriptors. On Windows, use WSL.

// Nothing that comes from the network is unwrapped: a bad client must never
// crash the server. (Tests may unwrap.)
#![warn(clippy::unwrap_used)]

#[cfg(not(unix))]
compile_error!("step03's server needs a Unix system (Linux or macOS); on Windows, use WSL.");

// The interface a reader is meant to use: the gateway, the middleware, the
// servers. Step 4 and step 5 build on these and nothing else.
pub mod demo;
pub mod environ;
pub mod gateway;
pub mod log_writer;
pub mod middleware;
pub mod server;

// The server's insides, private: how a connection is read, how bodies are
// framed, how one exchange runs, the pools and queues.
mod connection;
mod exchange;
mod framing;
mod per_connection;
mod pool;
mod queue;
mod simple;

pub use exchange::SERVER;
pub use gateway::{
    Application, Body, Environ, Errors, Input, IntoHeaders, StartResponse, application_fn,
    collect_body, panic_message,
};
pub use middleware::{AccessLog, Validate};
pub use per_connection::serve_worker_per_connection;
pub use server::{Config, Server, ServerArgs, Shutdown, make_server};
pub use simple::serve_one_at_a_time;
