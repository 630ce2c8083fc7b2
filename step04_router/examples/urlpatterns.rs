//! The Python tutorials' framework, in Rust: a table of `(path, handler)` pairs,
//! scanned in order for the path of each request, on step 3's server. It
//! is here to be taken apart: the chapter shows each of its faults, and the
//! rest of this crate fixes them one by one.
//!
//! ```text
//! $ cargo run -p step04_router --example urlpatterns
//! Serving the Python tutorials' urlpatterns on http://127.0.0.1:8000/
//! $ curl -i http://127.0.0.1:8000/nothing-here
//! HTTP/1.1 200 OK
//! ...
//! 404 not found
//! ```

use std::io;

use clap::Parser;
use step03_wsgi_gateway::{AccessLog, Body, Environ, ServerArgs, StartResponse};

/// Serves /index/ and /login/, the Python tutorials' way.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

// ANCHOR: urlpatterns
fn index() -> String {
    "index".to_string()
}

fn login() -> String {
    "login".to_string()
}

/// A function that answers a path.
type Handler = fn() -> String;

/// The routes: a path, and the function that answers it.
const URLPATTERNS: [(&str, Handler); 2] = [("/index/", index), ("/login/", login)];

/// The application: the status first, then a search for the path.
fn run_server(environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    start_response.start("200 OK", [("Content-Type", "text/html")]);
    let url = environ.path_info();
    let mut func = None;
    for (path, handler) in URLPATTERNS {
        if path == url {
            func = Some(handler);
            break;
        }
    }
    match func {
        Some(func) => Body::from(func()),
        None => Body::from("404 not found"),
    }
}
// ANCHOR_END: urlpatterns

fn main() -> io::Result<()> {
    let server = Args::parse().server.server(AccessLog::new(run_server))?;
    println!(
        "Serving the Python tutorials' urlpatterns on {}",
        server.url()
    );
    server.serve_until_signalled()
}
