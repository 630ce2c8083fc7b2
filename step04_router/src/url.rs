//! Reverse routing: from a route's name and its parameters to a URL, the
//! way Flask's `url_for` works. Links built this way follow the routes: move
//! a route, and every link to it moves too.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use percent_encoding::{AsciiSet, utf8_percent_encode};
use step02_http_reply::files::LINK;

use crate::error::UrlError;
use crate::pattern::{Pattern, Segment};

/// The named routes, cheap to clone and to share between threads: a
/// template engine can hold one (step 5 does).
#[derive(Clone, Debug, Default)]
pub struct Urls {
    named: Arc<HashMap<String, Arc<Pattern>>>,
    /// What every URL starts with: where the application is mounted,
    /// percent-encoded (empty at the root).
    prefix: String,
}

impl Urls {
    /// The same routes, for an application mounted at `script_name` (a
    /// decoded `SCRIPT_NAME`, such as `/app`): every URL starts with it.
    pub fn below(&self, script_name: &str) -> Urls {
        Urls {
            named: Arc::clone(&self.named),
            prefix: encode_path(script_name).into_owned(),
        }
    }

    /// Names a pattern; returns the pattern that has the name already.
    pub(crate) fn insert(&mut self, name: &str, pattern: Arc<Pattern>) -> Result<(), &Pattern> {
        match Arc::make_mut(&mut self.named).entry(name.to_string()) {
            Entry::Occupied(existing) => Err(existing.into_mut()),
            Entry::Vacant(slot) => {
                slot.insert(pattern);
                Ok(())
            }
        }
    }

    // ANCHOR: url_for
    /// The path of the route called `name`, with `params` in place:
    /// `url_for("hello", &[("name", "a/b c")])` is `/hello/a%2Fb%20c`.
    /// Every value is percent-encoded, so it comes back whole when the path
    /// is matched. Parameters the pattern does not have go in the query
    /// string: `url_for("index", &[("page", "2")])` is `/?page=2`. Below a
    /// mount point ([`Urls::below`]), every URL starts with it.
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, UrlError> {
        let pattern = self
            .named
            .get(name)
            .ok_or_else(|| UrlError::NoSuchRoute(name.to_string()))?;
        let value_of = |param: &str| {
            let found = params.iter().find(|(n, _)| *n == param);
            found.map(|(_, v)| *v).ok_or_else(|| UrlError::Missing {
                pattern: pattern.text().to_string(),
                param: param.to_string(),
            })
        };
        let unmatchable = |param: &str, value: &str| UrlError::Unmatchable {
            pattern: pattern.text().to_string(),
            param: param.to_string(),
            value: value.to_string(),
        };
        let mut url = self.prefix.clone();
        for segment in pattern.segments() {
            url.push('/');
            match segment {
                Segment::Static(text) => url.extend(utf8_percent_encode(text, LINK)),
                Segment::Param { name, converter } => {
                    let value = value_of(name)?;
                    let fits = converter.is_none_or(|c| c.accepts(value));
                    if !fits || !is_segment(value) {
                        return Err(unmatchable(name, value));
                    }
                    url.extend(utf8_percent_encode(value, LINK));
                }
                Segment::CatchAll(name) => {
                    // Slashes in a catch-all are real slashes: encode the
                    // pieces between them.
                    let value = value_of(name)?;
                    if value.is_empty() || !value.split('/').all(|s| s.is_empty() || is_segment(s))
                    {
                        return Err(unmatchable(name, value));
                    }
                    let pieces: Vec<String> = value
                        .split('/')
                        .map(|piece| utf8_percent_encode(piece, LINK).to_string())
                        .collect();
                    url.push_str(&pieces.join("/"));
                }
            }
        }
        append_query(&mut url, pattern, params);
        Ok(url)
    }
    // ANCHOR_END: url_for
}

