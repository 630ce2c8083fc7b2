//! The view: templates, in files, rendered by minijinja, and the helper
//! that renders one as a page for a request.
//!
//! One [`Environment`] is built when the program starts and shared by every
//! worker thread. With `--dev`, it is built again whenever a template file
//! has changed since, so an edit shows on the next reload of the page.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use minijinja::value::Kwargs;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context, path_loader};
use minijinja_autoreload::AutoReloader;
use step04_router::html::escape_to;
use step04_router::{CSRF_FIELD, Error, Request, Response, Urls, escape};

// ANCHOR: environment
/// The environment every template is rendered in.
pub fn environment(dir: &Path) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_loader(path_loader(dir));
    // Every template writes HTML, whatever its name. minijinja's default
    // escapes only for names ending in .html, .htm or .xml: a template named
    // `guestbook.j2`, or with no extension, would print `<script>` as it
    // came, and nothing would say so.
    env.set_auto_escape_callback(|_name| AutoEscape::Html);
    // Escaped by step 2's `escape`, which also turns control characters
    // (NUL among them) into U+FFFD: no page carries one, whatever a value
    // holds. Values marked safe (`csrf_field()`) are written as they are.
    env.set_formatter(|out, state, value| {
        if value.is_safe() || state.auto_escape() == AutoEscape::None {
            return minijinja::escape_formatter(out, state, value);
        }
        match value.as_str() {
            Some(text) => escape_to(out, text)?,
            None => escape_to(out, &value.to_string())?,
        }
        Ok(())
    });
    // A name the view does not have is a mistake to hear about. minijinja's
    // default already fails on an attribute of an undefined value
    // (`{{ mesage.body }}`), but prints `{{ mesage }}` as nothing and loops
    // over `{% for m in mesages %}` zero times. Strict makes those errors
    // too.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("utc", utc);
    env.add_filter("iso", iso);
    env
}
// ANCHOR_END: environment

// ANCHOR: templates
/// The templates of one folder.
pub struct Templates {
    source: Source,
}

enum Source {
    /// Built once; for production.
    Once(Environment<'static>),
    /// Built again after an edit; for development.
    Reloading(AutoReloader),
}

impl Templates {
    /// The templates in `dir` and its sub-folders. A folder that cannot be
    /// read stops the program now, not every page later. Without `dev`,
    /// every template is compiled now too, so a syntax error stops the
    /// program at start, not a visitor later.
    pub fn load(dir: &Path, dev: bool) -> Result<Templates, LoadError> {
        let names = template_names(dir).map_err(|e| LoadError::Folder(dir.to_path_buf(), e))?;
        if dev {
            let dir = dir.to_path_buf();
            let reloader = AutoReloader::new(move |notifier| {
                // The reloader asks this before each use: have the files
                // changed since the environment was built?
                let built_from = last_change(&dir);
                let watched = dir.clone();
                notifier.set_callback(move || last_change(&watched) != built_from);
                Ok(environment(&dir))
            });
            return Ok(Templates {
                source: Source::Reloading(reloader),
            });
        }
        let env = environment(dir);
        for name in names {
            env.get_template(&name).map_err(LoadError::Template)?;
        }
        Ok(Templates {
            source: Source::Once(env),
        })
    }

    /// Renders the template `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        match &self.source {
            Source::Once(env) => env.get_template(name)?.render(context),
            Source::Reloading(reloader) => {
                reloader.acquire_env()?.get_template(name)?.render(context)
            }
        }
    }

    /// Whether templates reload when edited (`--dev`).
    pub fn is_dev(&self) -> bool {
        matches!(self.source, Source::Reloading(_))
    }
}
// ANCHOR_END: templates

// ANCHOR: render_page
impl Templates {
    /// The template `name` rendered for `request` as an HTML page: `view`,
    /// and what every page may use ([`page_context`]).
    pub fn render_page<S>(
        &self,
        request: &Request<'_, S>,
        name: &str,
        view: Value,
    ) -> Result<Response, Error> {
        let context = page_context(request, view)?;
        Ok(Response::html(self.render(name, context)?))
    }
}

