//! How a server turns a parsed request into an [`Environ`]: the variables
//! CGI defined in 1993 (RFC 3875 wrote them down later), which WSGI kept.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use step02_http_reply::{Error, Head};

use crate::gateway::{Environ, Errors, Input};

// ANCHOR: connection_vars
/// What the environ says about a connection rather than a request: its two
/// ends, and WSGI's constants. They are the same for every request on the
/// connection, so they are made once, when it is accepted, and each request
/// starts from a copy: writing out an IP address costs more than copying
/// the text it makes, and copying a map costs less than building it.
#[derive(Clone, Debug)]
pub struct ConnectionVars {
    /// The server's address on this connection.
    pub local: SocketAddr,
    /// The client's address.
    pub peer: SocketAddr,
    /// The variables every request on this connection starts with.
    vars: BTreeMap<String, String>,
    /// What starts each line the application writes to `wsgi.errors`,
    /// shared by the requests rather than copied for each.
    errors_prefix: Arc<str>,
}

impl ConnectionVars {
    /// The variables of a connection between `local` and `peer`.
    pub fn new(local: SocketAddr, peer: SocketAddr) -> ConnectionVars {
        let vars = [
            ("SCRIPT_NAME", String::new()),
            ("SERVER_NAME", local.ip().to_string()),
            ("SERVER_PORT", local.port().to_string()),
            ("REMOTE_ADDR", peer.ip().to_string()),
            ("REMOTE_PORT", peer.port().to_string()),
            ("wsgi.version", "1.0".into()),
            ("wsgi.url_scheme", "http".into()),
            ("wsgi.multithread", "true".into()),
            ("wsgi.multiprocess", "false".into()),
            ("wsgi.run_once", "false".into()),
        ];
        ConnectionVars {
            local,
            peer,
            vars: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            errors_prefix: format!("{peer}: wsgi.errors: ").into(),
        }
    }
}
// ANCHOR_END: connection_vars

// ANCHOR: from_request
/// Builds the environ for a request whose body has been read.
pub(crate) fn from_request(
    head: &Head,
    body: Vec<u8>,
    connection: &ConnectionVars,
) -> Result<Environ, Error> {
    let (path, query) = head.path_and_query()?;
    // PATH_INFO is decoded: `/caf%C3%A9` becomes `/café`. Python's WSGI keeps
    // the raw bytes in a latin-1 string; Rust strings are UTF-8, so a path
    // that does not decode to UTF-8 is refused.
    let path_info = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| Error::BadRequest("the path is not UTF-8 once decoded"))?;

    // The connection's variables, then the request's.
    let mut vars = connection.vars.clone();
    let mut set = |key: &str, value: String| vars.insert(key.to_string(), value);
    set("REQUEST_METHOD", head.method.clone());
    set("PATH_INFO", path_info.into_owned());
    set("QUERY_STRING", query.unwrap_or_default().to_string());
    set("REQUEST_URI", head.target.clone());
    set("SERVER_PROTOCOL", head.version.as_str().to_string());
    if let Some(content_type) = head.header("Content-Type") {
        set("CONTENT_TYPE", content_type.to_string());
    }
    if !body.is_empty() || head.header("Content-Length").is_some() {
        // The body has been read (and un-chunked), so its length is known.
        set("CONTENT_LENGTH", body.len().to_string());
    }
    add_http_variables(&mut vars, head);
    let errors = Errors::stderr(Arc::clone(&connection.errors_prefix));
    Ok(Environ::new(vars, Input::new(body), errors))
}

/// The `HTTP_*` variables: `User-Agent` becomes `HTTP_USER_AGENT`.
///
/// A field sent more than once is joined with `, ` (`; ` for `Cookie`, RFC
/// 6265 section 5.4). `Content-Type` and `Content-Length` have their own
/// variables. And a field whose name contains `_` is dropped: once `-` and
/// `_` both become `_`, `X-User_Id` would pass for `X-User-Id`, and a client
/// could forge a field that a proxy in front of us was trusted to set.
/// (nginx drops such fields by default for the same reason.)
fn add_http_variables(vars: &mut BTreeMap<String, String>, head: &Head) {
    for header in &head.headers {
        if header.name.contains('_') {
            continue;
        }
        let key = variable_for(&header.name);
        if !key.starts_with("HTTP_") {
            continue; // Content-Type and Content-Length, set already
        }
        let separator = if key == "HTTP_COOKIE" { "; " } else { ", " };
        vars.entry(key)
            .and_modify(|joined| {
                joined.push_str(separator);
                joined.push_str(&header.value);
            })
            .or_insert_with(|| header.value.clone());
    }
}
// ANCHOR_END: from_request

