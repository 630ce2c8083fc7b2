//! Checks of the *built* book: Markdown that mdBook did not turn into HTML.
//!
//! The bug this exists for: a code fence indented inside a list item, around
//! an `{{#include}}` whose lines are not indented. The first included line
//! ends the list item, so the fence ends there too; the fence's closing
//! marker then *opens* a new code block, which runs on to the next fence of
//! the chapter. Headings, tables and exercises after it come out as raw
//! Markdown in a grey box, and leave the sidebar. `mdbook build` says
//! nothing. So after the build we read each chapter's page and check that:
//!
//! - every heading of the chapter's Markdown (an ATX heading, `#` to
//!   `######`, outside code fences and HTML comments) is an `<h1>`..`<h6>`
//!   of the page, in the same order;
//! - no line of the page's text looks like Markdown that was not rendered:
//!   a code fence (three backticks or tildes), a heading (`## ...`), or a
//!   table's delimiter row (`|---|---|`). Inside a code block such a line
//!   is fine when the chapter shows it on purpose: when the same line is
//!   inside a fence of the chapter's Markdown, or in a file it includes.
//!   Outside a code block it is always an error;
//! - no `{{#include ...}}` or `{{#rustdoc_include ...}}` is left, except
//!   those the chapter escapes (`\{{#include ...}}`) to show them.
//!
//! This is a small scanner, not an HTML or Markdown parser, and it has
//! limits. It reads the page's `<main>` element only, and knows where tags
//! start and end, whether a line is inside `<pre>`, and the entities
//! mdBook writes; it does not know comments, CDATA or `<script>` inside
//! `<main>` (mdBook puts none there). On the Markdown side it knows ATX
//! headings, fences (backticks and tildes, of any length and indentation)
//! and HTML comments; a setext heading (a line underlined with `===`) is not
//! seen, so it is not checked (this book has none). Headings are compared
//! by their letters and digits only, so markup, smart quotes and entities
//! do not matter, and a heading repeated in a chapter must be there as many
//! times. None of these limits can make a broken page pass silently in the
//! way above: a page the scanner misreads shows as a heading that is missing,
//! which fails.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use crate::book;

/// Checks the page of every chapter listed in `src/SUMMARY.md`.
pub fn check_book(src: &Path, book: &Path) -> Result<(), String> {
    let summary = src.join("SUMMARY.md");
    let summary =
        fs::read_to_string(&summary).map_err(|e| format!("{}: {e}", summary.display()))?;
    let mut problems = Vec::new();
    for chapter in chapters_in(&summary) {
        let source = src.join(&chapter);
        let page = book.join(Path::new(&chapter).with_extension("html"));
        let markdown =
            fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let html = fs::read_to_string(&page)
            .map_err(|e| format!("{}: {e} (mdBook built no page for it?)", page.display()))?;
        // Lines the chapter shows on purpose inside code blocks: its own
        // fenced lines, and every line of every file it includes.
        let mut verbatim: HashSet<String> = fenced_lines(&markdown)
            .into_iter()
            .map(|line| line.trim().to_string())
            .collect();
        for file in book::included_files(&source, &markdown) {
            if let Ok(text) = fs::read_to_string(&file) {
                verbatim.extend(text.lines().map(|line| line.trim().to_string()));
            }
        }
        let name = format!("docs/src/{chapter}");
        problems.extend(check_page(&name, &markdown, &html, &verbatim));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the built book lost some of its Markdown:\n{}",
            problems.join("\n")
        ))
    }
}

