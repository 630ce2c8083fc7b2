//! The guestbook, on step 3's server, behind its access log and validator.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use step03_wsgi_gateway::{AccessLog, ServerArgs, Validate};
use step04_router::StartError;
use step05_templates::{Config, app};

// ANCHOR: main
/// Serves the guestbook: GET / shows the messages and a form, POST
/// /messages adds one.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// The SQLite database file; made if it does not exist. The key that
    /// signs cookies is kept beside it, in the same name plus `.key`.
    /// [default: guestbook.db beside this crate]
    #[arg(long)]
    db: Option<PathBuf>,
    /// The folder of templates [default: templates beside this crate]
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// The folder served below /static/ [default: static beside this crate]
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// Development mode: templates reload when edited, and a template error
    /// shows its name, line and lines in the page.
    #[arg(long)]
    dev: bool,
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

fn run(args: Args) -> Result<(), StartError> {
    let db = args
        .db
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("guestbook.db"));
    let defaults = Config::new(&db);
    let config = Config {
        templates: args.templates.unwrap_or(defaults.templates),
        static_dir: args.static_dir.unwrap_or(defaults.static_dir),
        dev: args.dev,
        ..defaults
    };
    let app = AccessLog::new(Validate::new(app(&config)?));
    let server = args.server.server(app)?;
    let mode = if args.dev {
        "; --dev: templates reload"
    } else {
        ""
    };
    println!(
        "Serving the guestbook on {} ({}{mode}; Ctrl-C stops)",
        server.url(),
        server.config()
    );
    println!("Guestbook database: {}", db.display());
    server.serve_until_signalled()?;
    Ok(())
}
// ANCHOR_END: main
