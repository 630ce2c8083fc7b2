//! The controllers: the guestbook's two routes, which read the request,
//! ask the model, and hand what it gave to a view.
//!
//! ```text
//! GET  /           the form, and the messages, newest first, 20 a page
//! POST /messages   a new message: 303 to /, or 422 and the form again
//! ```

use std::path::PathBuf;

use minijinja::{Value, context};
use step04_router::{
    Error, Folder, Keys, Request, Response, Router, StartError, Status, get,
    has_control_characters, html, post,
};

use crate::model::{Message, Messages, Page};
use crate::templates::Templates;

// ANCHOR: limits
/// Messages on a page.
pub const PER_PAGE: u32 = 20;
/// The longest name, in characters (not bytes: `七` is one).
pub const MAX_NAME_CHARS: usize = 80;
/// The longest message, in characters. Its 2,000 Chinese characters are
/// 18,000 bytes once a browser has encoded them, well within the form limit
/// of 64 KiB (step 4), which answers `413` above it.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// What a message without a name is signed.
pub const ANONYMOUS: &str = "Anonymous";
/// The environment variable that may hold the key that signs cookies: 128
/// hex digits. Without it, a key is made once and kept beside the database.
pub const KEY_VARIABLE: &str = "GUESTBOOK_SECRET_KEY";
// ANCHOR_END: limits

// ANCHOR: config
/// Where the guestbook keeps what it needs.
pub struct Config {
    /// The SQLite database file.
    pub db: PathBuf,
    /// The folder of templates.
    pub templates: PathBuf,
    /// The folder served below `/static/`.
    pub static_dir: PathBuf,
    /// Whether templates reload when edited, and template errors show in
    /// detail (`--dev`).
    pub dev: bool,
}

impl Config {
    /// The guestbook's own templates and static files (beside the crate),
    /// with the database `db`.
    pub fn new(db: impl Into<PathBuf>) -> Config {
        let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        Config {
            db: db.into(),
            templates: crate_dir.join("templates"),
            static_dir: crate_dir.join("static"),
            dev: false,
        }
    }

    /// The file that keeps the key that signs cookies: beside the
    /// database, `guestbook.db.key` for `guestbook.db`.
    pub fn key_file(&self) -> PathBuf {
        let mut name = self.db.clone().into_os_string();
        name.push(".key");
        PathBuf::from(name)
    }
}
// ANCHOR_END: config

// ANCHOR: guestbook
/// What every handler reads: the model and the views.
pub struct Guestbook {
    /// The model.
    pub messages: Messages,
    /// The views.
    pub templates: Templates,
}

/// The guestbook, as a router: an application for step 3's server.
pub fn app(config: &Config) -> Result<Router<Guestbook>, StartError> {
    let guestbook = Guestbook {
        messages: Messages::open(&config.db)?,
        templates: Templates::load(&config.templates, config.dev)?,
    };
    let static_files = Folder::new(&config.static_dir)
        .map_err(|e| format!("cannot serve {}: {e}", config.static_dir.display()))?;
    let mut router = Router::with_state(guestbook);
    router
        .keys(Keys::load(KEY_VARIABLE, &config.key_file())?)
        .csrf_tokens()
        .named("index", "/", get(index))?
        .named("messages", "/messages", post(create))?
        .static_files("/static", static_files)?
        .error_page(error_page);
    Ok(router)
}
// ANCHOR_END: guestbook

// ANCHOR: index
/// `GET /`: the form, and a page of messages.
fn index(request: &Request<Guestbook>) -> Result<Response, Error> {
    let guestbook = request.state();
    let page = page_number(request)?;
    let shown = guestbook.messages.page(page, PER_PAGE)?;
    if shown.messages.is_empty() && page > 1 {
        return Err(Error::new(Status::NOT_FOUND, "There is no such page."));
    }
    let view = index_view(page, &shown, ("", ""), (None, None));
    guestbook.templates.render_page(request, "index.html", view)
}
// ANCHOR_END: index

// ANCHOR: create
/// `POST /messages`: a valid message (else `422`, and the form again as it
/// was typed) is stored, and the answer is `303 See Other` to `/`, with a
/// thank-you waiting there. (The router has checked the CSRF token.)
fn create(request: &Request<Guestbook>) -> Result<Response, Error> {
    let guestbook = request.state();
    let form = request.form()?;
    let name = form.get("name").unwrap_or_default().trim();
    let message = form.get("message").unwrap_or_default().trim();
    let problems = validate(name, message);
    if problems != (None, None) {
        let shown = guestbook.messages.page(1, PER_PAGE)?;
        let view = index_view(1, &shown, (name, message), problems);
        let page = guestbook
            .templates
            .render_page(request, "index.html", view)?;
        return Ok(page.with_status(Status::UNPROCESSABLE_CONTENT));
    }
    let name = if name.is_empty() { ANONYMOUS } else { name };
    guestbook.messages.add(name, message)?;
    request.flash("Thank you for your message!")?;
    let home = request.url_for("index", &[])?;
    Ok(Response::redirect(Status::SEE_OTHER, home))
}

