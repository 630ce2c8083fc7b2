//! Route patterns: `/users/{id:int}`, `/hello/{name}`, `/static/{*path}`.
//!
//! A pattern is a path cut into segments at each `/`. A segment is one of:
//!
//! - text, matched exactly (`users`), written as it reads: `/café` matches
//!   a request for `/caf%C3%A9`;
//! - a parameter, `{name}`: any one non-empty segment;
//! - a typed parameter, `{name:int}`: a segment its converter accepts;
//! - a catch-all, `{*name}`, last: everything that is left, one or more
//!   segments, slashes included.
//!
//! A pattern ending in `/` has an empty last segment: `/index/` is two
//! segments, `index` and the empty one. `/index` and `/index/` are two
//! different routes.

use std::fmt;

use crate::error::RouteError;

// ANCHOR: segment
/// One segment of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Text that the decoded segment must equal.
    Static(String),
    /// `{name}` or `{name:converter}`: one non-empty segment, captured.
    Param {
        /// What the handler asks for.
        name: String,
        /// What the segment must look like, if anything.
        converter: Option<Converter>,
    },
    /// `{*name}`: the rest of the path, captured, at least one character.
    CatchAll(String),
}

/// What a typed parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Converter {
    /// `{id:int}`: digits only, no sign, a value that fits in a `u64`.
    /// Anything else, `18446744073709551616` included, is not a match (so
    /// 404), never a number that overflows later (a 500).
    Int,
}

impl Converter {
    /// The converter a pattern names, such as `int`.
    pub fn named(name: &str) -> Option<Converter> {
        match name {
            "int" => Some(Converter::Int),
            _ => None,
        }
    }

    /// Its name in a pattern.
    pub fn name(self) -> &'static str {
        match self {
            Converter::Int => "int",
        }
    }

    /// Whether a decoded segment is a value of this type.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            Converter::Int => {
                !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_digit())
                    && value.parse::<u64>().is_ok()
            }
        }
    }
}
// ANCHOR_END: segment

/// A parsed route pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    segments: Vec<Segment>,
}

impl Pattern {
    // ANCHOR: parse
    /// Parses a pattern, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<Pattern, RouteError> {
        let invalid = |why: String| RouteError::Invalid {
            pattern: text.to_string(),
            why,
        };
        let Some(rest) = text.strip_prefix('/') else {
            return Err(invalid("a pattern starts with /".into()));
        };
        if text.contains(['?', '#']) {
            return Err(invalid("a pattern is a path: no ? or #".into()));
        }
        let pieces: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            let segment = parse_segment(piece).map_err(invalid)?;
            match &segment {
                Segment::Static(text) if text.is_empty() && !last => {
                    return Err(invalid(
                        "an empty segment (//) is refused: a proxy in front may merge \
                         a double slash into one (nginx does by default), so such a \
                         route would answer only some of the requests meant for it"
                            .into(),
                    ));
                }
                Segment::Static(text) if text == "." || text == ".." => {
                    return Err(invalid(
                        "browsers remove . and .. segments, so no request has them".into(),
                    ));
                }
                Segment::CatchAll(_) if !last => {
                    return Err(invalid(
                        "a catch-all {*name} must be the last segment".into(),
                    ));
                }
                _ => {}
            }
            segments.push(segment);
        }
        let pattern = Pattern {
            text: text.to_string(),
            segments,
        };
        let mut names: Vec<&str> = pattern.param_names().collect();
        names.sort_unstable();
        if let Some(twice) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(invalid(format!("the parameter {} appears twice", twice[0])));
        }
        Ok(pattern)
    }
    // ANCHOR_END: parse

    /// The pattern as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its segments, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The names of its parameters, in order.
    pub fn param_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Param { name, .. } | Segment::CatchAll(name) => Some(name.as_str()),
            Segment::Static(_) => None,
        })
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses the text between two slashes.
fn parse_segment(piece: &str) -> Result<Segment, String> {
    let Some(inner) = piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
        if piece.contains(['{', '}']) {
            return Err(format!(
                "{piece:?}: a parameter is a whole segment, such as /{{name}}"
            ));
        }
        return Ok(Segment::Static(piece.to_string()));
    };
    if let Some(name) = inner.strip_prefix('*') {
        check_name(name)?;
        return Ok(Segment::CatchAll(name.to_string()));
    }
    let (name, converter) = match inner.split_once(':') {
        Some((name, converter)) => {
            let converter = Converter::named(converter)
                .ok_or_else(|| format!("{piece:?}: there is no converter called {converter:?}"))?;
            (name, Some(converter))
        }
        None => (inner, None),
    };
    check_name(name)?;
    Ok(Segment::Param {
        name: name.to_string(),
        converter,
    })
}

/// A parameter's name is an identifier: it will be a variable in a handler.
fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a parameter name (letters, digits and _)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(text: &str) -> Vec<Segment> {
        Pattern::parse(text).unwrap().segments
    }

    fn text(s: &str) -> Segment {
        Segment::Static(s.into())
    }

    /// Patterns become segments; a trailing slash is an empty last segment.
    #[test]
    fn patterns_are_parsed_into_segments() {
        assert_eq!(segments("/"), [text("")]);
        assert_eq!(segments("/index/"), [text("index"), text("")]);
        assert_eq!(segments("/index"), [text("index")]);
        assert_eq!(
            segments("/users/{id:int}/posts/{slug}"),
            [
                text("users"),
                Segment::Param {
                    name: "id".into(),
                    converter: Some(Converter::Int)
                },
                text("posts"),
                Segment::Param {
                    name: "slug".into(),
                    converter: None
                },
            ]
        );
        assert_eq!(
            segments("/static/{*path}"),
            [text("static"), Segment::CatchAll("path".into())]
        );
        assert_eq!(segments("/café"), [text("café")]);
    }

    /// Each mistake in a pattern is refused with a reason.
    #[test]
    fn bad_patterns_are_refused() {
        let cases = [
            ("index", "starts with /"),
            ("/a//b", "empty segment"),
            ("/a/{*rest}/b", "last segment"),
            ("/user-{id}", "whole segment"),
            ("/{id:float}", "no converter"),
            ("/{}", "not a parameter name"),
            ("/{1x}", "not a parameter name"),
            ("/{a}/{a}", "appears twice"),
            ("/a?b", "no ? or #"),
            ("/a/../b", "browsers remove"),
        ];
        for (pattern, expected) in cases {
            let error = Pattern::parse(pattern).unwrap_err().to_string();
            assert!(error.contains(expected), "{pattern}: {error}");
            assert!(error.contains(pattern), "{pattern}: {error}");
        }
    }

    /// `int` accepts what fits in a u64, and nothing else.
    #[test]
    fn the_int_converter() {
        for yes in ["0", "42", "007", "18446744073709551615"] {
            assert!(Converter::Int.accepts(yes), "{yes}");
        }
        for no in [
            "",
            "-1",
            "+1",
            "1.5",
            "12a",
            " 1",
            "18446744073709551616",
            "١٢",
        ] {
            assert!(!Converter::Int.accepts(no), "{no}");
        }
    }
}
