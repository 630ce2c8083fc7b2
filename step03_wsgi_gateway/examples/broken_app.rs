//! An application that breaks the interface on purpose, one mistake per
//! path, to see what each looks like: with `Validate` around it (the
//! default), and without (`--no-validate`), where only the server's own
//! checks stand between the mistake and the client.
//!
//! ```text
//! $ cargo run -p step03_wsgi_gateway --example broken_app
//! $ curl -i http://127.0.0.1:8000/twice
//! ```

use std::io;

use clap::Parser;
use step03_wsgi_gateway::{
    AccessLog, Application, Body, Environ, StartResponse, Validate, make_server,
};

/// Serves an application with a mistake at every path.
#[derive(Parser)]
struct Args {
    /// Where to listen, as HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8000")]
    addr: String,
    /// Run the application without Validate around it.
    #[arg(long)]
    no_validate: bool,
}

// ANCHOR: broken
fn broken(environ: &mut Environ, start_response: &mut StartResponse) -> Body {
    let text = [("Content-Type", "text/plain")];
    match environ.path_info() {
        "/panic" => panic!("this application has a bug"),
        "/silent" => Body::from("start_response was never called"),
        "/twice" => {
            start_response.start("200 OK", text);
            start_response.start("404 Not Found", text);
            Body::from("which status?")
        }
        "/no-reason" => {
            start_response.start("200", text);
            Body::from("a status without a reason phrase")
        }
        "/no-type" => {
            start_response.start("200 OK", []);
            Body::from("what am I?")
        }
        "/split" => {
            start_response.start(
                "200 OK",
                [
                    ("Content-Type", "text/plain"),
                    ("X-Name", "a\r\nSet-Cookie: stolen=1"),
                ],
            );
            Body::from("a header that would split the response")
        }
        _ => {
            start_response.start("200 OK", [("Content-Type", "text/plain")]);
            Body::from("Try /panic, /silent, /twice, /no-reason, /no-type and /split.\n")
        }
    }
}
// ANCHOR_END: broken

fn main() -> io::Result<()> {
    let args = Args::parse();
    if args.no_validate {
        serve(&args.addr, broken)
    } else {
        serve(&args.addr, Validate::new(broken))
    }
}

fn serve(addr: &str, app: impl Application) -> io::Result<()> {
    let server = make_server(addr, AccessLog::new(app))?;
    println!("Serving a broken application on {}", server.url());
    server.serve_forever()
}
