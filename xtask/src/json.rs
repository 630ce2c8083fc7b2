//! JSON written by hand, so that xtask keeps to the standard library.
//!
//! `grade --json` and `classroom` write JSON. A value is built as a small
//! tree and written with two spaces of indentation, the layout of
//! JavaScript's `JSON.stringify(value, null, 2)`, so that a committed file
//! diffs line by line. Strings are escaped as RFC 8259, section 7, asks:
//! `"` and `\` get a backslash, control characters are written as escapes,
//! and everything else (any Unicode) is written as it is.
//!
//! The tests read JSON back with a small parser, kept with them.

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number; nothing here needs fractions.
    Number(u64),
    /// A string, escaped when written.
    String(String),
    /// An array, in order.
    Array(Vec<Json>),
    /// An object: its members in the order they are written.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub fn string(text: impl Into<String>) -> Json {
        Json::String(text.into())
    }

    /// An object from `(name, value)` pairs, kept in that order.
    pub fn object<'a>(members: impl IntoIterator<Item = (&'a str, Json)>) -> Json {
        Json::Object(
            members
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        )
    }

    /// The value as text, indented by two spaces, ending in a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    /// Writes the value at the given depth of indentation.
    fn write(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| out.push_str(&"  ".repeat(depth));
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Number(value) => out.push_str(&value.to_string()),
            Json::String(text) => out.push_str(&quoted(text)),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(members) if members.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push_str("[\n");
                for (n, item) in items.iter().enumerate() {
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                    out.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
                }
                indent(out, depth);
                out.push(']');
            }
            Json::Object(members) => {
                out.push_str("{\n");
                for (n, (name, value)) in members.iter().enumerate() {
                    indent(out, depth + 1);
                    out.push_str(&quoted(name));
                    out.push_str(": ");
                    value.write(out, depth + 1);
                    out.push_str(if n + 1 < members.len() { ",\n" } else { "\n" });
                }
                indent(out, depth);
                out.push('}');
            }
        }
    }
}

/// `text` as a JSON string, in quotes, escaped (RFC 8259, section 7).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
pub mod read {
    //! A small JSON parser for the tests: it proves that what we write is
    //! JSON, and lets a test look inside it.

    use super::Json;

