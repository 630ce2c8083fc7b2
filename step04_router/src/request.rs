//! A request as a handler sees it: a view over one environ, with the path's
//! parameters that the router found, and the query and the form read on
//! first use.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::str::FromStr;

use cookie::{Cookie, SameSite};
use percent_encoding::percent_decode;
use step02_http_reply::Status;
use step03_wsgi_gateway::Environ;
use step03_wsgi_gateway::environ::variable_for;

use crate::csrf::{self, CSRF_FIELD, CSRF_HEADER};
use crate::error::Error;
use crate::params::Params;
use crate::path::decode_segment;
use crate::pattern::Pattern;
use crate::response::Response;
use crate::router::Shared;
use crate::url::Urls;

/// The largest form body [`Request::form`] reads: 64 KiB. A guestbook
/// message of 2,000 Chinese characters is 6,000 bytes of UTF-8, and 18,000
/// once a browser percent-encodes them; 64 KiB leaves room for that and
/// more, while a bigger body is refused (`413`) before anything decodes it.
/// The server's own limit (1 MiB, step 3) applies before this one.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The most bytes of flash messages one response may leave in a cookie:
/// browsers keep cookies of up to 4,096 bytes and drop bigger ones without
/// a word, so messages that would not fit are an error instead.
pub const MAX_FLASH_BYTES: usize = 3000;

// ANCHOR: request
/// One request, as a handler sees it, in an application whose state is `S`.
pub struct Request<'a, S = ()> {
    environ: &'a Environ,
    /// What every request of this router shares: the application's state,
    /// the named routes, the signing keys.
    shared: &'a Shared<S>,
    /// The pattern of the route that matched, if one did.
    route: Option<&'a Pattern>,
    /// The values of its parameters, in the pattern's order: as sent, and
    /// decoded.
    params: Vec<(&'a str, Cow<'a, str>)>,
    /// The body, read whole by the server.
    body: Vec<u8>,
    /// The query string and the form, decoded on first use.
    query: OnceCell<Form>,
    form: OnceCell<Form>,
    /// What this request leaves for the response (see [`Request::finish`]).
    after: After,
}
// ANCHOR_END: request

/// What a handler's calls leave for the router to add to its response.
#[derive(Default)]
struct After {
    /// The visitor's CSRF token, and the cookie that gives it to them if it
    /// is new.
    csrf: OnceCell<(String, Option<Cookie<'static>>)>,
    /// Whether the page shows the token, and so must not be stored by
    /// caches (`Cache-Control: no-store`).
    csrf_shown: Cell<bool>,
    /// Flash messages for the next page, and the cookie that carries them.
    flashes: RefCell<(Vec<String>, Option<Cookie<'static>>)>,
    /// Whether this page took the messages that were waiting.
    flashes_taken: Cell<bool>,
}

impl<'a, S> Request<'a, S> {
    /// A request over `environ`, with the route and parameters the router
    /// found. The router makes these; to call a handler without it (in a
    /// test), [`Router::request`](crate::Router::request) makes one.
    pub(crate) fn new(
        environ: &'a Environ,
        body: Vec<u8>,
        route: Option<(&'a Pattern, Params<'a>)>,
        shared: &'a Shared<S>,
    ) -> Request<'a, S> {
        let (route, params) = match route {
            Some((pattern, params)) => (Some(pattern), params),
            None => (None, Params::new()),
        };
        // The router only matches values that decode, so each one does.
        let decode = |raw| decode_segment(raw).unwrap_or(Cow::Borrowed(raw));
        let params = params.iter().map(|raw| (*raw, decode(raw))).collect();
        Request {
            environ,
            shared,
            route,
            params,
            body,
            query: OnceCell::new(),
            form: OnceCell::new(),
            after: After::default(),
        }
    }

    /// The application's state, as given to
    /// [`Router::with_state`](crate::Router::with_state): its database, its
    /// templates, whatever every handler needs.
    pub fn state(&self) -> &'a S {
        &self.shared.state
    }

    /// `GET`, `POST`, ...
    pub fn method(&self) -> &str {
        self.environ.method()
    }

    /// The path below the application's mount point, decoded (`PATH_INFO`).
    pub fn path(&self) -> &str {
        self.environ.path_info()
    }

    /// The pattern of the route that matched, such as `/hello/{name}`.
    pub fn route(&self) -> Option<&str> {
        self.route.map(Pattern::text)
    }

