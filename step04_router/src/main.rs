//! The step 4 demo site, on step 3's server, behind its access log and
//! validator.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use step02_http_reply::Folder;
use step03_wsgi_gateway::server::default_workers;
use step03_wsgi_gateway::{AccessLog, Config, Server, Validate};
use step04_router::demo::site;

// ANCHOR: main
/// Serves the step 4 demo site: /, /index/, /login/, /hello/{name},
/// /users/{id:int} and /static/.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// How many worker threads [default: two per CPU, at least 4]
    #[arg(long)]
    workers: Option<usize>,
    /// The folder served below /static/ [default: step04_router/static]
    #[arg(long)]
    static_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let static_dir = args
        .static_dir
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static"));
    let folder = Folder::new(&static_dir)
        .map_err(|e| format!("cannot serve {}: {e}", static_dir.display()))?;
    // The router is an application like any other: step 3's middleware and
    // server run it as they are.
    let app = AccessLog::new(Validate::new(site(folder)?));
    let (listener, _) = step02_http_reply::server::bind(&args.addr)?;
    let workers = args.workers.unwrap_or_else(default_workers).max(1);
    let config = Config {
        workers,
        ..Config::default()
    };
    let server = Server::new(listener, app, config)?;
    println!(
        "Serving the step 4 demo on {} ({workers} workers; Ctrl-C stops)",
        server.url()
    );
    server.serve_until_signalled()?;
    Ok(())
}
// ANCHOR_END: main