    /// Parses a whole document; anything left after the value is an error.
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
        };
        let value = parser.value()?;
        parser.skip_space();
        if parser.at == parser.chars.len() {
            Ok(value)
        } else {
            Err(format!("text after the value at {}", parser.at))
        }
    }

    /// Where the parser is in the text.
    struct Parser {
        chars: Vec<char>,
        at: usize,
    }

    impl Parser {
        /// Skips JSON's four whitespace characters.
        fn skip_space(&mut self) {
            while self
                .chars
                .get(self.at)
                .is_some_and(|c| matches!(c, ' ' | '\n' | '\r' | '\t'))
            {
                self.at += 1;
            }
        }

        /// Takes `c` after any whitespace, or fails.
        fn expect(&mut self, c: char) -> Result<(), String> {
            self.skip_space();
            if self.chars.get(self.at) == Some(&c) {
                self.at += 1;
                Ok(())
            } else {
                Err(format!("expected {c:?} at {}", self.at))
            }
        }

        /// Takes a literal word such as `true`.
        fn word(&mut self, word: &str, value: Json) -> Result<Json, String> {
            for c in word.chars() {
                if self.chars.get(self.at) != Some(&c) {
                    return Err(format!("expected {word} at {}", self.at));
                }
                self.at += 1;
            }
            Ok(value)
        }

        /// Any value.
        fn value(&mut self) -> Result<Json, String> {
            self.skip_space();
            match self.chars.get(self.at) {
                Some('n') => self.word("null", Json::Null),
                Some('t') => self.word("true", Json::Bool(true)),
                Some('f') => self.word("false", Json::Bool(false)),
                Some('"') => Ok(Json::String(self.string()?)),
                Some('[') => self.array(),
                Some('{') => self.object(),
                Some(c) if c.is_ascii_digit() => {
                    let start = self.at;
                    while self.chars.get(self.at).is_some_and(char::is_ascii_digit) {
                        self.at += 1;
                    }
                    let digits: String = self.chars[start..self.at].iter().collect();
                    digits.parse().map(Json::Number).map_err(|e| e.to_string())
                }
                other => Err(format!("unexpected {other:?} at {}", self.at)),
            }
        }

        /// A string, its escapes decoded.
        fn string(&mut self) -> Result<String, String> {
            self.expect('"')?;
            let mut out = String::new();
            loop {
                let c = *self.chars.get(self.at).ok_or("unterminated string")?;
                self.at += 1;
                match c {
                    '"' => return Ok(out),
                    '\\' => {
                        let escaped = *self.chars.get(self.at).ok_or("unterminated escape")?;
                        self.at += 1;
                        match escaped {
                            '"' | '\\' | '/' => out.push(escaped),
                            'n' => out.push('\n'),
                            'r' => out.push('\r'),
                            't' => out.push('\t'),
                            'b' => out.push('\u{8}'),
                            'f' => out.push('\u{c}'),
                            'u' => {
                                let hex: String = self.chars.iter().skip(self.at).take(4).collect();
                                self.at += 4;
                                let code = u32::from_str_radix(&hex, 16)
                                    .map_err(|_| format!("bad \\u escape {hex:?}"))?;
                                out.push(char::from_u32(code).ok_or("a surrogate")?);
                            }
                            other => return Err(format!("bad escape \\{other}")),
                        }
                    }
                    c if u32::from(c) < 0x20 => {
                        return Err(format!("a raw control character {c:?} in a string"));
                    }
                    c => out.push(c),
                }
            }
        }

        /// An array.
        fn array(&mut self) -> Result<Json, String> {
            self.expect('[')?;
            let mut items = Vec::new();
            self.skip_space();
            if self.chars.get(self.at) == Some(&']') {
                self.at += 1;
                return Ok(Json::Array(items));
            }
            loop {
                items.push(self.value()?);
                self.skip_space();
                match self.chars.get(self.at) {
                    Some(',') => self.at += 1,
                    Some(']') => {
                        self.at += 1;
                        return Ok(Json::Array(items));
                    }
                    other => return Err(format!("expected , or ] but found {other:?}")),
                }
            }
        }

        /// An object.
        fn object(&mut self) -> Result<Json, String> {
            self.expect('{')?;
            let mut members = Vec::new();
            self.skip_space();
            if self.chars.get(self.at) == Some(&'}') {
                self.at += 1;
                return Ok(Json::Object(members));
            }
            loop {
                self.skip_space();
                let name = self.string()?;
                self.expect(':')?;
                members.push((name, self.value()?));
                self.skip_space();
                match self.chars.get(self.at) {
                    Some(',') => self.at += 1,
                    Some('}') => {
                        self.at += 1;
                        return Ok(Json::Object(members));
                    }
                    other => return Err(format!("expected , or }} but found {other:?}")),
                }
            }
        }
    }

    impl Json {
        /// The member `name` of an object (`Null` if there is none).
        pub fn get(&self, name: &str) -> &Json {
            match self {
                Json::Object(members) => members
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(&Json::Null, |(_, v)| v),
                _ => &Json::Null,
            }
        }

        /// The items of an array (none for anything else).
        pub fn items(&self) -> &[Json] {
            match self {
                Json::Array(items) => items,
                _ => &[],
            }
        }

        /// The text of a string (`None` for anything else).
        pub fn as_str(&self) -> Option<&str> {
            match self {
                Json::String(text) => Some(text),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::read::parse;
    use super::*;

    /// Quotes, backslashes and control characters are escaped; other
    /// characters, Chinese included, are written as they are; and the
    /// parser reads every one of them back.
    #[test]
    fn strings_are_escaped_and_read_back() {
        let cases = [
            ("plain", r#""plain""#),
            ("say \"hi\" \\o/", r#""say \"hi\" \\o/""#),
            ("line\nbreak\ttab\r", r#""line\nbreak\ttab\r""#),
            ("bell\u{7}", r#""bell\u0007""#),
            ("你好", "\"你好\""),
        ];
        for (text, written) in cases {
            assert_eq!(quoted(text), written);
            assert_eq!(parse(written), Ok(Json::string(text)), "{written}");
        }
    }

    /// A nested value is written with two spaces per level, and parses
    /// back to the same value.
    #[test]
    fn values_are_indented_and_round_trip() {
        let value = Json::object([
            ("name", Json::string("alice")),
            ("solved", Json::Number(3)),
            ("error", Json::Null),
            (
                "steps",
                Json::Array(vec![Json::Bool(true), Json::Array(vec![])]),
            ),
            ("empty", Json::object([])),
        ]);
        let text = value.render();
        assert_eq!(
            text,
            "{\n  \"name\": \"alice\",\n  \"solved\": 3,\n  \"error\": null,\n  \"steps\": [\n    true,\n    []\n  ],\n  \"empty\": {}\n}\n"
        );
        assert_eq!(parse(&text), Ok(value));
    }

    /// What is not JSON is refused.
    #[test]
    fn the_parser_refuses_what_is_not_json() {
        for bad in [
            "{",
            "[1,]",
            "{\"a\" 1}",
            "\"raw\nline\"",
            "tru",
            "1 2",
            "'a'",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
