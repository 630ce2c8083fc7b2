//! The step 2 server: `index.html` by default, or a whole folder with
//! `--dir`. The logic is in the library; this file reads the flags, binds,
//! prints the URL and serves.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use step02_http_reply::{Folder, Site, serve, server};

// ANCHOR: main
/// Serves index.html, or with --dir a whole folder, over real HTTP.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// Serve the files in this folder, like `python -m http.server`.
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
}

/// The page shown without --dir. It is found through the crate's own folder,
/// so the command works from anywhere in the workspace.
const INDEX_HTML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/index.html");

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
    let (listener, local) = server::bind(&args.addr)?;
    let url = format!("http://{local}/");
    match args.dir {
        Some(dir) => {
            let folder = Folder::new(&dir).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot serve {}: {e}", dir.display()))
            })?;
            println!("Serving the folder {} on {url}", folder.root().display());
            serve(listener, move |request| folder.respond(request));
        }
        None => {
            println!("Serving {INDEX_HTML} on {url}");
            let site = Site::new(INDEX_HTML);
            serve(listener, move |request| site.respond(request));
        }
    }
    Ok(())
}
// ANCHOR_END: main
