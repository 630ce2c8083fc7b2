//! The book's rules for listings and chapters, the Rust Book's way, checked
//! on the Markdown before the book is built:
//!
//! - a listing (a code fence that includes a file of the workspace, not a
//!   command's output) is introduced by a line `*Filename: PATH*` that
//!   names the file it includes, so a reader always knows where the code
//!   lives;
//! - a listing of more than [`LONG`] lines needs a reason, said in the text
//!   and marked for this check by a comment `<!-- long listing: ... -->`
//!   just before it;
//! - no line of a listing is wider than [`WIDE`] columns (for a patch, not
//!   counting the column that marks a line added or removed);
//! - no chapter is longer than [`MAX_WORDS`] words of prose: the words of
//!   its Markdown outside code blocks, as `wc -w` counts them, the
//!   teachers' speaker notes included.
//!
//! After the build, [`check_fragments`] checks that every link to a part
//! of a page (`step04.md#handlers`) leads to a heading that exists.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::book::{Include, includes_in, normalize};

/// The most lines a listing has without a reason given.
pub const LONG: usize = 60;
/// The widest a line of a listing may be.
pub const WIDE: usize = 100;
/// The most words a chapter has.
pub const MAX_WORDS: usize = 4000;

/// What is wrong with `text`, the chapter at `chapter`, by the rules above.
/// `root` is the workspace; file names are given relative to it.
pub fn check_chapter(root: &Path, chapter: &Path, text: &str) -> Vec<String> {
    let name = chapter
        .strip_prefix(root)
        .unwrap_or(chapter)
        .display()
        .to_string();
    let mut problems = Vec::new();
    let words = prose_words(text);
    if words > MAX_WORDS && !name.ends_with("SUMMARY.md") {
        problems.push(format!(
            "{name}: {words} words, more than {MAX_WORDS}: split the chapter"
        ));
    }
    let dir = chapter.parent().unwrap_or(root);
    let lines: Vec<&str> = text.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        if !line.starts_with("```") {
            continue;
        }
        let Some(include) = lines.get(at + 1).and_then(|next| listing_include(next)) else {
            continue;
        };
        let file = normalize(&dir.join(&include.path));
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let here = format!("{name}:{}", at + 1);
        // Blank lines and the translations' marks do not separate a
        // listing from its caption.
        let before: Vec<&str> = lines[..at]
            .iter()
            .rev()
            .filter(|l| !l.trim().is_empty() && l.trim() != "<!-- i18n:skip -->")
            .take(2)
            .copied()
            .collect();
        let reason = before
            .first()
            .is_some_and(|l| l.starts_with("<!-- long listing:"));
        let caption = if reason {
            before.get(1)
        } else {
            before.first()
        };
        let wanted = format!("*Filename: {shown}*");
        if caption.map(|c| c.trim()) != Some(wanted.as_str()) {
            problems.push(format!(
                "{here}: the listing of {shown} needs the line `{wanted}` before it"
            ));
        }
        let Ok(content) = fs::read_to_string(&file) else {
            continue; // a missing file is reported by the include check
        };
        let body = listed_lines(&content, include.anchor.as_deref());
        if body.len() > LONG && !reason {
            problems.push(format!(
                "{here}: the listing of {shown} has {} lines, more than {LONG}: cut it, \
                 or say why in the text and put `<!-- long listing: WHY -->` before it",
                body.len()
            ));
        }
        let is_patch = shown.ends_with(".patch");
        for listed in &body {
            let width = listed.chars().count() - usize::from(is_patch && !listed.is_empty());
            if width > WIDE {
                problems.push(format!(
                    "{here}: a line of {shown} is {width} columns wide, more than {WIDE}: {listed}"
                ));
            }
        }
    }
    problems
}

/// The words of a chapter a reader reads: everything but its code blocks
/// (from one ```` ``` ```` to the next), the teachers' speaker notes
/// included, since a learner can unfold them too.
pub fn prose_words(text: &str) -> usize {
    let mut prose = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        prose.push_str(&rest[..open]);
        prose.push(' ');
        match rest[open + 3..].find("```") {
            Some(close) => rest = &rest[open + 3 + close + 3..],
            None => {
                rest = "";
                break;
            }
        }
    }
    prose.push_str(rest);
    prose.split_whitespace().count()
}

/// The include on a fence's first line, if it is a listing: an include of
/// a file, not of a command's output (`outputs/...`).
fn listing_include(line: &str) -> Option<Include> {
    let include = includes_in(line).into_iter().next()?;
    (!include.path.starts_with("outputs/")).then_some(include)
}

/// The lines a listing shows: the anchor's (without the lines that mark
/// other anchors), or the whole file.
fn listed_lines<'a>(content: &'a str, anchor: Option<&str>) -> Vec<&'a str> {
    let marks = |line: &str, marker: &str, name: &str| {
        line.split(marker)
            .nth(1)
            .is_some_and(|rest| rest.split_whitespace().next() == Some(name))
    };
    let mut shown = Vec::new();
    let mut inside = anchor.is_none();
    for line in content.lines() {
        if let Some(name) = anchor {
            if marks(line, "ANCHOR:", name) {
                inside = true;
                continue;
            }
            if marks(line, "ANCHOR_END:", name) {
                inside = false;
                continue;
            }
        }
        if inside && !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:") {
            shown.push(line);
        }
    }
    shown
}

