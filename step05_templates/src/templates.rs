//! The view: templates, in files, rendered by minijinja.
//!
//! One [`Environment`] is built when the program starts and shared by every
//! worker thread. With `--dev`, it is built again whenever a template file
//! has changed since, so an edit shows on the next reload of the page.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, path_loader};
use minijinja_autoreload::AutoReloader;

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
    // A variable the view does not have is a mistake to hear about, not an
    // empty string: `{{ mesage.body }}` fails instead of showing nothing.
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
    /// The templates in `dir`. Without `dev`, every one of them is compiled
    /// now, so a syntax error stops the program at start, not a visitor
    /// later.
    pub fn load(dir: &Path, dev: bool) -> Result<Templates, minijinja::Error> {
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
        for name in template_names(dir) {
            env.get_template(&name)?;
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

/// The names of the template files in `dir`, as the loader knows them.
fn template_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// The newest modification time among the files of `dir`, and how many
/// there are (so that a deleted file counts as a change too).
fn last_change(dir: &Path) -> (Option<SystemTime>, usize) {
    let files: Vec<PathBuf> = template_names(dir).iter().map(|n| dir.join(n)).collect();
    let newest = files
        .iter()
        .filter_map(|file| fs::metadata(file).and_then(|m| m.modified()).ok())
        .max();
    (newest, files.len())
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

    /// A variable the template does not get is an error.
    #[test]
    fn undefined_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("t.html"), "{{ mesage.body }}").unwrap();
        let templates = Templates::load(dir.path(), false).unwrap();
        let error = templates
            .render("t.html", minijinja::context! { message => "x" })
            .unwrap_err();
        assert_eq!(error.kind(), minijinja::ErrorKind::UndefinedError);
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
}
