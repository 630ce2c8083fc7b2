//! HTML for pages the program writes itself: escaping text, and the one
//! skeleton every such page shares. Anything that came from a request (a
//! path, a file name a stranger chose) goes through [`escape`] before it is
//! put in a page.

use std::fmt;

// ANCHOR: escape
/// Escapes the five characters that mean something in HTML, so the text is
/// shown as text. Safe inside element content and inside quoted attributes.
///
/// Control characters (NUL and the rest of U+0000 to U+001F, U+007F to
/// U+009F) are not allowed in an HTML document, and a parser that meets one
/// reports an error. Tab, line feed and carriage return are whitespace and
/// stay; every other control character becomes U+FFFD, the replacement
/// character, so no page carries one, whatever text it was given.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = escape_to(&mut out, text); // writing to a String cannot fail
    out
}

/// [`escape`], writing to `out` (a template engine's output, say).
pub fn escape_to(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    // Runs of ordinary text are written whole, between replacements.
    let mut from = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            '\t' | '\n' | '\r' => continue,
            c if c.is_control() => "\u{fffd}",
            _ => continue,
        };
        out.write_str(&text[from..at])?;
        out.write_str(replacement)?;
        from = at + c.len_utf8();
    }
    out.write_str(&text[from..])
}
// ANCHOR_END: escape

// ANCHOR: page
/// The start of an HTML5 document, up to its `<body>`: the language, the
/// character set, a viewport for phones, and the title. `title` is text
/// (escaped here); `head` is more HTML for the head (a stylesheet, say), or
/// empty. [`PAGE_END`] closes what this opens.
pub fn page_start(title: &str, head: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n{head}</head>\n<body>\n",
        escape(title)
    )
}

/// What closes a page that [`page_start`] opened.
pub const PAGE_END: &str = "</body>\n</html>\n";

/// A whole HTML5 document: `title` is text, `body` is HTML in which every
/// value from a request was escaped by whoever built it.
pub fn page(title: &str, body: &str) -> String {
    let mut page = page_start(title, "");
    page.push_str(body);
    page.push_str(PAGE_END);
    page
}
// ANCHOR_END: page

#[cfg(test)]
mod tests {
    use super::*;

    /// The five special characters are escaped; everything else stays.
    #[test]
    fn escapes_the_special_characters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("café & 茶"), "café &amp; 茶");
    }

    /// No control character survives escaping but tab, LF and CR.
    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(
            escape("a\0b\u{7}c\u{7f}d\u{85}e"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e"
        );
        assert_eq!(escape("one\ttwo\r\nthree"), "one\ttwo\r\nthree");
    }

    /// A page is one document: its title escaped, its body as given.
    #[test]
    fn a_page_is_a_whole_document() {
        let html = page("<Hi>", "<p>body</p>\n");
        assert!(
            html.starts_with("<!doctype html>\n<html lang=\"en\">"),
            "{html}"
        );
        assert!(html.contains("<title>&lt;Hi&gt;</title>"), "{html}");
        assert!(
            html.ends_with("<body>\n<p>body</p>\n</body>\n</html>\n"),
            "{html}"
        );
    }
}