/// Every link of the built book to a part of a page (`page.html#id`)
/// leads to an element with that id. `book` is the built book's folder.
pub fn check_fragments(book: &Path, pages: &[String]) -> Result<(), String> {
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut texts = Vec::new();
    for page in pages {
        let html = fs::read_to_string(book.join(page)).map_err(|e| format!("{page}: {e}"))?;
        ids.insert(
            page.clone(),
            attribute_values(&html, "id=\"").into_iter().collect(),
        );
        texts.push((page.clone(), html));
    }
    let mut problems = Vec::new();
    for (page, html) in &texts {
        for href in attribute_values(html, "href=\"") {
            let Some((target, fragment)) = href.split_once('#') else {
                continue;
            };
            if target.contains("://") || fragment.is_empty() {
                continue;
            }
            let target = if target.is_empty() {
                page.clone()
            } else {
                relative_to(page, target)
            };
            match ids.get(&target) {
                Some(known) if known.contains(fragment) => {}
                Some(_) => problems.push(format!("{page}: a link to {href}: no such heading")),
                None => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The page that `target`, a link written in `page`, leads to, as a path
/// from the book's root: `../step01.html` from `teaching/step01.html` is
/// `step01.html`.
fn relative_to(page: &str, target: &str) -> String {
    let folder = Path::new(page).parent().unwrap_or(Path::new(""));
    normalize(&folder.join(target)).display().to_string()
}

/// The values of every attribute that starts with `prefix` (`id="`).
fn attribute_values(html: &str, prefix: &str) -> Vec<String> {
    html.split(prefix)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule is found broken where it is broken, and only there.
    #[test]
    fn listings_and_chapters() {
        let dir = std::env::temp_dir().join(format!("xtask-listings-{}", std::process::id()));
        let src = dir.join("docs").join("src");
        fs::create_dir_all(&src).unwrap();
        let long: String = (0..61).map(|i| format!("line {i}\n")).collect();
        fs::write(
            dir.join("long.rs"),
            format!("// ANCHOR: a\n{long}// ANCHOR_END: a\n"),
        )
        .unwrap();
        fs::write(dir.join("wide.rs"), format!("{}\n", "x".repeat(101))).unwrap();
        fs::write(dir.join("ok.patch"), format!("+{}\n", "y".repeat(100))).unwrap();
        let chapter = src.join("c.md");
        let text = "\
*Filename: long.rs*

```rust
{{#include ../../long.rs:a}}
```

*Filename: long.rs*

<!-- long listing: it is long for a reason -->

```rust
{{#include ../../long.rs:a}}
```

```rust
{{#include ../../wide.rs}}
```

*Filename: ok.patch*

<!-- i18n:skip -->
```diff
{{#include ../../ok.patch}}
```

```console
{{#include outputs/x.txt:run}}
```
";
        let problems = check_chapter(&dir, &chapter, text);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("c.md:3") && problems[0].contains("61 lines"));
        assert!(problems[1].contains("*Filename: wide.rs*"), "{problems:#?}");
        assert!(problems[2].contains("101 columns"), "{problems:#?}");
        let wordy = "word ".repeat(MAX_WORDS + 1);
        let problems = check_chapter(&dir, &chapter, &wordy);
        assert!(problems[0].contains("more than 4000"), "{problems:#?}");
        let code = format!(
            "{}\n```rust\n{}\n```\n",
            "word ".repeat(MAX_WORDS),
            "code ".repeat(50)
        );
        assert!(
            check_chapter(&dir, &chapter, &code).is_empty(),
            "code is not prose"
        );
        let notes = format!(
            "{}\n<details class=\"speaker-notes\">\nnote\n</details>\n",
            "word ".repeat(MAX_WORDS - 3),
        );
        let problems = check_chapter(&dir, &chapter, &notes);
        assert!(
            problems[0].contains("4001 words"),
            "notes are read: {problems:#?}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A link to a heading that is not there is found; one that is, and
    /// links to other sites, pass.
    #[test]
    fn fragments() {
        let dir = std::env::temp_dir().join(format!("xtask-fragments-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("a.html"),
            r##"<h2 id="here">x</h2><a href="b.html#there">b</a>"##,
        )
        .unwrap();
        fs::write(
            dir.join("b.html"),
            r##"<h2 id="there">y</h2><a href="a.html#gone">a</a><a href="https://x.example/#z">x</a><a href="#there">self</a>"##,
        )
        .unwrap();
        fs::create_dir_all(dir.join("teaching")).unwrap();
        fs::write(
            dir.join("teaching").join("c.html"),
            r##"<a href="../b.html#there">b</a><a href="../a.html#lost">a</a>"##,
        )
        .unwrap();
        let pages = ["a.html", "b.html", "teaching/c.html"].map(String::from);
        let error = check_fragments(&dir, &pages).unwrap_err();
        assert!(
            error.contains("a.html#gone") && error.contains("../a.html#lost"),
            "{error}"
        );
        assert!(!error.contains("#there"), "{error}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
