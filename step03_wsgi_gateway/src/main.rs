//! The step 3 demo: the demo application, behind the access log and the
//! validator, on the threaded server (or, with `--simple`, on the
//! one-connection-at-a-time server).

use std::io;
use std::process::ExitCode;

use clap::Parser;
use step02_http_reply::Limits;
use step03_wsgi_gateway::demo::demo;
use step03_wsgi_gateway::{AccessLog, ServerArgs, Validate, serve_one_at_a_time};

// ANCHOR: main
/// Serves the step 3 demo application: /, /environ and /form.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
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
    // Middleware wrap the application; the server sees only the outermost.
    let app = AccessLog::new(Validate::new(demo));
    if args.simple {
        let (listener, local) = step02_http_reply::server::bind(&args.server.addr)?;
        println!("Serving HTTP on http://{local}/ (one connection at a time)");
        serve_one_at_a_time(listener, app, Limits::default());
        return Ok(());
    }
    let server = args.server.server(app)?;
    println!(
        "Serving HTTP on {} ({}; Ctrl-C stops)",
        server.url(),
        server.config()
    );
    server.serve_until_signalled()
}
// ANCHOR_END: main
