//! Escaping text for HTML. Anything that came from a request (a path, a file
//! name a stranger chose) goes through [`escape`] before it is put in a page.

// ANCHOR: escape
/// Escapes the five characters that mean something in HTML, so the text is
/// shown as text. Safe inside element content and inside quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
// ANCHOR_END: escape

#[cfg(test)]
mod tests {
    use super::escape;

    /// The five special characters are escaped; everything else stays.
    #[test]
    fn escapes_the_special_characters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("café & 茶"), "café &amp; 茶");
    }
}