/// Checks the page of every chapter of a translated edition, built into
/// `translated` (the English edition is in `english`): its language is
/// `language`; it has as many headings as the English page, so none was
/// lost to a broken fence in a translation; no raw Markdown and no include
/// is left in it; and it links to the other edition.
pub fn check_translation(
    src: &Path,
    english: &Path,
    translated: &Path,
    language: &str,
) -> Result<(), String> {
    let summary = src.join("SUMMARY.md");
    let summary =
        fs::read_to_string(&summary).map_err(|e| format!("{}: {e}", summary.display()))?;
    let mut problems = Vec::new();
    for chapter in chapters_in(&summary) {
        let page = Path::new(&chapter).with_extension("html");
        let read = |dir: &Path| {
            fs::read_to_string(dir.join(&page))
                .map_err(|e| format!("{}: {e}", dir.join(&page).display()))
        };
        let (ours, theirs) = (read(translated)?, read(english)?);
        let name = format!("{language}/{}", page.display());
        if !ours.contains(&format!("<html lang=\"{language}\"")) {
            problems.push(format!("{name}: the page does not say lang=\"{language}\""));
        }
        if !ours.contains("id=\"language-link\"") {
            problems.push(format!("{name}: no link to the other edition"));
        }
        let summaries = |html: &str| -> Vec<String> {
            html.split("<summary>")
                .skip(1)
                .filter_map(|rest| rest.split("</summary>").next())
                .map(str::to_string)
                .collect()
        };
        for (mine, english) in summaries(&ours).iter().zip(summaries(&theirs)) {
            if *mine == english && english.chars().any(|c| c.is_ascii_alphabetic()) {
                problems.push(format!("{name}: a <summary> left in English: {english:?}"));
            }
        }
        let count = |html: &str| html_headings(page_main(html)).len();
        if count(&ours) != count(&theirs) {
            problems.push(format!(
                "{name}: {} headings where the English page has {}: a translation broke one",
                count(&ours),
                count(&theirs)
            ));
        }
        // Code is not translated: a line of code that looks like Markdown,
        // or like an include, is fine if the English page shows it too.
        let english_lines: HashSet<String> = text_lines(page_main(&theirs))
            .iter()
            .map(|line| line.text.trim().to_string())
            .collect();
        for line in text_lines(page_main(&ours)) {
            let text = line.text.trim();
            let shown_in_english = line.in_code && english_lines.contains(text);
            if let (Some(what), false) = (markdown_in(text), shown_in_english) {
                problems.push(format!("{name}: {what} left as raw Markdown: {text:?}"));
            }
            if has_include(text) && !shown_in_english {
                problems.push(format!("{name}: an include was not expanded: {text:?}"));
            }
        }
        // A missing mdbook-gettext leaves the pages in English (the
        // preprocessor is optional, for the English book's sake).
        if language.starts_with("zh")
            && !page_main(&ours)
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            problems.push(format!(
                "{name}: no Chinese in the page: was it translated?"
            ));
        }
        problems.extend(check_images(translated, &page, &ours, language));
        for line in text_lines(&without_code(page_main(&ours))) {
            if unrendered_emphasis(&line.text) {
                problems.push(format!(
                    "{name}: emphasis left as text (write <em>...</em> in the translation): \
                     {:?}",
                    line.text.trim()
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("the {language} edition:\n{}", problems.join("\n")))
    }
}

/// The images of the translated page `page` (its HTML `html`, in the
/// edition built in `edition`): each must exist, and where a diagram has
/// a version in the edition's language (`diagrams/LANGUAGE/NAME.svg`
/// beside `diagrams/NAME.svg`), the page must show that one.
fn check_images(edition: &Path, page: &Path, html: &str, language: &str) -> Vec<String> {
    let dir = edition.join(page.parent().unwrap_or(Path::new("")));
    let mut problems = Vec::new();
    for source in html.split("<img src=\"").skip(1) {
        let Some(source) = source.split('"').next() else {
            continue;
        };
        if source.contains("://") {
            continue;
        }
        let name = format!("{language}/{}", page.display());
        if !dir.join(source).is_file() {
            problems.push(format!("{name}: the image {source} is not there"));
        }
        let path = Path::new(source);
        if let (Some(folder), Some(file)) = (path.parent(), path.file_name()) {
            let translated = folder.join(language).join(file);
            if dir.join(&translated).is_file() {
                problems.push(format!(
                    "{name}: shows {source}, where {} is in {language}",
                    translated.display()
                ));
            }
        }
    }
    problems
}

/// `html` without its code, inline or in blocks, where any character may
/// stand next to any other.
fn without_code(html: &str) -> String {
    let mut kept = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["<code", "<pre"]
            .iter()
            .filter_map(|open| rest.find(open).map(|at| (at, *open)))
            .min();
        let Some((at, open)) = next else { break };
        kept.push_str(&rest[..at]);
        let close = if open == "<pre" { "</pre>" } else { "</code>" };
        match rest[at..].find(close) {
            Some(end) => rest = &rest[at + end + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    kept.push_str(rest);
    kept
}

/// Whether `text` has a `*` or `_` touching a Chinese character or
/// full-width punctuation: emphasis that CommonMark did not see as
/// emphasis. mdbook-gettext writes every `*x*` of a translation back as
/// `_x_`, and CommonMark takes an underscore between two Chinese characters
/// as a plain underscore, so translations write `<em>x</em>`.
fn unrendered_emphasis(text: &str) -> bool {
    let wide = |c: char| matches!(c, '\u{3000}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}');
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        (c == '*' || c == '_')
            && (i.checked_sub(1).is_some_and(|j| wide(chars[j]))
                || chars.get(i + 1).is_some_and(|&next| wide(next)))
    })
}

/// Checks the page `html` built from the chapter `markdown` (called `name`
/// in messages). `verbatim` holds the trimmed lines that may appear inside
/// a code block even though they look like Markdown.
pub fn check_page(
    name: &str,
    markdown: &str,
    html: &str,
    verbatim: &HashSet<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let main = page_main(html);

    // Headings, in order: each is looked for after the previous one found.
    let found: Vec<String> = html_headings(main).iter().map(|h| comparable(h)).collect();
    let mut next = 0;
    for heading in markdown_headings(markdown) {
        let wanted = comparable(&heading.text);
        match found[next..].iter().position(|h| *h == wanted) {
            Some(at) => next += at + 1,
            None => problems.push(format!(
                "{name}:{}: the heading {:?} is not a heading in the built page; \
                 a code fence above it probably ends early or never ends \
                 (an indented fence around an include?)",
                heading.line, heading.text
            )),
        }
    }

    // Escaped includes, shown on purpose: `\{{#include a.patch}}` in the
    // Markdown is `{{#include a.patch}}` on the page.
    let shown: Vec<String> = markdown
        .split("\\{{#")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(|inside| format!("{{{{#{inside}}}}}"))
        .collect();
    for line in text_lines(main) {
        let text = line.text.trim();
        if let Some(what) = markdown_in(text) {
            if !line.in_code || !verbatim.contains(text) {
                let place = if line.in_code {
                    "in a code block"
                } else {
                    "as text"
                };
                problems.push(format!(
                    "{name}: {what} left as raw Markdown {place} of the built page: {text:?}"
                ));
            }
        }
        let mut rest = text.to_string();
        for escaped in &shown {
            rest = rest.replace(escaped.as_str(), "");
        }
        if has_include(&rest) {
            problems.push(format!(
                "{name}: an include was not expanded in the built page: {text:?}"
            ));
        }
    }
    problems
}

/// The chapters of a `SUMMARY.md`: the target of every `(...md)` link.
pub(crate) fn chapters_in(summary: &str) -> Vec<String> {
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| target.ends_with(".md"))
        .map(str::to_string)
        .collect()
}

/// A heading of the chapter's Markdown, with its line number (from 1).
#[derive(Debug, PartialEq)]
struct Heading {
    line: usize,
    text: String,
}

/// The opening or closing line of a code fence: its character (backtick or
/// tilde) and how many of them.
#[derive(Clone, Copy)]
struct Fence {
    mark: u8,
    len: usize,
    indent: usize,
}

/// Whether `line` is a fence line, and which. Indentation is allowed (a
/// fence in a list item is indented); what follows the marks is the info
/// string, which a closing fence must not have.
fn fence(line: &str) -> Option<(Fence, &str)> {
    let indent = line.len() - line.trim_start().len();
    let line = line.trim_start();
    let mark = *line.as_bytes().first()?;
    if mark != b'`' && mark != b'~' {
        return None;
    }
    let len = line.bytes().take_while(|&b| b == mark).count();
    (len >= 3).then(|| (Fence { mark, len, indent }, line[len..].trim()))
}

/// What a line of a chapter's Markdown is, for these checks.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// Rendered as Markdown: it may be a heading.
    Text,
    /// Inside a code fence: shown as it is. The number is how far the
    /// opening fence is indented.
    Code(usize),
    /// A fence's opening or closing line: markup, not shown.
    Fence,
    /// Inside an HTML comment, or opening one: not shown at all.
    Comment,
}