/// Adds the parameters that `pattern` does not have to `url`, as a query
/// string, encoded as a browser encodes a form: `?page=2`.
fn append_query(url: &mut String, pattern: &Pattern, params: &[(&str, &str)]) {
    let extra: Vec<&(&str, &str)> = params
        .iter()
        .filter(|(n, _)| !pattern.param_names().any(|name| name == *n))
        .collect();
    if !extra.is_empty() {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in extra {
            query.append_pair(name, value);
        }
        url.push('?');
        url.push_str(&query.finish());
    }
}

/// Whether a value can be a path segment that survives the trip: not empty
/// (a parameter never matches that), and not `.` or `..`, which browsers
/// and HTTP clients remove from paths, encoded or not.
fn is_segment(value: &str) -> bool {
    !matches!(value, "" | "." | "..")
}

/// What is encoded in a path: what [`LINK`] encodes in a segment, except
/// the slashes between segments.
const PATH: &AsciiSet = &LINK.remove(b'/');

/// Percent-encodes a decoded path, keeping its slashes (for `SCRIPT_NAME`).
pub fn encode_path(path: &str) -> Cow<'_, str> {
    utf8_percent_encode(path, PATH).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(routes: &[(&str, &str)]) -> Urls {
        let mut urls = Urls::default();
        for (name, pattern) in routes {
            let pattern = Arc::new(Pattern::parse(pattern).unwrap());
            urls.insert(name, pattern).unwrap();
        }
        urls
    }

    /// URLs are built with every value encoded; extras become the query.
    #[test]
    fn urls_are_built_and_encoded() {
        let urls = urls(&[
            ("index", "/"),
            ("hello", "/hello/{name}"),
            ("user", "/users/{id:int}"),
            ("file", "/static/{*path}"),
            ("cafe", "/café/"),
        ]);
        type Params = &'static [(&'static str, &'static str)];
        let cases: [(&str, Params, &str); 7] = [
            ("index", &[], "/"),
            (
                "index",
                &[("page", "2"), ("q", "a b&c")],
                "/?page=2&q=a+b%26c",
            ),
            ("hello", &[("name", "Seven")], "/hello/Seven"),
            (
                "hello",
                &[("name", "a/b c?#%")],
                "/hello/a%2Fb%20c%3F%23%25",
            ),
            ("user", &[("id", "42")], "/users/42"),
            ("file", &[("path", "css/a b.css")], "/static/css/a%20b.css"),
            ("cafe", &[], "/caf%C3%A9/"),
        ];
        for (name, params, expected) in cases {
            assert_eq!(urls.url_for(name, params).unwrap(), expected, "{name}");
        }
    }

    /// What cannot be built is an error that says why.
    #[test]
    fn unbuildable_urls_are_errors() {
        let urls = urls(&[("hello", "/hello/{name}"), ("user", "/users/{id:int}")]);
        let errors = [
            urls.url_for("nope", &[]),
            urls.url_for("hello", &[]),
            urls.url_for("hello", &[("name", "")]),
            urls.url_for("hello", &[("name", "..")]),
            urls.url_for("user", &[("id", "abc")]),
        ];
        for error in errors {
            assert!(error.is_err(), "{error:?}");
        }
        let mut more = urls.clone();
        let taken = more.insert("hello", Arc::new(Pattern::parse("/x").unwrap()));
        assert_eq!(taken.unwrap_err().text(), "/hello/{name}");
    }

    /// Below a mount point, every URL starts with it, encoded.
    #[test]
    fn urls_below_a_mount_point() {
        let urls = urls(&[("hello", "/hello/{name}")]).below("/my app");
        assert_eq!(
            urls.url_for("hello", &[("name", "x")]).unwrap(),
            "/my%20app/hello/x"
        );
    }

    /// A mount point is encoded, its slashes kept.
    #[test]
    fn paths_are_encoded_with_their_slashes() {
        assert_eq!(encode_path("/app"), "/app");
        assert!(matches!(encode_path("/app"), Cow::Borrowed(_)));
        assert_eq!(encode_path("/my app/café"), "/my%20app/caf%C3%A9");
    }
}
