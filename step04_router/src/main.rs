//! The step 4 demo site, on step 3's server, behind its access log and
//! validator.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use step02_http_reply::Folder;
use step03_wsgi_gateway::{AccessLog, ServerArgs, Validate};
use step04_router::demo::site;

// ANCHOR: main
/// Serves the step 4 demo site: /, /index/, /login/, /hello/{name},
/// /users/{id:int} and /static/.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
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
    let server = args.server.server(app)?;
    println!(
        "Serving the step 4 demo on {} ({}; Ctrl-C stops)",
        server.url(),
        server.config()
    );
    server.serve_until_signalled()?;
    Ok(())
}
// ANCHOR_END: main