/// Sorts a chapter's lines into text, code and comments, with their line
/// numbers (from 1). A fence closes only with the same character, at least
/// as many of them, and nothing after.
fn classify_lines(markdown: &str) -> Vec<(usize, &str, Kind)> {
    let mut open: Option<Fence> = None;
    let mut in_comment = false;
    let mut lines = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        let kind = if in_comment {
            in_comment = !line.contains("-->");
            Kind::Comment
        } else if let Some(o) = open {
            if let Some((f, "")) = fence(line) {
                if f.mark == o.mark && f.len >= o.len {
                    open = None;
                }
            }
            if open.is_some() {
                Kind::Code(o.indent)
            } else {
                Kind::Fence
            }
        } else if let Some((f, _)) = fence(line) {
            open = Some(f);
            Kind::Fence
        } else if line.trim_start().starts_with("<!--") {
            in_comment = !line.contains("-->");
            Kind::Comment
        } else {
            Kind::Text
        };
        lines.push((index + 1, line, kind));
    }
    lines
}

/// The lines inside the code fences of a chapter (not the fences).
fn fenced_lines(markdown: &str) -> Vec<&str> {
    classify_lines(markdown)
        .into_iter()
        .filter(|&(_, _, kind)| matches!(kind, Kind::Code(_)))
        .map(|(_, line, _)| line)
        .collect()
}

