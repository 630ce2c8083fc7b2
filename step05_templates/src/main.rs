//! The guestbook, on step 3's server, behind its access log and validator.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use step03_wsgi_gateway::server::default_workers;
use step03_wsgi_gateway::{AccessLog, Config as ServerConfig, Server, Validate};
use step05_templates::{Config, app};

// ANCHOR: main
/// Serves the guestbook: GET / shows the messages and a form, POST
/// /messages adds one.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// The SQLite database file; made if it does not exist. The key that
    /// signs cookies is kept beside it, in the same name plus `.key`.
    /// [default: guestbook.db beside this crate]
    #[arg(long)]
    db: Option<PathBuf>,
    /// Development mode: templates reload when edited, and a template error
    /// shows its name, line and lines in the page.
    #[arg(long)]
    dev: bool,
    /// How many worker threads [default: two per CPU, at least 4]
    #[arg(long)]
    workers: Option<usize>,
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
    let db = args
        .db
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("guestbook.db"));
    let config = Config {
        dev: args.dev,
        ..Config::new(&db)
    };
    let app = AccessLog::new(Validate::new(app(&config)?));
    let (listener, _) = step02_http_reply::server::bind(&args.addr)?;
    let workers = args.workers.unwrap_or_else(default_workers).max(1);
    let server_config = ServerConfig {
        workers,
        ..ServerConfig::default()
    };
    let server = Server::new(listener, app, server_config)?;
    let mode = if args.dev {
        "; --dev: templates reload"
    } else {
        ""
    };
    println!(
        "Serving the guestbook on {} ({workers} workers{mode}; Ctrl-C stops)",
        server.url()
    );
    println!("Guestbook database: {}", db.display());
    server.serve_until_signalled()?;
    Ok(())
}
// ANCHOR_END: main
