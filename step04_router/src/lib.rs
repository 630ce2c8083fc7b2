//! # Step 4: a web framework of your own
//!
//! **What this step adds.** The Python tutorials end with a table of `(path, handler)`
//! pairs scanned in a loop. Here that table grows into a framework: a
//! [`Request`] to read (method, path parameters, query, headers, cookies,
//! the body as a form), a [`Response`] to return (HTML, text, JSON,
//! redirects, cookies), handlers that are plain functions returning
//! `Result<Response, Error>` so that `?` works, and a [`Router`]: patterns
//! with `{name}`, `{id:int}` and `{*path}`, matched by the most specific
//! route first, `404` and `405` with `Allow`, `HEAD` and `OPTIONS`, a `308`
//! for a missing trailing slash, URLs built from route names, applications
//! mounted below a prefix, and static files. The router *is* an
//! application: step 3's server and middleware run it unchanged.
//!
//! **What it leaves out on purpose.** Templates and a database (step 5).
//! Macros, extractors and async handlers: a handler is a plain function
//! that takes a `&Request`, and the chapter ends by showing how axum's
//! extractors draw the same lines. Routes are fixed once the server runs.
//!
//! **How to run it.**
//!
//! ```text
//! $ cargo run -p step04_router
//! Serving the step 4 demo on http://127.0.0.1:8000/ (4 workers, up to 19952 connections; Ctrl-C stops)
//! ```

// Nothing that comes from the network is unwrapped: a bad client must never
// crash the server. (Tests may unwrap.)
#![warn(clippy::unwrap_used)]

mod bytes;
pub mod csrf;
pub mod demo;
pub mod error;
mod fast_search;
pub mod files;
pub mod github;
pub mod keys;
pub mod linear;
pub mod params;
pub mod path;
pub mod pattern;
pub mod request;
pub mod response;
pub mod router;
pub mod security;
pub mod testing;
pub mod tree;
pub mod url;

pub use csrf::CSRF_FIELD;
pub use error::{Error, RouteError, StartError, UrlError};
pub use keys::Keys;
pub use pattern::{Converter, Pattern};
pub use request::{Form, Request, has_control_characters};
pub use response::Response;
pub use router::{Endpoint, Router, get, on, post};
pub use url::Urls;

// What applications use most, from the steps below, so that an application
// needs no other framework crate.
pub use step02_http_reply::html::{self, escape};
pub use step02_http_reply::{Folder, Status};
pub use step03_wsgi_gateway::{Application, Body};