/// The lines (from 1) of includes inside an indented fence, the cause of
/// the bug above, with the fence's indentation. Checked on the Markdown
/// before the build, so the message can name the line to fix.
pub fn includes_in_indented_fences(markdown: &str) -> Vec<(usize, usize)> {
    classify_lines(markdown)
        .into_iter()
        .filter_map(|(line_number, line, kind)| match kind {
            Kind::Code(indent) if indent > 0 && has_include(line) => Some((line_number, indent)),
            _ => None,
        })
        .collect()
}

/// The ATX headings of a chapter, outside fences and comments. An optional
/// closing run of `#` and a `{#id .class}` attribute block are not part of
/// the text.
fn markdown_headings(markdown: &str) -> Vec<Heading> {
    let mut headings = Vec::new();
    for (line_number, line, kind) in classify_lines(markdown) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if kind != Kind::Text || indent > 3 {
            continue;
        }
        let line = &line[indent..];
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with([' ', '\t']) {
            continue;
        }
        let mut text = line[hashes..].trim();
        if text.ends_with('}') {
            if let Some(open) = text.rfind("{#").or_else(|| text.rfind("{.")) {
                text = text[..open].trim_end();
            }
        }
        let without_closing = text.trim_end_matches('#');
        if without_closing.is_empty() || without_closing.ends_with(' ') {
            text = without_closing.trim_end();
        }
        if !text.is_empty() {
            headings.push(Heading {
                line: line_number,
                text: text.to_string(),
            });
        }
    }
    headings
}

/// The chapter's own part of a page: mdBook puts it in `<main>`, apart from
/// the sidebar and the menu bar (whose `<h1>` is the book's title).
fn page_main(html: &str) -> &str {
    let start = html.find("<main>").map_or(0, |at| at + "<main>".len());
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |at| start + at);
    &html[start..end]
}

