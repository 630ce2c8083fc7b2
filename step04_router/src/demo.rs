//! The demo site `cargo run -p step04_router` serves: the Python tutorials'
//! two routes, `/index/` and `/login/`, grown into a small site with
//! parameters, a form, static files and its own error pages.
//!
//! Pages are built with `format!`, every value from the request escaped on
//! the way in. That is exactly as much care as it sounds, and step 5
//! replaces it with templates that escape by default.

use crate::error::{Error, RouteError};
use crate::request::{Request, has_control_characters};
use crate::response::Response;
use crate::router::{Router, default_error_page, get};
use crate::{Folder, Status, escape, html};

// ANCHOR: site
/// The demo's routes. `static_dir` is served below `/static/`.
pub fn site(static_dir: Folder) -> Result<Router, RouteError> {
    let mut router = Router::new();
    router
        .named("home", "/", get(home))?
        .named("index", "/index/", get(index))?
        .named("login", "/login/", get(login_form).post(login))?
        .named("hello", "/hello/{name}", get(hello))?
        .named("user", "/users/{id:int}", get(user))?
        .static_files("/static", static_dir)?
        .error_page(error_page);
    Ok(router)
}
// ANCHOR_END: site

// ANCHOR: handlers
/// `/hello/{name}`: a greeting. The name came from the URL, so it is
/// escaped: `/hello/<script>` shows the text `<script>`.
fn hello(request: &Request) -> Result<Response, Error> {
    let name = request.param("name")?;
    page(request, &format!("Hello, {name}"), "")
}

/// `/users/{id:int}`: the router has checked that `id` is a number that
/// fits in a `u64`.
fn user(request: &Request) -> Result<Response, Error> {
    let id: u64 = request.param_as("id")?;
    let body = format!("<p>This is the page of user number {id}.</p>\n");
    page(request, &format!("User {id}"), &body)
}
// ANCHOR_END: handlers

/// `/`: links to everything else, each built from its route's name.
fn home(request: &Request) -> Result<Response, Error> {
    let links = [
        (
            request.url_for("index", &[])?,
            "/index/, the first route of the Python tutorials",
        ),
        (request.url_for("login", &[])?, "/login/, a form"),
        (
            request.url_for("hello", &[("name", "Seven")])?,
            "/hello/Seven, a path parameter",
        ),
        (
            request.url_for("user", &[("id", "42")])?,
            "/users/42, a typed parameter",
        ),
        (
            request.url_for("static", &[("path", "style.css")])?,
            "/static/style.css, a file",
        ),
    ];
    let mut body = String::from("<p>A site on a router of our own. Try:</p>\n<ul>\n");
    for (href, text) in links {
        body.push_str(&format!(
            "<li><a href=\"{href}\">{}</a></li>\n",
            escape(text)
        ));
    }
    body.push_str("</ul>\n");
    page(request, "Step 4: a router", &body)
}

/// `/index/`: the first route of the Python tutorials.
fn index(request: &Request) -> Result<Response, Error> {
    let body = "<p>The first route of the Python tutorials, now one of many.</p>\n";
    page(request, "index", body)
}

// ANCHOR: login
/// `GET /login/`: the form.
fn login_form(request: &Request) -> Result<Response, Error> {
    page(request, "Log in", &login_form_html(request, "", None)?)
}

/// `POST /login/`: reads the field `user` and shows it back, escaped. An
/// empty name, or one with control characters, is `422`, with the form
/// again and the reason next to it.
fn login(request: &Request) -> Result<Response, Error> {
    let user = request.form()?.get("user").unwrap_or_default().trim();
    let problem = if user.is_empty() {
        Some("Please type a name.")
    } else if has_control_characters(user) {
        Some("A name cannot hold control characters.")
    } else {
        None
    };
    if let Some(problem) = problem {
        let form = login_form_html(request, user, Some(problem))?;
        let response = page(request, "Log in", &form)?;
        return Ok(response.with_status(Status::UNPROCESSABLE_CONTENT));
    }
    let body = format!("<p>Welcome, <strong>{}</strong>.</p>\n", escape(user));
    page(request, "Logged in", &body)
}

fn login_form_html(request: &Request, typed: &str, problem: Option<&str>) -> Result<String, Error> {
    let action = request.url_for("login", &[])?;
    let problem = problem.map_or(String::new(), |why| {
        format!("<p class=\"error\" id=\"user-error\">{}</p>\n", escape(why))
    });
    Ok(format!(
        "<form method=\"post\" action=\"{action}\">\n\
         <label for=\"user\">Your name</label>\n\
         <input id=\"user\" name=\"user\" value=\"{}\" autocomplete=\"username\" \
         aria-describedby=\"user-error\">\n{problem}\
         <button type=\"submit\">Log in</button>\n</form>\n",
        escape(typed)
    ))
}
// ANCHOR_END: login

// ANCHOR: page
/// A whole HTML document around `body`: step 2's page skeleton, with the
/// stylesheet and a link home. `title` is text (escaped there); `body` is
/// HTML whose every value from the request was escaped by whoever built it.
fn page(request: &Request, title: &str, body: &str) -> Result<Response, Error> {
    let home = request.url_for("home", &[])?;
    let style = request.url_for("static", &[("path", "style.css")])?;
    let icon = request.url_for("static", &[("path", "favicon.svg")])?;
    let head = format!(
        "<link rel=\"stylesheet\" href=\"{style}\">\n<link rel=\"icon\" href=\"{icon}\">\n"
    );
    let mut page = html::page_start(title, &head);
    page.push_str(&format!(
        "<header><a href=\"{home}\">step04_router</a></header>\n\
         <main>\n<h1>{}</h1>\n{body}</main>\n",
        escape(title)
    ));
    page.push_str(html::PAGE_END);
    Ok(Response::html(page))
}
// ANCHOR_END: page

/// Error pages in the site's own look, with a way home.
fn error_page(request: &Request, error: &Error) -> Response {
    let home = request.url_for("home", &[]).unwrap_or_else(|_| "/".into());
    let body = format!(
        "<p>{}</p>\n<p><a href=\"{home}\">Back to the start</a></p>\n",
        escape(error.message())
    );
    let title = error.status().to_string();
    page(request, &title, &body).unwrap_or_else(|_| default_error_page(request, error))
}
