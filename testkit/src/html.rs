//! Whether a page is a well-formed HTML5 document: parsed by html5ever, the
//! HTML5 parser of the Servo browser engine, with every parse error the
//! HTML Standard defines reported (a missing doctype, a misnested or
//! unclosed element, a duplicate attribute, ...). What a parser cannot see,
//! such as a missing title or a field without a label, the accessibility
//! audit in the browser tests checks.

use html5ever::tendril::TendrilSink;
use html5ever::tree_builder::TreeBuilderOpts;
use html5ever::{ParseOpts, parse_document};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

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

/// An element of a page, as a browser would build it: its name, its
/// attributes, and its text (what a reader sees, with runs of whitespace
/// made one space), so that a check does not depend on attribute order,
/// quoting or line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The tag name, lowercase: `a`, `time`, `input`.
    pub name: String,
    /// The attributes, in the order they were written.
    pub attributes: Vec<(String, String)>,
    /// The text inside, whitespace collapsed and trimmed.
    pub text: String,
}

impl Element {
    /// The value of the attribute `name`, if the element has it.
    pub fn attr(&self, name: &str) -> Option<&str> {
        let found = self.attributes.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str())
    }

    /// Whether the element's `class` attribute lists `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
    }
}

/// Every element called `tag` in `page`, in the order of the document.
pub fn elements(page: &str, tag: &str) -> Vec<Element> {
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(page);
    let mut found = Vec::new();
    collect(&dom.document, tag, &mut found);
    found
}

fn collect(node: &Handle, tag: &str, found: &mut Vec<Element>) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        if &*name.local == tag {
            let attributes = attrs
                .borrow()
                .iter()
                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                .collect();
            let mut text = String::new();
            text_of(node, &mut text);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            found.push(Element {
                name: tag.to_string(),
                attributes,
                text,
            });
        }
    }
    for child in node.children.borrow().iter() {
        collect(child, tag, found);
    }
}

fn text_of(node: &Handle, text: &mut String) {
    if let NodeData::Text { contents } = &node.data {
        text.push_str(&contents.borrow());
    }
    for child in node.children.borrow().iter() {
        text_of(child, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Elements are found whatever the order of their attributes and the
    /// whitespace in them.
    #[test]
    fn elements_whatever_their_spelling() {
        let page = "<p>x</p><A HREF='/users/41'\n   rel=prev>Previous\n  user</A>\
                    <a rel=\"next\" class=\"nav big\" href=\"/users/43\">Next</a>";
        let links = elements(page, "a");
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].attr("href"), Some("/users/41"));
        assert_eq!(links[0].attr("rel"), Some("prev"));
        assert_eq!(links[0].text, "Previous user");
        assert!(links[1].has_class("big") && !links[1].has_class("bi"));
        assert_eq!(links[1].attr("title"), None);
    }

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