/// The text of every `<h1>` to `<h6>`, tags removed and entities decoded.
fn html_headings(html: &str) -> Vec<String> {
    let mut headings = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        rest = &rest[at + 2..];
        let level = rest.as_bytes().first().copied().unwrap_or(0);
        let after = rest.as_bytes().get(1).copied().unwrap_or(0);
        // `<h2>` or `<h2 id=...>`; not `<head>`, `<hr>`, `<h2x>`.
        if !(b'1'..=b'6').contains(&level) || !(after == b'>' || after == b' ') {
            continue;
        }
        let close = format!("</h{}>", level as char);
        let (Some(start), Some(end)) = (rest.find('>'), rest.find(&close)) else {
            break;
        };
        if start < end {
            headings.push(
                text_lines(&rest[start + 1..end])
                    .into_iter()
                    .map(|line| line.text)
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        rest = &rest[end..];
    }
    headings
}

/// A line of a page's text, and whether it is inside `<pre>` (a code block).
struct TextLine {
    text: String,
    in_code: bool,
}

/// The text of some HTML, line by line, tags removed and entities decoded.
/// A line counts as code if any of it is inside `<pre>`.
fn text_lines(html: &str) -> Vec<TextLine> {
    let mut lines = Vec::new();
    let mut text = String::new();
    let mut in_code = false;
    let mut depth = 0usize;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let end = rest.find('>').map_or(rest.len(), |at| at + 1);
            let tag = rest[..end].to_ascii_lowercase();
            if tag.starts_with("<pre") {
                depth += 1;
                in_code = true;
            } else if tag.starts_with("</pre") {
                depth = depth.saturating_sub(1);
            }
            rest = &rest[end..];
            continue;
        }
        if c == '\n' {
            lines.push(TextLine {
                text: decode_entities(&text),
                in_code,
            });
            text.clear();
            in_code = depth > 0;
        } else {
            text.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    lines.push(TextLine {
        text: decode_entities(&text),
        in_code,
    });
    lines
}

/// Decodes the named entities mdBook writes, and numeric ones, in one pass
/// (so `&amp;lt;` becomes `&lt;`, not `<`). Anything else stays as it is.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| &rest[1..end]);
        let decoded = match entity {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some(e) if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            Some(e) if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match (decoded, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What kind of Markdown a line of rendered text looks like, if any.
fn markdown_in(line: &str) -> Option<&'static str> {
    if fence(line).is_some() {
        return Some("a code fence");
    }
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        return Some("a heading");
    }
    let is_delimiter_row = line.contains('|')
        && line.contains("---")
        && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
    if is_delimiter_row {
        return Some("a table row");
    }
    None
}

/// Whether text holds an include directive: `{{#include ...}}` or
/// `{{#rustdoc_include ...}}`, with the spaces mdBook allows after `{{`.
fn has_include(text: &str) -> bool {
    text.split("{{").skip(1).any(|rest| {
        let rest = rest.trim_start();
        rest.starts_with("#include ") || rest.starts_with("#rustdoc_include ")
    })
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

    /// The end of step 2's chapter as it was when the bug was found: the
    /// limits table's listing inside a list item, its fence indented.
    const BROKEN_MD: &str = "\
## How this step is tested

- **Real sockets.** `tests/limits.rs` sends each malformed request:

  ```rust,noplayground
  {{#include ../../step02_http_reply/tests/limits.rs:table}}
  ```

  `tests/folder.rs` drives the folder server.

## What this step leaves out

- **Keep-alive.** One request per connection.

## Exercises

### 1. A custom 404 page

```console
$ cargo xtask exercise check step02/custom_404
```

### 2. Show patches in the browser
";

    /// What mdBook 0.5.4 built from it (cut short, but otherwise as
    /// written): the fence closed at the first included line, and the
    /// closing fence opened a code block that swallowed two headings.
    const BROKEN_HTML: &str = r##"<main>
<h2 id="how-this-step-is-tested"><a class="header" href="#how-this-step-is-tested">How this step is tested</a></h2>
<ul>
<li>
<p><strong>Real sockets.</strong> <code>tests/limits.rs</code> sends each malformed request:</p>
<pre><code class="language-rust noplayground">/// Each malformed or oversized request gets the status that says what is</code></pre>
</li>
</ul>
<p>/// wrong with it, and the server answers the next request normally.
#[test]
fn every_bad_request_gets_its_status() {
}</p>
<pre><code>
`tests/folder.rs` drives the folder server.

## What this step leaves out

- **Keep-alive.** One request per connection.

## Exercises

### 1. A custom 404 page

```console
$ cargo xtask exercise check step02/custom_404
</code></pre>
<h3 id="2-show-patches-in-the-browser"><a class="header" href="#2-show-patches-in-the-browser">2. Show patches in the browser</a></h3>
</main>"##;

    /// The same chapter with the listing taken out of the list item, as
    /// mdBook builds it.
    const GOOD_HTML: &str = r##"<main>
<h2 id="how-this-step-is-tested"><a class="header" href="#how-this-step-is-tested">How this step is tested</a></h2>
<ul>
<li><strong>Real sockets.</strong> <code>tests/limits.rs</code> sends each malformed request:</li>
</ul>
<pre><code class="language-rust noplayground">/// Each malformed or oversized request gets the status that says what is
#[test]
fn every_bad_request_gets_its_status() {
}</code></pre>
<p><code>tests/folder.rs</code> drives the folder server.</p>
<h2 id="what-this-step-leaves-out"><a class="header" href="#what-this-step-leaves-out">What this step leaves out</a></h2>
<ul>
<li><strong>Keep-alive.</strong> One request per connection.</li>
</ul>
<h2 id="exercises"><a class="header" href="#exercises">Exercises</a></h2>
<h3 id="1-a-custom-404-page"><a class="header" href="#1-a-custom-404-page">1. A custom 404 page</a></h3>
<pre><code class="language-console">$ cargo xtask exercise check step02/custom_404
</code></pre>
<h3 id="2-show-patches-in-the-browser"><a class="header" href="#2-show-patches-in-the-browser">2. Show patches in the browser</a></h3>
</main>"##;

    fn verbatim(markdown: &str) -> HashSet<String> {
        fenced_lines(markdown)
            .into_iter()
            .map(|l| l.trim().to_string())
            .collect()
    }

    /// A page where everything rendered passes.
    #[test]
    fn a_well_built_page_passes() {
        let problems = check_page("step02.md", BROKEN_MD, GOOD_HTML, &verbatim(BROKEN_MD));
        assert_eq!(problems, Vec::<String>::new());
    }

    /// The bug this check exists for must fail it, naming the chapter, the
    /// line and each heading lost, and the raw Markdown left in the page.
    #[test]
    fn the_broken_fence_of_step_2_fails() {
        let problems = check_page("step02.md", BROKEN_MD, BROKEN_HTML, &verbatim(BROKEN_MD));
        let lost: Vec<&String> = problems
            .iter()
            .filter(|p| p.contains("is not a heading"))
            .collect();
        assert_eq!(lost.len(), 3, "{problems:#?}");
        assert!(lost[0].starts_with("step02.md:11: the heading \"What this step leaves out\""));
        assert!(lost[1].contains("\"Exercises\""));
        assert!(lost[2].contains("\"1. A custom 404 page\""));
        for raw in ["## What this step leaves out", "## Exercises", "```console"] {
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains("raw Markdown") && p.contains(raw)),
                "{raw} not reported: {problems:#?}"
            );
        }
    }

    /// A Markdown line inside a code block passes only if the chapter
    /// shows it in a fence (or an included file); outside a code block it
    /// never does.
    #[test]
    fn markdown_in_code_passes_only_when_shown_on_purpose() {
        let markdown = "# Title\n\n```console\n$ cat notes.md\n## Notes\n|---|---|\n```\n";
        let html = "<main><h1>Title</h1>\n<pre><code>$ cat notes.md\n## Notes\n|---|---|\n</code></pre></main>";
        assert_eq!(
            check_page("a.md", markdown, html, &verbatim(markdown)),
            Vec::<String>::new()
        );
        let loose = "<main><h1>Title</h1>\n<p>| a | b |\n|---|---|\n| 1 | 2 |</p></main>";
        let problems = check_page("a.md", markdown, loose, &verbatim(markdown));
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].contains("a table row left as raw Markdown as text"));
    }

    /// An include left as text is reported; one escaped in the Markdown
    /// (`\{{#include ...}}`) is shown on purpose and is not.
    #[test]
    fn unexpanded_includes_are_found() {
        let markdown = "# T\n\nInclude it as `\\{{#include a.patch:solution}}`.\n";
        let shown = "<main><h1>T</h1>\n<p>Include it as <code>{{#include a.patch:solution}}</code>.</p></main>";
        assert_eq!(
            check_page("a.md", markdown, shown, &HashSet::new()),
            Vec::<String>::new()
        );
        let left =
            "<main><h1>T</h1>\n<pre><code>{{ #rustdoc_include ../x.rs:main}}</code></pre></main>";
        let problems = check_page("a.md", markdown, left, &HashSet::new());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].contains("not expanded"));
    }

    /// Headings are found outside fences and comments only, without a
    /// closing run of `#` or an attribute block; a heading repeated must
    /// be on the page as many times.
    #[test]
    fn markdown_headings_are_read_like_commonmark() {
        let markdown = "# One #\n\n````md\n```\n## not a heading\n```\n````\n\
                        <!--\n## hidden\n-->\n#hashtag\n## Two {#two .x}\n   ### Three\n## Two\n";
        let texts: Vec<String> = markdown_headings(markdown)
            .into_iter()
            .map(|h| h.text)
            .collect();
        assert_eq!(texts, ["One", "Two", "Three", "Two"]);
        let html = "<main><h1>One</h1><h2>Two</h2><h3>Three</h3></main>";
        let problems = check_page("a.md", markdown, html, &verbatim(markdown));
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].starts_with("a.md:14: the heading \"Two\""));
    }

    /// The cause is found in the Markdown too, with its line; a fence
    /// that is not indented may include anything.
    #[test]
    fn an_include_in_an_indented_fence_is_found() {
        assert_eq!(includes_in_indented_fences(BROKEN_MD), [(6, 2)]);
        let fixed = "- a list item\n\n```rust\n{{#include a.rs:x}}\n```\n";
        assert_eq!(includes_in_indented_fences(fixed), []);
    }

    /// A missing image is found, and so is an English diagram shown where
    /// the edition has its own.
    #[test]
    fn images_must_exist_and_be_the_editions_own() {
        let dir = std::env::temp_dir().join(format!("xtask-images-{}", std::process::id()));
        fs::create_dir_all(dir.join("diagrams").join("zh-CN")).unwrap();
        for file in ["diagrams/a.svg", "diagrams/b.svg", "diagrams/zh-CN/a.svg"] {
            fs::write(dir.join(file), "<svg/>").unwrap();
        }
        let page = Path::new("step01.html");
        let good =
            r#"<img src="diagrams/zh-CN/a.svg" alt="甲"><img src="diagrams/b.svg" alt="乙">"#;
        assert!(check_images(&dir, page, good, "zh-CN").is_empty());
        let bad = r#"<img src="diagrams/a.svg" alt="甲"><img src="diagrams/c.svg" alt="丙">"#;
        let problems = check_images(&dir, page, bad, "zh-CN");
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].contains("diagrams/zh-CN/a.svg is in zh-CN"),
            "{problems:#?}"
        );
        assert!(
            problems[1].contains("diagrams/c.svg is not there"),
            "{problems:#?}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A `*` or `_` touching Chinese text is emphasis that did not render;
    /// one between Latin words or in a name is not.
    #[test]
    fn emphasis_that_did_not_render_is_found() {
        assert!(unrendered_emphasis("在_同一个_报文段里"));
        assert!(unrendered_emphasis("**真。**她"));
        assert!(!unrendered_emphasis(
            "在同一个报文段里，max_connections 与 a * b"
        ));
        let html = "<p>在<em>同一个</em>段里，<code>_</code>能找到</p><pre>_中_</pre>";
        assert_eq!(without_code(html), "<p>在<em>同一个</em>段里，能找到</p>");
    }

    /// Headings compare by their words, whatever the markup around them;
    /// entities are decoded once.
    #[test]
    fn headings_compare_by_their_words() {
        assert_eq!(
            comparable("How `cargo xtask bench` compares"),
            comparable("How cargo xtask bench compares")
        );
        assert_eq!(
            html_headings(
                "<head></head><hr><h3 id=\"a\"><a href=\"#a\">1. A <code>{slug}</code> &amp; more</a></h3>"
            ),
            ["1. A {slug} & more"]
        );
        assert_eq!(
            decode_entities("&amp;lt;&#x2f;&#39;&nbsp;&"),
            "&lt;/'&nbsp;&"
        );
    }

    /// The chapters are the Markdown files SUMMARY.md links to.
    #[test]
    fn chapters_come_from_the_summary() {
        let summary = "# Summary\n\n[Intro](introduction.md)\n\n- [Step 1](step01.md)\n  - [Deep](part/deep.md)\n\n---\n";
        assert_eq!(
            chapters_in(summary),
            ["introduction.md", "step01.md", "part/deep.md"]
        );
    }
}