    // ANCHOR: param
    /// The value of a path parameter, decoded: for `/hello/{name}` and a
    /// request for `/hello/caf%C3%A9`, `param("name")` is `café`.
    ///
    /// A name the route does not have is a mistake in the program: a `500`.
    pub fn param(&self, name: &str) -> Result<&str, Error> {
        self.lookup(name).map(|(_, decoded)| decoded.as_ref())
    }

    /// A path parameter converted to a type, such as `u64`. For `{id:int}`
    /// the router has checked already that it is one. A value that does not
    /// convert means there is nothing here for it: `404`.
    pub fn param_as<T: FromStr>(&self, name: &str) -> Result<T, Error> {
        self.param(name)?.parse().map_err(|_| Error::not_found())
    }

    /// A path parameter as the client sent it, still percent-encoded. For
    /// code that decodes it itself, such as step 2's folder server: decoding
    /// twice is how `%252e%252e` becomes `..`.
    pub fn raw_param(&self, name: &str) -> Result<&str, Error> {
        self.lookup(name).map(|(raw, _)| *raw)
    }

    fn lookup(&self, name: &str) -> Result<&(&'a str, Cow<'a, str>), Error> {
        let position = self
            .route
            .and_then(|pattern| pattern.param_names().position(|n| n == name));
        position.and_then(|i| self.params.get(i)).ok_or_else(|| {
            Error::internal(format!(
                "the route {:?} has no parameter {name:?}",
                self.route().unwrap_or("(none)")
            ))
        })
    }
    // ANCHOR_END: param

    // ANCHOR: query_form
    /// The query string, decoded: for `?page=2&q=caf%C3%A9`,
    /// `query()?.get("q")` is `café`.
    pub fn query(&self) -> Result<&Form, Error> {
        if let Some(query) = self.query.get() {
            return Ok(query);
        }
        let query = Form::parse(self.environ.query_string().as_bytes())?;
        Ok(self.query.get_or_init(|| query))
    }

