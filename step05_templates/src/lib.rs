//! # Step 5: templates, and an MVC guestbook on SQLite
//!
//! **What this step adds.** The Python tutorials close with templates
//! ("搭配模板才更美": templates make it beautiful) and the promise of a
//! framework that handles MVC. Here is a small real application that keeps
//! it: a guestbook. The *model* ([`model`]) keeps the messages in SQLite,
//! with parameterised SQL only and a schema migrated at start-up, safe to
//! write from every worker thread at once. The *views* ([`templates`]) are
//! minijinja templates in files, with a layout, blocks and a form macro,
//! HTML-escaped whatever their names, strict about undefined names, and
//! reloaded on edit with `--dev`; one helper renders a template as a page
//! with what every page needs (links by route name, the CSRF field, flash
//! messages). The *controllers* ([`guestbook`]) are step 4 handlers on the
//! guestbook's state: they validate forms (`422` with the form again),
//! answer a post with `303` and a flash message (post/redirect/get), and
//! leave forged forms to step 4's CSRF tokens and origin check (`403`).
//!
//! **What it leaves out on purpose.** Accounts and logins; editing or
//! deleting messages; a database server (the chapter says how the model
//! would move to PostgreSQL, and what would not change); sending mail;
//! spam filtering.
//!
//! **How to run it.**
//!
//! ```text
//! $ cargo run -p step05_templates
//! Serving the guestbook on http://127.0.0.1:8000/ (4 workers, up to 19952 connections; Ctrl-C stops)
//! Guestbook database: /home/you/raw-socket/step05_templates/guestbook.db
//! ```

// Nothing that comes from the network or the disk is unwrapped: a bad client
// or a broken file must never crash the server. (Tests may unwrap.)
#![warn(clippy::unwrap_used)]

pub mod guestbook;
pub mod model;
pub mod templates;

pub use guestbook::{Config, app};
