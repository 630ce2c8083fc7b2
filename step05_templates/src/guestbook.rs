//! The controllers: the guestbook's two routes, which read the request,
//! ask the model, and hand what it gave to a view.
//!
//! ```text
//! GET  /           the form, and the messages, newest first, 20 a page
//! POST /messages   a new message: 303 to /, or 422 and the form again
//! ```

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use cookie::Cookie;
use minijinja::value::Kwargs;
use minijinja::{Value, context};
use step02_http_reply::html::escape;
use step02_http_reply::{Folder, Status};
use step04_router::router::default_error_page;
use step04_router::{Error, Request, Response, RouteError, Router, Urls, get, post};

use crate::csrf::{self, CSRF_FIELD, KeyError, Keys};
use crate::model::{Message, Messages, ModelError, Page};
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
/// What the controllers share: the model, the views, the signing key.
pub struct Guestbook {
    /// The model.
    pub messages: Messages,
    /// The views.
    pub templates: Templates,
    /// What signs cookies.
    pub keys: Keys,
}

/// The guestbook, as a router: an application for step 3's server.
pub fn app(config: &Config) -> Result<Router, StartError> {
    let guestbook = Arc::new(Guestbook {
        messages: Messages::open(&config.db)?,
        templates: Templates::load(&config.templates, config.dev)?,
        keys: Keys::load(&config.key_file())?,
    });
    let folder = Folder::new(&config.static_dir)
        .map_err(|error| StartError::StaticFiles(config.static_dir.clone(), error))?;
    let (for_index, for_create, for_errors) =
        (Arc::clone(&guestbook), Arc::clone(&guestbook), guestbook);
    let mut router = Router::new();
    router
        .named("index", "/", get(move |request| index(&for_index, request)))?
        .named(
            "messages",
            "/messages",
            post(move |request| create(&for_create, request)),
        )?
        .static_files("/static", folder)?
        .error_page(move |request, error| error_page(&for_errors, request, error));
    Ok(router)
}
// ANCHOR_END: guestbook

// ANCHOR: index
/// `GET /`: the form, a flash message if one is waiting, and a page of
/// messages.
fn index(app: &Guestbook, request: &Request) -> Result<Response, Error> {
    let page = page_number(request)?;
    let shown = app.messages.page(page, PER_PAGE)?;
    if shown.messages.is_empty() && page > 1 {
        return Err(Error::new(Status::NOT_FOUND, "There is no such page."));
    }
    // A flash message is read once: shown now, and its cookie removed.
    let thanked = app
        .keys
        .verified(request, "flash")
        .is_some_and(|f| f == "thanks");
    let (token, new_token) = csrf::token(&app.keys, request)?;
    let flash = thanked.then_some("Thank you for your message!");
    let view = index_view(page, &shown, flash, ("", ""), (None, None));
    let mut response = Response::html(render(app, request, &token, "index.html", view)?);
    if let Some(cookie) = new_token {
        response = response.with_cookie(cookie);
    }
    if thanked {
        response = response.with_cookie(removal("flash", request)?);
    }
    Ok(response)
}
// ANCHOR_END: index

// ANCHOR: create
/// `POST /messages`: a form from our page (else `403`) with a valid
/// message (else `422`, and the form again as it was typed) is stored, and
/// the answer is `303 See Other` to `/`, with a flash message waiting.
fn create(app: &Guestbook, request: &Request) -> Result<Response, Error> {
    let form = request.form()?;
    let token = csrf::check(&app.keys, request, form.get(CSRF_FIELD))?;
    let name = form.get("name").unwrap_or_default().trim();
    let message = form.get("message").unwrap_or_default().trim();
    let problems = validate(name, message);
    if problems != (None, None) {
        let shown = app.messages.page(1, PER_PAGE)?;
        let view = index_view(1, &shown, None, (name, message), problems);
        let page = render(app, request, &token, "index.html", view)?;
        return Ok(Response::html(page).with_status(Status::UNPROCESSABLE_CONTENT));
    }
    let name = if name.is_empty() { ANONYMOUS } else { name };
    app.messages.add(name, message)?;
    let flash = app.keys.signed_cookie("flash", "thanks".into(), request)?;
    let home = request.url_for("index", &[])?;
    Ok(Response::redirect(Status::SEE_OTHER, home).with_cookie(flash))
}

