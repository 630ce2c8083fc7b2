//! The step 3 demo: the demo application, behind the access log and the
//! validator, on the threaded server (or, with `--simple`, on the
//! one-connection-at-a-time server).

use std::io;
use std::process::ExitCode;

use clap::Parser;
use step02_http_reply::Limits;
use step03_wsgi_gateway::demo::demo;
use step03_wsgi_gateway::server::default_workers;
use step03_wsgi_gateway::{AccessLog, Config, Server, Validate, serve_one_at_a_time};

// ANCHOR: main
/// Serves the step 3 demo application: /, /environ and /form.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// How many worker threads [default: two per CPU, at least 4]
    #[arg(long)]
    workers: Option<usize>,
    /// Use the one-connection-at-a-time server instead: the same application
    /// on a much simpler server.
    #[arg(long)]
    simple: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> io::Result<()> {
    let (listener, local) = step02_http_reply::server::bind(&args.addr)?;
    // Middleware wrap the application; the server sees only the outermost.
    let app = AccessLog::new(Validate::new(demo));
    if args.simple {
        println!("Serving HTTP on http://{local}/ (one connection at a time)");
        serve_one_at_a_time(listener, app, Limits::default());
        return Ok(());
    }
    let workers = args.workers.unwrap_or_else(default_workers).max(1);
    let server = Server::new(
        listener,
        app,
        Config {
            workers,
            ..Config::default()
        },
    )?;
    println!(
        "Serving HTTP on {} ({workers} workers; Ctrl-C stops)",
        server.url()
    );
    server.serve_until_signalled()
}
// ANCHOR_END: main