    /// The body, read as a form that a browser sent with
    /// `application/x-www-form-urlencoded`. A body of another type is `415`,
    /// one over the limit ([`MAX_FORM_BYTES`]) is `413`, and one that is not
    /// UTF-8 once decoded is `400`.
    pub fn form(&self) -> Result<&Form, Error> {
        if let Some(form) = self.form.get() {
            return Ok(form);
        }
        let content_type = self.environ.get("CONTENT_TYPE").unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(Error::new(
                Status::UNSUPPORTED_MEDIA_TYPE,
                "This address expects a form (application/x-www-form-urlencoded).",
            ));
        }
        if self.body.len() > self.shared.form_limit {
            return Err(Error::new(
                Status::CONTENT_TOO_LARGE,
                format!("A form may have at most {} bytes.", self.shared.form_limit),
            ));
        }
        let form = Form::parse(&self.body)?;
        Ok(self.form.get_or_init(|| form))
    }
    // ANCHOR_END: query_form

    /// The body as bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The value of a request header field (any case): `header("User-Agent")`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.environ.get(&variable_for(name))
    }

    /// The value of a cookie the client sent, percent-decoded (the way
    /// [`Response::with_cookie`](crate::Response::with_cookie) encodes it).
    pub fn cookie(&self, name: &str) -> Option<String> {
        let header = self.environ.get("HTTP_COOKIE")?;
        Cookie::split_parse_encoded(header)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == name)
            .map(|cookie| cookie.value().to_string())
    }

    /// The URL of a named route, below the application's mount point: for a
    /// router mounted at `/app`, `url_for("hello", &[("name", "a b")])` is
    /// `/app/hello/a%20b`. Parameters the pattern does not have go in the
    /// query string.
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, Error> {
        let script_name = self.environ.get("SCRIPT_NAME").unwrap_or_default();
        if script_name.is_empty() {
            return Ok(self.shared.urls.url_for(name, params)?);
        }
        Ok(self.shared.urls.below(script_name).url_for(name, params)?)
    }

    /// The named routes, building URLs below the application's mount point,
    /// to take along (into a template, say).
    pub fn urls(&self) -> Urls {
        self.shared
            .urls
            .below(self.environ.get("SCRIPT_NAME").unwrap_or_default())
    }

    /// The environ underneath, for anything this view does not offer.
    pub fn environ(&self) -> &Environ {
        self.environ
    }

    /// Whether this application requires CSRF tokens
    /// ([`Router::csrf_tokens`](crate::Router::csrf_tokens)), so that its
    /// forms must carry [`Request::csrf_token`].
    pub fn requires_csrf_tokens(&self) -> bool {
        self.shared.csrf_tokens
    }

    // ANCHOR: csrf_token
    /// The visitor's CSRF token, for a form's hidden field
    /// ([`CSRF_FIELD`]): the one in their signed cookie if it is good, else
    /// a new one, whose cookie the router adds to the response. The page
    /// that shows it is sent with `Cache-Control: no-store`, so that no
    /// cache keeps one visitor's token and gives it to another.
    pub fn csrf_token(&self) -> Result<&str, Error> {
        self.after.csrf_shown.set(true);
        if let Some((token, _)) = self.after.csrf.get() {
            return Ok(token);
        }
        let found = match self.verified_cookie("csrf") {
            Some(token) => (token, None),
            None => {
                let token = csrf::new_token()?;
                let cookie = self.signed_cookie("csrf", &token)?;
                (token, Some(cookie))
            }
        };
        Ok(&self.after.csrf.get_or_init(|| found).0)
    }

    /// Checks the token a request that changes something carries, in the
    /// form field [`CSRF_FIELD`] or the header field [`CSRF_HEADER`],
    /// against the one in the visitor's signed cookie: `403` unless both are
    /// there and the same. The router calls this before the handler, when
    /// [`Router::csrf_tokens`](crate::Router::csrf_tokens) is on.
    pub fn check_csrf_token(&self) -> Result<(), Error> {
        let forbidden =
            || csrf::forbidden("This form did not come from this site, or it is too old.");
        let expected = self.verified_cookie("csrf").ok_or_else(forbidden)?;
        let sent = match self.header(CSRF_HEADER) {
            Some(sent) => sent,
            None => self.form()?.get(CSRF_FIELD).ok_or_else(forbidden)?,
        };
        if csrf::same_token(sent, &expected) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }
    // ANCHOR_END: csrf_token

    // ANCHOR: flash
    /// Leaves a message for the next page this visitor sees, such as
    /// "Thank you for your message!" before a redirect. It travels in a
    /// signed cookie, so nobody else can put words in it.
    pub fn flash(&self, message: impl Into<String>) -> Result<(), Error> {
        let mut flashes = self.after.flashes.borrow_mut();
        flashes.0.push(message.into());
        let json = serde_json::to_string(&flashes.0)?;
        if json.len() > MAX_FLASH_BYTES {
            return Err(Error::internal(format!(
                "flash messages of {} bytes do not fit in a cookie",
                json.len()
            )));
        }
        flashes.1 = Some(self.signed_cookie("flash", &json)?);
        Ok(())
    }

    /// The messages left for this page by [`Request::flash`], once: the
    /// router removes their cookie with this response. Messages whose
    /// signature fails are dropped.
    pub fn flashed_messages(&self) -> Vec<String> {
        let Some(json) = self.verified_cookie("flash") else {
            return Vec::new();
        };
        self.after.flashes_taken.set(true);
        serde_json::from_str(&json).unwrap_or_default()
    }
    // ANCHOR_END: flash

    // ANCHOR: finish
    /// What the calls above leave for `response`: the cookie of a new CSRF
    /// token and `no-store` for a page that shows one; the cookie of new
    /// flash messages, or the removal of those this page took.
    pub(crate) fn finish(&self, mut response: Response) -> Response {
        if let Some((_, Some(cookie))) = self.after.csrf.get() {
            response = response.with_cookie(cookie.clone());
        }
        if self.after.csrf_shown.get() {
            response = response.with_header("Cache-Control", "no-store");
        }
        let (_, new_flashes) = &*self.after.flashes.borrow();
        if let Some(cookie) = new_flashes {
            response = response.with_cookie(cookie.clone());
        } else if self.after.flashes_taken.get() {
            let mut removal = self.cookie_for("flash", String::new());
            removal.make_removal();
            response = response.with_cookie(removal);
        }
        response
    }
    // ANCHOR_END: finish

    // ANCHOR: cookies
    /// A cookie for `purpose`, with `value` signed for that purpose.
    fn signed_cookie(&self, purpose: &str, value: &str) -> Result<Cookie<'static>, Error> {
        let signed = self.shared.keys()?.sign(purpose, value);
        Ok(self.cookie_for(purpose, signed))
    }

    /// The value of the cookie for `purpose`, if the request has one and
    /// its signature for that purpose holds. Anything else is `None`.
    fn verified_cookie(&self, purpose: &str) -> Option<String> {
        let signed = self.cookie(&self.cookie_name(purpose))?;
        self.shared.keys().ok()?.verify(purpose, &signed)
    }

    /// The framework's cookie for `purpose`: sent back only to this
    /// application's paths, never readable by a script (`HttpOnly`), not
    /// sent with another site's form (`SameSite=Lax`). Over HTTPS it is
    /// also `Secure`, named `__Host-...` and set for the path `/`: browsers
    /// then refuse the same name from any other host, a sibling subdomain
    /// included (RFC 6265bis, 4.1.3.2).
    fn cookie_for(&self, purpose: &str, value: String) -> Cookie<'static> {
        let https = self.is_https();
        let path = match self.environ.get("SCRIPT_NAME").unwrap_or_default() {
            "" => "/".to_string(),
            _ if https => "/".to_string(),
            mounted => mounted.to_string(),
        };
        Cookie::build((self.cookie_name(purpose), value))
            .path(path)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(https)
            .build()
    }

    /// `csrf`, or `__Host-csrf` over HTTPS.
    fn cookie_name(&self, purpose: &str) -> String {
        if self.is_https() {
            format!("__Host-{purpose}")
        } else {
            purpose.to_string()
        }
    }

    fn is_https(&self) -> bool {
        self.environ.get("wsgi.url_scheme") == Some("https")
    }
    // ANCHOR_END: cookies
}