/// A view's values, and what every page may use:
///
/// - `url_for(name, param=value, ...)`, a link to a route by its name, below
///   the mount point as the request knows it;
/// - `csrf_field()`, the hidden field that carries the visitor's CSRF token
///   (and `csrf_token()`, the token alone, for a script), in an application
///   that requires tokens; each page that has them is sent `no-store`;
/// - `flashes`, the messages left by [`Request::flash`] for this page,
///   which the layout shows (and which are then gone).
pub fn page_context<S>(request: &Request<'_, S>, view: Value) -> Result<Value, Error> {
    let url_for = url_for_function(request.urls());
    let token = match request.requires_csrf_tokens() {
        true => Some(request.csrf_token()?.to_string()),
        false => None,
    };
    let field = token.as_ref().map(|token| {
        format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(CSRF_FIELD),
            escape(token)
        )
    });
    let csrf_token = Value::from_function(move || needs_tokens(token.clone()));
    let csrf_field =
        Value::from_function(move || needs_tokens(field.clone()).map(Value::from_safe_string));
    let flashes = request.flashed_messages();
    Ok(context! { url_for, csrf_token, csrf_field, flashes, ..view })
}

// ANCHOR_END: render_page

// ANCHOR: url_for_function
/// The value of `csrf_token()` or `csrf_field()`: an error if the
/// application does not require tokens, since the form would then carry
/// one that nothing checks.
fn needs_tokens(value: Option<String>) -> Result<String, minijinja::Error> {
    value.ok_or_else(|| {
        let why = "CSRF tokens are off: call Router::csrf_tokens to use them";
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, why)
    })
}

/// `url_for` for templates: minijinja passes the parameters as keyword
/// arguments (`url_for('index', page=2)`), which become the pairs that
/// [`Urls::url_for`] takes.
fn url_for_function(urls: Urls) -> Value {
    Value::from_function(move |route: &str, params: Kwargs| {
        let mut pairs = Vec::new();
        for key in params.args() {
            let value: Value = params.get(key)?;
            pairs.push((key, value.to_string()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        urls.url_for(route, &pairs).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })
    })
}
// ANCHOR_END: url_for_function

// ANCHOR: load_error
/// Why the templates cannot be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The folder of templates cannot be read.
    Folder(PathBuf, io::Error),
    /// A template does not compile.
    Template(minijinja::Error),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Folder(dir, error) => {
                write!(f, "cannot read the templates in {}: {error}", dir.display())
            }
            // `{:#}` is minijinja's long form: the template's name, the
            // line, and the lines around it.
            LoadError::Template(error) => write!(f, "template error: {error:#}"),
        }
    }
}

impl std::error::Error for LoadError {}
// ANCHOR_END: load_error

