//! Checks of the *built* book: Markdown that mdBook did not turn into HTML.
//!
//! A fence indented inside a list item, around an include whose lines are
//! not indented, ends early, and everything after it renders as text in a
//! grey box: headings, tables, exercises. `mdbook build` reports nothing.
//! So after the build we read each chapter's page and check that:
//!
//! - every heading of the chapter's Markdown (a line starting with `#`,
//!   outside code fences) is an HTML heading on the page;
//! - no line of the page's text starts with a code fence (three
//!   backticks) or a Markdown heading (`## `), and no `{{#include ...}}` is
//!   left unexpanded.
//!
//! The scanner is deliberately small: it knows where tags start and end,
//! and a handful of entities, not HTML's whole grammar. mdBook's output is
//! regular enough for that; a page it could not read would show up as a
//! missing heading, never as a silent pass.

use std::fs;
use std::path::Path;

/// Checks the page `html` built from the chapter `markdown`; each problem is
/// one line naming the chapter.
pub fn check_page(chapter: &str, markdown: &str, html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let found: Vec<String> = html_headings(html).iter().map(|h| comparable(h)).collect();
    for heading in markdown_headings(markdown) {
        if !found.contains(&comparable(&heading)) {
            problems.push(format!(
                "{chapter}: the heading {heading:?} is not a heading in the built page \
                 (a broken code fence above it?)"
            ));
        }
    }
    // What the chapter shows on purpose, escaped as `\{{#include ...}}`.
    let shown: Vec<&str> = markdown
        .split("\\{{#")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .collect();
    for line in text_lines(html) {
        let line = line.trim();
        if shown
            .iter()
            .any(|escaped| line.contains(&format!("{{{{#{escaped}}}}}")))
        {
            continue;
        }
        if line.starts_with("```") || line.starts_with("## ") || line.starts_with("### ") {
            problems.push(format!(
                "{chapter}: raw Markdown in the built page: {line:?}"
            ));
        }
        if line.contains("{{#include ") || line.contains("{{#rustdoc_include ") {
            problems.push(format!("{chapter}: an include was not expanded: {line:?}"));
        }
    }
    problems
}

/// Checks every chapter of `src` against its page in `book`.
pub fn check_book(src: &Path, book: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut chapters: Vec<_> = fs::read_dir(src)
        .map_err(|e| format!("{}: {e}", src.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .filter(|path| path.file_name().is_some_and(|n| n != "SUMMARY.md"))
        .collect();
    chapters.sort();
    for chapter in chapters {
        let Some(stem) = chapter.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let page = book.join(format!("{stem}.html"));
        let markdown =
            fs::read_to_string(&chapter).map_err(|e| format!("{}: {e}", chapter.display()))?;
        let html = fs::read_to_string(&page).map_err(|e| format!("{}: {e}", page.display()))?;
        problems.extend(check_page(&format!("{stem}.md"), &markdown, &html));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The headings of a chapter's Markdown, outside code fences.
fn markdown_headings(markdown: &str) -> Vec<String> {
    let mut headings = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            headings.push(line[hashes..].trim().to_string());
        }
    }
    headings
}

/// The text of every `<h1>` to `<h6>` of a page.
fn html_headings(html: &str) -> Vec<String> {
    let mut headings = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        rest = &rest[at + 2..];
        let level = rest.as_bytes().first().copied().unwrap_or(0);
        if !(b'1'..=b'6').contains(&level) {
            continue;
        }
        let close = format!("</h{}>", level as char);
        let (Some(start), Some(end)) = (rest.find('>'), rest.find(&close)) else {
            break;
        };
        if start < end {
            headings.push(strip_tags(&rest[start + 1..end]));
        }
        rest = &rest[end..];
    }
    headings
}

/// The page's text, line by line, with its tags removed.
fn text_lines(html: &str) -> Vec<String> {
    strip_tags(html).lines().map(str::to_string).collect()
}

/// Removes tags and decodes the entities mdBook writes.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// A heading reduced to its letters and digits, lower case: Markdown's
/// backticks and emphasis, and HTML's entities and anchors, fall away.
fn comparable(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_MD: &str = "# Step 2\n\n- a list\n\n```console\n# not a heading\n```\n\n## What this step leaves out\n";
    const GOOD_HTML: &str = "<h1 id=\"step-2\"><a class=\"header\" href=\"#step-2\">Step 2</a></h1>\n\
        <ul><li>a list</li></ul>\n<pre><code class=\"language-console\"># not a heading\n</code></pre>\n\
        <h2 id=\"w\"><a class=\"header\" href=\"#w\">What this step leaves out</a></h2>\n";

    /// A page where every heading rendered passes.
    #[test]
    fn a_well_built_page_passes() {
        assert_eq!(
            check_page("ch.md", GOOD_MD, GOOD_HTML),
            Vec::<String>::new()
        );
    }

    /// The bug this check exists for: a broken fence swallows a heading,
    /// which then shows as raw Markdown in a code block.
    #[test]
    fn a_swallowed_heading_is_found() {
        let broken = "<h1 id=\"step-2\">Step 2</h1>\n<pre><code>table\n```\n\n## What this step leaves out\n</code></pre>\n";
        let problems = check_page("step02.md", GOOD_MD, broken);
        assert!(
            problems.iter().any(|p| p.contains("is not a heading")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("raw Markdown")),
            "{problems:?}"
        );
    }

    /// An include left as text is reported; the name `{{#include}}` in
    /// prose is not.
    #[test]
    fn an_unexpanded_include_is_found() {
        let html = "<h1>Step 2</h1><h2>What this step leaves out</h2>\n<p>{{#include ../../x.rs:y}}</p>\n<p>each <code>{{#include}}</code> resolves</p>\n";
        let problems = check_page("ch.md", GOOD_MD, html);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("not expanded"));
    }

    /// An include escaped in the Markdown (`\{{#include ...}}`) is shown
    /// on purpose, and is not reported.
    #[test]
    fn an_escaped_include_is_shown_not_reported() {
        let markdown = format!("{GOOD_MD}\nInclude it as `\\{{{{#include a.patch:solution}}}}`.\n");
        let html = format!(
            "{GOOD_HTML}<p>Include it as <code>{{{{#include a.patch:solution}}}}</code>.</p>\n"
        );
        assert_eq!(check_page("ch.md", &markdown, &html), Vec::<String>::new());
    }

    /// Headings compare by their words, whatever the markup around them.
    #[test]
    fn headings_compare_by_their_words() {
        assert_eq!(
            comparable("How `cargo xtask bench` compares"),
            comparable("How cargo xtask bench compares")
        );
        assert_eq!(
            html_headings(
                "<h3 id=\"a\"><a href=\"#a\">1. A <code>{slug}</code> &amp; more</a></h3>"
            ),
            ["1. A {slug} & more"]
        );
    }
}
