//! Whether a page is a well-formed HTML5 document: parsed by html5ever, the
//! HTML5 parser of the Servo browser engine, with every parse error the
//! HTML Standard defines reported (a missing doctype, a misnested or
//! unclosed element, a duplicate attribute, ...). What a parser cannot see,
//! such as a missing title or a field without a label, the accessibility
//! audit in the browser tests checks.

use html5ever::tendril::TendrilSink;
use html5ever::tree_builder::TreeBuilderOpts;
use html5ever::{ParseOpts, parse_document};
use markup5ever_rcdom::RcDom;

/// The HTML Standard's parse errors in `page`; none for a well-formed one.
pub fn parse_errors(page: &str) -> Vec<String> {
    let opts = ParseOpts {
        tree_builder: TreeBuilderOpts {
            exact_errors: true,
            ..TreeBuilderOpts::default()
        },
        ..ParseOpts::default()
    };
    let dom = parse_document(RcDom::default(), opts).one(page);
    let errors = dom.errors.borrow();
    errors.iter().map(|error| error.to_string()).collect()
}

/// Panics, naming `what` and the errors, unless `page` starts with the
/// HTML5 doctype, names its language, and parses with no error.
pub fn assert_html5(page: &str, what: &str) {
    assert!(
        page.to_ascii_lowercase().starts_with("<!doctype html>"),
        "{what}: no <!doctype html> first"
    );
    assert!(page.contains("<html lang=\""), "{what}: no <html lang=...>");
    let errors = parse_errors(page);
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{page}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A good page has no errors; a bad one has the ones it deserves.
    #[test]
    fn errors_are_found() {
        let good = "<!doctype html><html lang=en><head><title>x</title></head>\
                    <body><p>ok</p></body></html>";
        assert!(parse_errors(good).is_empty(), "{:?}", parse_errors(good));
        let bad = "<html><body><p><div>x</p></div><b a=1 a=2>";
        let found = parse_errors(bad);
        assert!(found.len() >= 3, "{found:?}");
        assert!(
            found.iter().any(|e| e.contains("Duplicate attribute")),
            "{found:?}"
        );
    }
}
