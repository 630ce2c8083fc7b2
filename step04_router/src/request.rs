//! A request as a handler sees it: a view over one environ, with the path's
//! parameters that the router found, and the query and the form read on
//! first use.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::str::FromStr;

use cookie::Cookie;
use percent_encoding::percent_decode;
use step02_http_reply::Status;
use step03_wsgi_gateway::Environ;
use step03_wsgi_gateway::environ::variable_for;

use crate::error::Error;
use crate::params::Params;
use crate::path::decode_segment;
use crate::pattern::Pattern;
use crate::url::Urls;

/// The largest form body [`Request::form`] reads: 64 KiB. A guestbook
/// message of 2,000 Chinese characters is 6,000 bytes of UTF-8, and 18,000
/// once a browser percent-encodes them; 64 KiB leaves room for that and
/// more, while a bigger body is refused (`413`) before anything decodes it.
/// The server's own limit (1 MiB, step 3) applies before this one.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

// ANCHOR: request
/// One request, as a handler sees it.
pub struct Request<'a> {
    environ: &'a Environ,
    /// The pattern of the route that matched, if one did.
    route: Option<&'a Pattern>,
    /// The values of its parameters, in the pattern's order: as sent, and
    /// decoded.
    params: Vec<(&'a str, Cow<'a, str>)>,
    /// The body, read whole by the server.
    body: Vec<u8>,
    form_limit: usize,
    urls: &'a Urls,
    /// The query string and the form, decoded on first use.
    query: OnceCell<Form>,
    form: OnceCell<Form>,
}
// ANCHOR_END: request

impl<'a> Request<'a> {
    /// A request over `environ`, with the route and parameters the router
    /// found. The router makes these; to call a handler without it (in a
    /// test), [`Router::request`](crate::Router::request) makes one.
    pub fn new(
        environ: &'a Environ,
        body: Vec<u8>,
        route: Option<(&'a Pattern, Params<'a>)>,
        urls: &'a Urls,
        form_limit: usize,
    ) -> Request<'a> {
        let (route, params) = match route {
            Some((pattern, params)) => (Some(pattern), params),
            None => (None, Params::new()),
        };
        // The router only matches values that decode, so each one does.
        let decode = |raw| decode_segment(raw).unwrap_or(Cow::Borrowed(raw));
        let params = params.iter().map(|raw| (*raw, decode(raw))).collect();
        Request {
            environ,
            route,
            params,
            body,
            form_limit,
            urls,
            query: OnceCell::new(),
            form: OnceCell::new(),
        }
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
        if self.body.len() > self.form_limit {
            return Err(Error::new(
                Status::CONTENT_TOO_LARGE,
                format!("A form may have at most {} bytes.", self.form_limit),
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
            return Ok(self.urls.url_for(name, params)?);
        }
        Ok(self.urls.below(script_name).url_for(name, params)?)
    }

    /// The named routes, building URLs below the application's mount point,
    /// to take along (into a template, say).
    pub fn urls(&self) -> Urls {
        self.urls
            .below(self.environ.get("SCRIPT_NAME").unwrap_or_default())
    }

    /// The environ underneath, for anything this view does not offer.
    pub fn environ(&self) -> &Environ {
        self.environ
    }
}

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

    /// Bytes that are not UTF-8 once decoded are a 400, not U+FFFD.
    #[test]
    fn forms_must_be_utf8() {
        for body in [&b"a=%ff"[..], b"%C3=1", b"a=\xff"] {
            let error = Form::parse(body).unwrap_err();
            assert_eq!(error.status(), Status::BAD_REQUEST);
        }
    }
}