/// The environ variable that holds a request header field: `User-Agent` is
/// `HTTP_USER_AGENT`, while `Content-Type` and `Content-Length` have
/// variables of their own, `CONTENT_TYPE` and `CONTENT_LENGTH`.
pub fn variable_for(field: &str) -> String {
    let own_variable = ["Content-Type", "Content-Length"]
        .iter()
        .any(|own| field.eq_ignore_ascii_case(own));
    let mut name = String::with_capacity(field.len() + 5);
    if !own_variable {
        name.push_str("HTTP_");
    }
    let upper = field.chars().map(|c| {
        if c == '-' {
            '_'
        } else {
            c.to_ascii_uppercase()
        }
    });
    name.extend(upper);
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use step02_http_reply::request::parse_head;

    /// Parses a request head, as the server would have.
    fn head(text: &str) -> Head {
        parse_head(text.as_bytes()).unwrap().unwrap().0
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    /// The CGI variables come out of the request line, the fields and the
    /// two addresses.
    #[test]
    fn variables_from_a_request() {
        let head = head(
            "POST /caf%C3%A9/a%20b?x=1&y=%20 HTTP/1.1\r\nHost: example.com\r\n\
             Content-Type: text/plain\r\nUser-Agent: test\r\n\r\n",
        );
        let environ = from_request(
            &head,
            b"body".to_vec(),
            &ConnectionVars::new(addr("127.0.0.1:8000"), addr("10.0.0.1:5555")),
        )
        .unwrap();
        let expected = [
            ("REQUEST_METHOD", "POST"),
            ("SCRIPT_NAME", ""),
            ("PATH_INFO", "/café/a b"),
            ("QUERY_STRING", "x=1&y=%20"),
            ("REQUEST_URI", "/caf%C3%A9/a%20b?x=1&y=%20"),
            ("CONTENT_TYPE", "text/plain"),
            ("CONTENT_LENGTH", "4"),
            ("SERVER_NAME", "127.0.0.1"),
            ("SERVER_PORT", "8000"),
            ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("REMOTE_ADDR", "10.0.0.1"),
            ("HTTP_HOST", "example.com"),
            ("HTTP_USER_AGENT", "test"),
            ("wsgi.url_scheme", "http"),
        ];
        for (key, value) in expected {
            assert_eq!(environ.get(key), Some(value), "{key}");
        }
        assert_eq!(environ.get("HTTP_CONTENT_TYPE"), None);
    }

    /// Repeated fields are joined; names with underscores are dropped.
    #[test]
    fn fields_joined_and_underscores_dropped() {
        let head = head(
            "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\naccept: text/plain\r\n\
             Cookie: a=1\r\nCookie: b=2\r\nX-User-Id: alice\r\nX-User_Id: mallory\r\n\r\n",
        );
        let environ = from_request(
            &head,
            Vec::new(),
            &ConnectionVars::new(addr("127.0.0.1:1"), addr("127.0.0.1:2")),
        )
        .unwrap();
        assert_eq!(environ.get("HTTP_ACCEPT"), Some("text/html, text/plain"));
        assert_eq!(environ.get("HTTP_COOKIE"), Some("a=1; b=2"));
        assert_eq!(environ.get("HTTP_X_USER_ID"), Some("alice"));
        assert_eq!(environ.get("CONTENT_LENGTH"), None);
    }

    /// A path that is not UTF-8 once decoded is a 400.
    #[test]
    fn path_must_decode_to_utf8() {
        let head = head("GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n");
        let error = from_request(
            &head,
            Vec::new(),
            &ConnectionVars::new(addr("127.0.0.1:1"), addr("127.0.0.1:2")),
        )
        .unwrap_err();
        assert_eq!(error.status().map(|s| s.code()), Some(400));
    }
}