/// What is wrong with a name and a message, each beside its field.
pub fn validate(name: &str, message: &str) -> Problems {
    let name_problem = (name.chars().count() > MAX_NAME_CHARS)
        .then(|| format!("A name can be at most {MAX_NAME_CHARS} characters long."));
    let length = message.chars().count();
    let message_problem = if length == 0 {
        Some("Please write a message.".to_string())
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

// ANCHOR: render
/// Renders a view with what every page needs.
fn render(
    app: &Guestbook,
    request: &Request,
    token: &str,
    name: &str,
    view: Value,
) -> Result<String, Error> {
    let context = page_context(request.urls(), token, view);
    Ok(app.templates.render(name, context)?)
}

/// A view's values, and the two functions every page may call: `url_for`,
/// to link to a route by its name (below the mount point, as the request
/// knows it), and `csrf_token`, for forms.
pub fn page_context(urls: Urls, token: &str, view: Value) -> Value {
    let url_for = Value::from_function(move |route: &str, params: Kwargs| {
        let mut pairs = Vec::new();
        for key in params.args() {
            let value: Value = params.get(key)?;
            pairs.push((key.to_string(), value.to_string()));
        }
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        urls.url_for(route, &pairs).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })
    });
    let token = token.to_string();
    let csrf_token = Value::from_function(move || token.clone());
    context! { url_for, csrf_token, ..view }
}
// ANCHOR_END: render

/// What is wrong with what was typed into the form: the name, the message.
pub type Problems = (Option<String>, Option<String>);

/// The home page's view: page `page` of the messages, a flash message if
/// one is waiting, and the form with what was `typed` into it (name,
/// message) and the `problems` to show beside each field.
pub fn index_view(
    page: u32,
    shown: &Page,
    flash: Option<&str>,
    typed: (&str, &str),
    problems: Problems,
) -> Value {
    context! {
        page,
        messages => shown.messages.iter().map(message_view).collect::<Vec<Value>>(),
        has_older => shown.has_older,
        flash,
        form => context! { name => typed.0, message => typed.1 },
        errors => context! { name => problems.0, message => problems.1 },
    }
}

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
fn page_number(request: &Request) -> Result<u32, Error> {
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

/// A cookie that removes the cookie `name` (set with the same path).
fn removal(name: &'static str, request: &Request) -> Result<Cookie<'static>, Error> {
    Ok(Cookie::build(name)
        .path(request.url_for("index", &[])?)
        .removal()
        .build())
}

// ANCHOR: error_page
/// Error pages in the guestbook's layout. With `--dev`, a template error
/// shows the template's name, the line and the lines around it; without,
/// the visitor reads only that something failed (the router logs the cause
/// on one line).
fn error_page(app: &Guestbook, request: &Request, error: &Error) -> Response {
    let template_error = error
        .cause()
        .and_then(|cause| cause.downcast_ref::<minijinja::Error>());
    if let (true, Some(template_error)) = (app.templates.is_dev(), template_error) {
        return dev_template_error(template_error);
    }
    let status = error.status().to_string();
    let view = context! { status => status, message => error.message() };
    // The error page has no form, so no token is needed.
    match render(app, request, "", "error.html", view) {
        Ok(page) => Response::html(page),
        // The layout itself is broken: step 2's plain page, which needs none.
        Err(_) => default_error_page(request, error),
    }
}

/// The development page for a template error, made without templates, since
/// they are what failed.
fn dev_template_error(error: &minijinja::Error) -> Response {
    let name = error.name().unwrap_or("(unknown)");
    let line = error
        .line()
        .map_or_else(|| "?".to_string(), |n| n.to_string());
    let details = format!("{error:#}");
    Response::html(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>Template error in {name}</title></head>\n<body>\n\
         <h1>Template error in {name}, line {line}</h1>\n<pre>{details}</pre>\n\
         <p>This page shows only with <code>--dev</code>.</p>\n</body>\n</html>\n",
        name = escape(name),
        details = escape(&details)
    ))
}
// ANCHOR_END: error_page

// ANCHOR: start_error
/// Why the guestbook cannot start.
#[derive(Debug)]
pub enum StartError {
    /// The database cannot be opened, or its schema brought up to date.
    Database(ModelError),
    /// A template does not compile.
    Templates(minijinja::Error),
    /// There is no key to sign cookies with.
    Key(KeyError),
    /// The folder of static files cannot be served.
    StaticFiles(PathBuf, io::Error),
    /// A route could not be added: a mistake in this program.
    Route(RouteError),
}
// ANCHOR_END: start_error

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Database(error) => write!(f, "{error}"),
            // `{:#}` adds the template's name, line and the lines around it.
            StartError::Templates(error) => write!(f, "template error: {error:#}"),
            StartError::Key(error) => write!(f, "{error}"),
            StartError::StaticFiles(dir, error) => {
                write!(f, "cannot serve {}: {error}", dir.display())
            }
            StartError::Route(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for StartError {}

impl From<ModelError> for StartError {
    fn from(error: ModelError) -> StartError {
        StartError::Database(error)
    }
}

impl From<minijinja::Error> for StartError {
    fn from(error: minijinja::Error) -> StartError {
        StartError::Templates(error)
    }
}

impl From<KeyError> for StartError {
    fn from(error: KeyError) -> StartError {
        StartError::Key(error)
    }
}

impl From<RouteError> for StartError {
    fn from(error: RouteError) -> StartError {
        StartError::Route(error)
    }
}