// ANCHOR: controls
/// Whether `text` holds a control character other than tab, line feed and
/// carriage return: NUL, escape, backspace and the rest, which no HTML page
/// may contain and no person types. A form field with one deserves `422`
/// and the form again; escaping would show each as U+FFFD (step 2).
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}
// ANCHOR_END: controls

// ANCHOR: form
/// Name and value pairs from a query string or a form body, decoded, in
/// the order they came. A name may come more than once (`?tag=a&tag=b`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Decodes `application/x-www-form-urlencoded` bytes: pairs split at `&`
    /// and `=`, `+` as a space, percent escapes, UTF-8. The decoding is the
    /// `form_urlencoded` crate's (the URL Standard's); it would replace bytes
    /// that are not UTF-8 with `U+FFFD`, and we refuse them instead (`400`),
    /// as we refuse such paths.
    pub fn parse(bytes: &[u8]) -> Result<Form, Error> {
        // `&`, `=` and `+` are ASCII, so the whole decodes as UTF-8 exactly
        // when every piece does.
        if percent_decode(bytes).decode_utf8().is_err() {
            return Err(Error::bad_request("The form is not UTF-8."));
        }
        let pairs = form_urlencoded::parse(bytes)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Ok(Form { pairs })
    }

    /// The first value called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let found = self.pairs.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str())
    }

    /// Every value called `name`, in order.
    pub fn get_all<'f>(&'f self, name: &'f str) -> impl Iterator<Item = &'f str> + 'f {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}
// ANCHOR_END: form

#[cfg(test)]
mod tests {
    use super::*;

    /// Forms decode as browsers encode them.
    #[test]
    fn forms_decode() {
        type Pairs = Vec<(&'static str, &'static str)>;
        let cases: [(&[u8], Pairs); 6] = [
            (b"a=1&b=2", vec![("a", "1"), ("b", "2")]),
            (b"user=Seven+of+Nine", vec![("user", "Seven of Nine")]),
            (b"m=Hello%2C+web%21", vec![("m", "Hello, web!")]),
            (b"empty=&flag", vec![("empty", ""), ("flag", "")]),
            (b"caf%C3%A9=%E8%8C%B6", vec![("café", "茶")]),
            (b"a=%26%3D%2B", vec![("a", "&=+")]),
        ];
        for (body, expected) in cases {
            let form = Form::parse(body).unwrap();
            let got: Vec<(&str, &str)> = form.iter().collect();
            assert_eq!(got, expected, "{}", String::from_utf8_lossy(body));
        }
        let tags = Form::parse(b"tag=a&x=1&tag=b").unwrap();
        assert_eq!(tags.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(tags.get("tag"), Some("a"));
        assert_eq!(tags.get("none"), None);
    }

    /// Control characters are found, but for tab, LF and CR.
    #[test]
    fn control_characters() {
        for bad in ["a\0b", "\u{1b}[31m", "\u{7f}", "\u{85}", "x\u{8}"] {
            assert!(has_control_characters(bad), "{bad:?}");
        }
        for good in ["", "Seven of Nine", "line\r\nline\tcolumn", "茶 café ✓"] {
            assert!(!has_control_characters(good), "{good:?}");
        }
    }

    /// Bytes that are not UTF-8 once decoded are a 400, not U+FFFD.
    #[test]
    fn forms_must_be_utf8() {
        for body in [&b"a=%ff"[..], b"%C3=1", b"a=\xff"] {
            let error = Form::parse(body).unwrap_err();
            assert_eq!(error.status(), Status::BAD_REQUEST);
        }
    }
}
