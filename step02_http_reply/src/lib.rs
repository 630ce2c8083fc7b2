//! # Step 2: real HTTP on the socket
//!
//! **What this step adds.** Step 1 wrote bytes by hand and answered every
//! request the same way. Here a request is *read and parsed*: the head with
//! `httparse` (a partial head means "read more", not an error), the body by
//! its `Content-Length`, each under a named limit. A response is a *value*
//! ([`Response`]) written to any `impl Write`. Every way a request can be
//! wrong maps to one status code in one place ([`Error::status`]). On top of
//! that, two handlers: a one-page [`Site`] serving `index.html`, and
//! [`Folder`], a folder server like `python -m http.server` that no request
//! can trick into reading outside its folder.
//!
//! **What it leaves out on purpose.** One request per connection
//! (`Connection: close`); step 3 keeps connections open. A thread per
//! connection, capped; step 3 uses a fixed pool of workers. Chunked request
//! bodies are refused with `501`; step 3 decodes them. A handler is a plain
//! closure; step 3 turns it into a standard interface, WSGI-style.
//!
//! **How to run it.**
//!
//! ```text
//! $ cargo run -p step02_http_reply
//! Serving step02_http_reply/index.html on http://127.0.0.1:8000/
//! $ cargo run -p step02_http_reply -- --dir some/folder
//! Serving the folder /home/you/some/folder on http://127.0.0.1:8000/
//! ```

// Nothing that comes from the network or the disk is unwrapped: a bad client
// or a missing file must never crash the server. (Tests may unwrap.)
#![warn(clippy::unwrap_used)]

pub mod error;
pub mod files;
pub mod html;
pub mod request;
pub mod response;
pub mod server;
pub mod site;

pub use error::Error;
pub use files::Folder;
pub use request::{Head, Limits, Request, RequestReader};
pub use response::{Body, Response, Status};
pub use server::{serve, serve_with};
pub use site::Site;
