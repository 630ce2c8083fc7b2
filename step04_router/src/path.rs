//! Paths as the client sent them, and decoding them one segment at a time.
//!
//! The server hands an application `PATH_INFO` already percent-decoded, and
//! that loses something a router needs: in `/files/a%2Fb` the client sent
//! *one* segment, `a/b`, but decoded it reads as two, `a` and `b`. So the
//! router matches on the path as sent, splits it at its real slashes, and
//! decodes each segment on its own (as step 2's folder server does).

use std::borrow::Cow;

use percent_encoding::{
    AsciiSet, CONTROLS, percent_decode, percent_decode_str, utf8_percent_encode,
};
use step03_wsgi_gateway::Environ;

/// A path that is not UTF-8 once decoded: the client gets `400`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8;

// ANCHOR: decode_segment
/// Decodes one segment: `caf%C3%A9` is `café`, and `a%2Fb` is `a/b`, one
/// segment with a slash inside. Nothing is allocated when there is nothing
/// to decode, which is most of the time.
pub fn decode_segment(raw: &str) -> Result<Cow<'_, str>, NotUtf8> {
    // A plain loop rather than `contains('%')`: segments are a few bytes
    // long, and for so few, this took fewer instructions in the benchmark.
    if !raw.bytes().any(|b| b == b'%') {
        return Ok(Cow::Borrowed(raw));
    }
    percent_decode_str(raw).decode_utf8().map_err(|_| NotUtf8)
}
// ANCHOR_END: decode_segment

/// Checks that every segment of `path` decodes to UTF-8, by decoding the
/// whole path once: a slash is one byte, never part of a longer character,
/// so the whole is UTF-8 exactly when every part between slashes is.
pub fn check_decodes(path: &str) -> Result<(), NotUtf8> {
    percent_decode_str(path)
        .decode_utf8()
        .map(drop)
        .map_err(|_| NotUtf8)
}

/// The bytes that stay as they are in the fallback of [`raw_path_info`]:
/// all but controls and `%`, so that decoding gives the text back.
const PERCENT_SIGN: &AsciiSet = &CONTROLS.add(b'%');

// ANCHOR: raw_path_info
/// The path below the application's mount point, as the client sent it:
/// what `PATH_INFO` was before the server decoded it.
///
/// It comes from `REQUEST_URI`, the request target as sent. If the
/// application is mounted somewhere (`SCRIPT_NAME` is `/app`), the part of
/// the raw path that decodes to `SCRIPT_NAME` is cut off first. The result
/// is used only if it decodes to `PATH_INFO`: a middleware may have changed
/// `PATH_INFO`, and then `PATH_INFO` wins, re-encoded (an encoded slash in
/// it can then no longer be told from a real one).
pub fn raw_path_info(environ: &Environ) -> Cow<'_, str> {
    let path_info = environ.path_info();
    let script_name = environ.get("SCRIPT_NAME").unwrap_or_default();
    let sent = environ
        .get("REQUEST_URI")
        .and_then(|uri| step02_http_reply::request::path_and_query(uri).ok())
        .and_then(|(path, _)| strip_decoded_prefix(path, script_name));
    match sent {
        Some(raw) if decodes_to(raw, path_info) => Cow::Borrowed(raw),
        _ => Cow::Owned(utf8_percent_encode(path_info, PERCENT_SIGN).to_string()),
    }
}
// ANCHOR_END: raw_path_info

/// Whether `raw` percent-decodes to exactly `decoded`, compared byte by
/// byte without building the decoded string.
pub fn decodes_to(raw: &str, decoded: &str) -> bool {
    percent_decode(raw.as_bytes()).eq(decoded.bytes())
}

/// The rest of `raw` after the segments that decode to `prefix`; all of it
/// when `prefix` is empty.
fn strip_decoded_prefix<'a>(raw: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        return Some(raw);
    }
    // Try each cut at a slash (or the end): `/a/b` for `/a` cuts at 2. A
    // percent escape is three bytes for one, so no cut past three times the
    // prefix's length can decode to it.
    let limit = prefix.len().saturating_mul(3).min(raw.len());
    (1..=raw.len())
        .take_while(|&end| end <= limit)
        .filter(|&end| end == raw.len() || raw.as_bytes()[end] == b'/')
        .find(|&end| decodes_to(&raw[..end], prefix))
        .map(|end| &raw[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segments are decoded once; bytes that are not UTF-8 are refused.
    #[test]
    fn segments_decode() {
        assert_eq!(decode_segment("plain"), Ok(Cow::Borrowed("plain")));
        assert!(matches!(decode_segment("plain"), Ok(Cow::Borrowed(_))));
        assert_eq!(decode_segment("caf%C3%A9").unwrap(), "café");
        assert_eq!(decode_segment("a%2Fb").unwrap(), "a/b");
        assert_eq!(decode_segment("%252e").unwrap(), "%2e");
        assert_eq!(decode_segment("%ff"), Err(NotUtf8));
        assert_eq!(decode_segment("100%").unwrap(), "100%");
    }

    fn environ(target: &str, script_name: &str, path_info: &str) -> Environ {
        let mut environ = Environ::synthetic("GET", target, b"");
        environ.set("SCRIPT_NAME", script_name);
        environ.set("PATH_INFO", path_info);
        environ
    }

    /// The raw path is found below any mount point, and gives way to a
    /// PATH_INFO that a middleware rewrote.
    #[test]
    fn the_raw_path_below_the_mount_point() {
        let cases = [
            // (REQUEST_URI, SCRIPT_NAME, PATH_INFO, expected raw path)
            ("/a%2Fb?x=1", "", "/a/b", "/a%2Fb"),
            ("/app/a%2Fb", "/app", "/a/b", "/a%2Fb"),
            ("/%61pp/x", "/app", "/x", "/x"),
            ("/app", "/app", "", ""),
            ("http://example.com/app/x", "/app", "/x", "/x"),
            ("/caf%C3%A9/x", "/café", "/x", "/x"),
            // A middleware rewrote PATH_INFO: it wins, re-encoded.
            ("/old/path", "", "/new/100%", "/new/100%25"),
            ("/app/x", "/other", "/x", "/x"),
        ];
        for (uri, script_name, path_info, expected) in cases {
            let environ = environ(uri, script_name, path_info);
            assert_eq!(raw_path_info(&environ), expected, "{uri} {script_name}");
        }
    }
}