/// What is wrong with a name and a message, each beside its field.
pub fn validate(name: &str, message: &str) -> Problems {
    let unprintable = |field: &str| format!("{field} cannot hold control characters.");
    let name_problem = if has_control_characters(name) {
        Some(unprintable("A name"))
    } else {
        (name.chars().count() > MAX_NAME_CHARS)
            .then(|| format!("A name can be at most {MAX_NAME_CHARS} characters long."))
    };
    let length = message.chars().count();
    let message_problem = if length == 0 {
        Some("Please write a message.".to_string())
    } else if has_control_characters(message) {
        Some(unprintable("A message"))
    } else if length > MAX_MESSAGE_CHARS {
        Some(format!(
            "A message can be at most {MAX_MESSAGE_CHARS} characters long; this one has {length}."
        ))
    } else {
        None
    };
    (name_problem, message_problem)
}
// ANCHOR_END: create

/// What is wrong with what was typed into the form: the name, the message.
pub type Problems = (Option<String>, Option<String>);

// ANCHOR: index_view
/// The home page's view: page `page` of the messages, and the form with
/// what was `typed` into it (name, message), the `problems` to show beside
/// each field, and the limits it tells the browser.
pub fn index_view(page: u32, shown: &Page, typed: (&str, &str), problems: Problems) -> Value {
    context! {
        page,
        messages => shown.messages.iter().map(message_view).collect::<Vec<Value>>(),
        has_older => shown.has_older,
        form => context! { name => typed.0, message => typed.1 },
        errors => context! { name => problems.0, message => problems.1 },
        limits => context! { name => MAX_NAME_CHARS, message => MAX_MESSAGE_CHARS },
    }
}
// ANCHOR_END: index_view

/// A message, as the view sees it.
fn message_view(message: &Message) -> Value {
    context! {
        id => message.id,
        name => message.name,
        body => message.body,
        created => message.created,
    }
}

// ANCHOR: page_number
/// `?page=N`: absent is 1; not a number is `400`; 0, or beyond what a `u32`
/// holds, is a page that does not exist: `404`.
fn page_number(request: &Request<Guestbook>) -> Result<u32, Error> {
    let Some(page) = request.query()?.get("page") else {
        return Ok(1);
    };
    if page.is_empty() || !page.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::bad_request("A page is a number, such as ?page=2."));
    }
    match page.parse::<u32>() {
        Ok(page) if page > 0 => Ok(page),
        _ => Err(Error::new(Status::NOT_FOUND, "There is no such page.")),
    }
}
// ANCHOR_END: page_number

// ANCHOR: error_page
/// Error pages in the guestbook's layout. With `--dev`, a template error
/// shows the template's name, the line and the lines around it; without,
/// the visitor reads only that something failed (the router logs the cause
/// on one line).
fn error_page(request: &Request<Guestbook>, error: &Error) -> Response {
    let templates = &request.state().templates;
    let template_error = error
        .cause()
        .and_then(|cause| cause.downcast_ref::<minijinja::Error>());
    if let (true, Some(template_error)) = (templates.is_dev(), template_error) {
        return dev_template_error(template_error);
    }
    let view = context! { status => error.status().to_string(), message => error.message() };
    templates
        .render_page(request, "error.html", view)
        // The layout itself is broken: step 2's plain page, which needs none.
        .unwrap_or_else(|_| step04_router::router::default_error_page(request, error))
}

/// The development page for a template error, made without templates, since
/// they are what failed. `{:#}` is minijinja's long form of the error: the
/// template's name, the line, and the lines around it.
fn dev_template_error(error: &minijinja::Error) -> Response {
    let name = error.name().unwrap_or("(unknown)");
    let line = error.line().map_or("?".to_string(), |n| n.to_string());
    let body = format!(
        "<h1>Template error in {}, line {line}</h1>\n<pre>{}</pre>\n\
         <p>This page shows only with <code>--dev</code>.</p>\n",
        html::escape(name),
        html::escape(&format!("{error:#}")),
    );
    Response::html(html::page(&format!("Template error in {name}"), &body))
}
// ANCHOR_END: error_page