/// The names of the template files below `dir`, as the loader knows them
/// (`forms.html`, `parts/nav.html`), sorted.
fn template_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut folders = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue; // not UTF-8: no template can name it
            };
            let path = entry.path();
            if path.is_dir() {
                folders.push((path, format!("{prefix}{name}/")));
            } else if path.is_file() {
                names.push(format!("{prefix}{name}"));
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The newest modification time among the template files, and how many
/// there are (so that a deleted file counts as a change too).
fn last_change(dir: &Path) -> (Option<SystemTime>, usize) {
    let names = template_names(dir).unwrap_or_default();
    let newest = names
        .iter()
        .filter_map(|name| fs::metadata(dir.join(name)).and_then(|m| m.modified()).ok())
        .max();
    (newest, names.len())
}

/// `{{ message.created|utc }}`: seconds since 1970 as `2026-11-22 13:05 UTC`.
fn utc(seconds: i64) -> String {
    let (year, month, day, hour, minute, _) = civil(seconds);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// `{{ message.created|iso }}`: the same, as HTML's `<time datetime>` wants
/// it: `2026-11-22T13:05:09Z`.
fn iso(seconds: i64) -> String {
    let (year, month, day, hour, minute, second) = civil(seconds);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// The date and time in UTC of a count of seconds since 1970: year, month,
/// day, hour, minute, second. (The days-to-date arithmetic is Howard
/// Hinnant's `civil_from_days`, from his "chrono-Compatible Low-Level Date
/// Algorithms".)
fn civil(seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (in_day / 3600, in_day % 3600 / 60, in_day % 60);
    (year, month, day, hour as u32, minute as u32, second as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates come out as a calendar says, leap days and 1970 included.
    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso(1_795_352_709), "2026-11-22T13:05:09Z");
        assert_eq!(iso(-1), "1969-12-31T23:59:59Z");
    }

    /// Every template is escaped as HTML, whatever its name; minijinja's
    /// default would have left two of these three alone.
    #[test]
    fn every_name_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["page.html", "page.j2", "page"] {
            fs::write(dir.path().join(name), "{{ text }}").unwrap();
        }
        let templates = Templates::load(dir.path(), false).unwrap();
        for name in ["page.html", "page.j2", "page"] {
            let html = templates
                .render(name, minijinja::context! { text => "<script>" })
                .unwrap();
            assert_eq!(html, "&lt;script&gt;", "{name}");
        }
    }

    // ANCHOR: strict_test
    /// A name the template does not get is an error, even where minijinja's
    /// default would print nothing or loop zero times.
    #[test]
    fn undefined_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("print.html", "{{ mesage }}"),
            ("loop.html", "{% for m in mesages %}{{ m }}{% endfor %}"),
            ("attribute.html", "{{ mesage.body }}"),
        ] {
            fs::write(dir.path().join(name), text).unwrap();
        }
        let templates = Templates::load(dir.path(), false).unwrap();
        for name in ["print.html", "loop.html", "attribute.html"] {
            let error = templates
                .render(name, minijinja::context! { message => "x" })
                .unwrap_err();
            assert_eq!(error.kind(), minijinja::ErrorKind::UndefinedError, "{name}");
        }
    }
    // ANCHOR_END: strict_test

    /// A control character in a value is never written into a page.
    #[test]
    fn control_characters_never_reach_a_page() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("t.html"), "{{ text }}").unwrap();
        let templates = Templates::load(dir.path(), false).unwrap();
        let html = templates
            .render("t.html", minijinja::context! { text => "a\0b<" })
            .unwrap();
        assert_eq!(html, "a\u{fffd}b&lt;");
    }

    /// A folder of templates that is not there stops the start, and says
    /// which folder.
    #[test]
    fn a_missing_folder_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere");
        for dev in [false, true] {
            let Err(error) = Templates::load(&missing, dev) else {
                panic!("a missing folder loaded");
            };
            let text = error.to_string();
            assert!(
                text.contains("cannot read the templates in") && text.contains("nowhere"),
                "{text}"
            );
        }
    }

    /// A syntax error stops the start; in development, an edit shows at once.
    #[test]
    fn syntax_errors_at_start_and_reloading_in_development() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.html");
        fs::write(&file, "{% if %}").unwrap();
        assert!(Templates::load(dir.path(), false).is_err());

        fs::write(&file, "one").unwrap();
        let templates = Templates::load(dir.path(), true).unwrap();
        assert_eq!(templates.render("t.html", Value::UNDEFINED).unwrap(), "one");
        fs::write(&file, "two, longer").unwrap();
        // A filesystem may keep times to the second: make the change show.
        let later = SystemTime::now() + std::time::Duration::from_secs(2);
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(
            templates.render("t.html", Value::UNDEFINED).unwrap(),
            "two, longer"
        );
    }

    /// Templates in sub-folders load, and an edit to one reloads too.
    #[test]
    fn sub_folders_load_and_reload() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("parts")).unwrap();
        let part = dir.path().join("parts").join("p.html");
        fs::write(&part, "{% if %}").unwrap();
        assert!(
            Templates::load(dir.path(), false).is_err(),
            "not compiled at start"
        );
        fs::write(&part, "one").unwrap();
        fs::write(dir.path().join("t.html"), "{% include 'parts/p.html' %}").unwrap();
        let templates = Templates::load(dir.path(), true).unwrap();
        assert_eq!(templates.render("t.html", Value::UNDEFINED).unwrap(), "one");
        fs::write(&part, "two").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(2);
        fs::File::options()
            .write(true)
            .open(&part)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(templates.render("t.html", Value::UNDEFINED).unwrap(), "two");
    }
}
