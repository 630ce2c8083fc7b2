//! Cross-site request forgery, and the two defences the router has against
//! it.
//!
//! The attack: a page on another site holds a form whose action is one of
//! our addresses, and submits it. The visitor's browser sends it with the
//! visitor's cookies, and to us it looks as if the visitor sent it.
//!
//! 1. **The origin check** ([`cross_origin`]), on for every router. A
//!    browser says where a request comes from: `Sec-Fetch-Site` (since
//!    2020-2023, depending on the browser) and `Origin` (on every
//!    cross-origin `POST` for longer). A request that changes something
//!    (any method but `GET`, `HEAD`, `OPTIONS`, `TRACE`) and that a browser
//!    marks as coming from another origin is refused with `403`. This stops
//!    forms and scripts on other sites, sibling subdomains included, in
//!    every browser that sends either field. It does not stop a client that
//!    is not a browser: a program can send any field it likes, but it also
//!    has no visitor's cookies to abuse, so it can only do what it could do
//!    anyway. A request with neither field (curl, an old browser) passes.
//!
//! 2. **Tokens** ([`Router::csrf_tokens`](crate::Router::csrf_tokens)), for
//!    an application that turns them on: each visitor gets a random token,
//!    kept in a signed cookie; each form repeats it in a hidden field; a
//!    request that changes something counts only if the two agree. A page on
//!    another site can make the browser send a form, but it cannot read our
//!    page or our cookie, so it cannot know the token. This holds in old
//!    browsers too. It does not hold against a site that can *set* our
//!    cookies: a sibling subdomain (`evil.example.com` beside
//!    `www.example.com`) can fetch a page of ours, take the token and its
//!    cookie, plant the cookie in a visitor's browser and post the token.
//!    The origin check stops that; over HTTPS the cookie's `__Host-` prefix
//!    stops it too, because browsers refuse a `__Host-` cookie from a
//!    subdomain.

use std::fmt::Write as _;

use step02_http_reply::Status;
use step03_wsgi_gateway::Environ;
use subtle::ConstantTimeEq;

use crate::error::Error;

/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// The header field that carries the token for requests that are not forms
/// (a script's `fetch`).
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// Whether a method may change something, and so must pass the checks.
/// `GET`, `HEAD`, `OPTIONS` and `TRACE` are *safe* (RFC 9110, 9.2.1): a
/// handler for one must not change anything.
pub fn is_unsafe(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

// ANCHOR: cross_origin
/// Refuses (`403`) a request that changes something and that the browser
/// says comes from another origin than this server's, unless that origin is
/// one of `trusted` (such as `https://admin.example.com`). The same rule as
/// Go's `http.CrossOriginProtection` (Go 1.25) and Django's origin check.
pub fn cross_origin(environ: &Environ, trusted: &[String]) -> Result<(), Error> {
    if !is_unsafe(environ.method()) {
        return Ok(());
    }
    let origin = environ.get("HTTP_ORIGIN");
    let is_trusted = || origin.is_some_and(|o| trusted.iter().any(|t| t == o));
    match environ.get("HTTP_SEC_FETCH_SITE") {
        // Typed into the address bar, or a page of this very origin.
        Some("same-origin" | "none") => return Ok(()),
        // `same-site` is a sibling subdomain: another origin all the same.
        Some(_) if is_trusted() => return Ok(()),
        Some(_) => return Err(forbidden("This request came from another site.")),
        None => {}
    }
    // An older browser: compare the host of `Origin` with `Host`. The
    // server has checked that `Host` is a host and port (step 2).
    let Some(origin) = origin else {
        return Ok(()); // not a browser, or one that sends neither field
    };
    let host = environ.get("HTTP_HOST").unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, host)| host);
    if origin_host == Some(host) || is_trusted() {
        Ok(())
    } else {
        Err(forbidden("This request came from another site."))
    }
}
// ANCHOR_END: cross_origin

/// A new token: 32 random bytes from the operating system, as hex.
pub fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(e.to_string()))?;
    Ok(bytes.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    }))
}

/// Whether the token a form sent is the visitor's. Compared in constant
/// time (`subtle`): the time taken does not say how much of a guess was
/// right. (A token guessed byte by byte would need a timing signal far
/// finer than a network shows, but the comparison costs nothing, so the
/// question need not be asked.)
pub fn same_token(sent: &str, expected: &str) -> bool {
    sent.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// The `403` for a request that failed a check.
pub fn forbidden(why: &str) -> Error {
    Error::new(
        Status::FORBIDDEN,
        format!("{why} Go back, reload the page, and send it again."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(fields: &[(&str, &str)]) -> Environ {
        let mut environ = Environ::synthetic("POST", "/messages", b"");
        environ.set("HTTP_HOST", "guestbook.example:8000");
        for (name, value) in fields {
            environ.set(*name, *value);
        }
        environ
    }

    // ANCHOR: cross_origin_table
    /// Which requests pass the origin check, and which are 403.
    #[test]
    fn the_origin_check() {
        let ours = "http://guestbook.example:8000";
        let trusted = ["https://admin.example".to_string()];
        let cases: [(&[(&str, &str)], bool); 11] = [
            (&[], true), // curl: neither field
            (&[("HTTP_SEC_FETCH_SITE", "same-origin")], true),
            (&[("HTTP_SEC_FETCH_SITE", "none")], true),
            (&[("HTTP_SEC_FETCH_SITE", "cross-site")], false),
            (&[("HTTP_SEC_FETCH_SITE", "same-site")], false),
            (&[("HTTP_ORIGIN", ours)], true),
            (&[("HTTP_ORIGIN", "http://evil.example")], false),
            (
                &[("HTTP_ORIGIN", "http://guestbook.example:8000.evil")],
                false,
            ),
            (&[("HTTP_ORIGIN", "null")], false),
            (
                &[
                    ("HTTP_SEC_FETCH_SITE", "cross-site"),
                    ("HTTP_ORIGIN", "https://admin.example"),
                ],
                true,
            ),
            // The field that is there decides: Sec-Fetch-Site over Origin.
            (
                &[("HTTP_SEC_FETCH_SITE", "cross-site"), ("HTTP_ORIGIN", ours)],
                false,
            ),
        ];
        for (fields, passes) in cases {
            let result = cross_origin(&post(fields), &trusted);
            assert_eq!(result.is_ok(), passes, "{fields:?}");
            if let Err(error) = result {
                assert_eq!(error.status(), Status::FORBIDDEN);
            }
        }
        // A safe method is never refused.
        let mut get = post(&[("HTTP_ORIGIN", "http://evil.example")]);
        get.set("REQUEST_METHOD", "GET");
        assert!(cross_origin(&get, &trusted).is_ok());
    }
    // ANCHOR_END: cross_origin_table

    /// Tokens are 64 hex digits, new each time; only the same one matches.
    #[test]
    fn tokens() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a[..63], &a));
        assert!(!same_token("", &a));
    }
}
