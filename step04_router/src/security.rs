//! The header fields every response of a router carries unless its handler
//! set its own: each one tells the browser to refuse something a page of
//! ours never needs, so that a mistake in a page (a value left unescaped)
//! or a trick played on it (framing it under another site's buttons) does
//! less harm. Django's `SecurityMiddleware` and
//! `XFrameOptionsMiddleware` send much the same by default.
//!
//! Change them with [`Router::default_header`](crate::Router::default_header)
//! and [`Router::without_default_header`](crate::Router::without_default_header).

// ANCHOR: defaults
/// The header fields a router adds to every response, and what each stops.
pub fn default_headers() -> Vec<(String, String)> {
    [
        // Scripts, styles, images and fonts from this origin only, and no
        // inline script or style at all: markup that slipped into a page
        // unescaped cannot run. No `<base>` to redirect relative links; forms
        // post only here; and no other site may show our pages in a frame,
        // so it cannot lay its own buttons over ours (clickjacking).
        (
            "Content-Security-Policy",
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        // The same, for browsers that predate `frame-ancestors`.
        ("X-Frame-Options", "DENY"),
        // A file is what its `Content-Type` says: a browser must not guess
        // that an uploaded text file is HTML or script, and run it.
        ("X-Content-Type-Options", "nosniff"),
        // Links to other sites do not tell them which page of ours, with
        // its query string, the visitor came from.
        ("Referrer-Policy", "same-origin"),
        // A page of another site that we open (or that opens us) gets no
        // handle on our window.
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}
// ANCHOR_END: defaults

/// Adds each of `defaults` to `headers` unless a field of that name is
/// there already: a handler that sets its own policy keeps it.
pub fn add_defaults(headers: &mut Vec<(String, String)>, defaults: &[(String, String)]) {
    for (name, value) in defaults {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            headers.push((name.clone(), value.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Defaults fill the gaps and never replace what a handler set.
    #[test]
    fn defaults_do_not_replace_a_handlers_own() {
        let mut headers = vec![(
            "content-security-policy".to_string(),
            "default-src 'none'".to_string(),
        )];
        add_defaults(&mut headers, &default_headers());
        let csp: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Security-Policy"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(csp, ["default-src 'none'"]);
        assert!(
            headers
                .iter()
                .any(|(n, v)| n == "X-Content-Type-Options" && v == "nosniff")
        );
        assert_eq!(headers.len(), default_headers().len());
    }
}
