//! Checks that keep the book honest, then builds it.
//!
//! mdBook includes code with `{{#include path:anchor}}`. A typo in an anchor
//! name does not stop `mdbook build`: the listing silently comes out empty.
//! So before building we check that every include points at a file that
//! exists and, for an anchor, that the file has that anchor with something
//! in it. We also check that every exercise is stated in the book (its check
//! command appears) and that its solution is shown (its patch is included),
//! and that no include sits inside an indented code fence (in a list item):
//! the included lines are not indented, so they end the list item and the
//! fence with it.
//!
//! After the build, `rendered.rs` checks the pages themselves: every
//! Markdown heading of a chapter is an HTML heading of its page, no raw
//! Markdown (a fence, a heading, a table row) is left in it, and no include
//! is left unexpanded. A broken code fence turns the rest of a chapter into
//! raw Markdown, and mdBook does not say so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{exercise, i18n, listings, rendered, root, run, schedule};

pub fn check_and_build() -> Result<(), String> {
    let docs = root().join("docs");
    let mut problems = Vec::new();
    let mut included = Vec::new();
    let mut text_of_book = String::new();

    for chapter in files_with_extension(&docs.join("src"), "md") {
        let text =
            fs::read_to_string(&chapter).map_err(|e| format!("{}: {e}", chapter.display()))?;
        for (line, indent) in rendered::includes_in_indented_fences(&text) {
            problems.push(format!(
                "{}:{line}: an include inside a code fence indented by {indent} spaces: \
                 the included lines are not indented, so they end the list item and \
                 the fence, and the rest of the page renders as raw Markdown. Take \
                 the listing out of the list item (no indentation)",
                chapter.display()
            ));
        }
        problems.extend(listings::check_chapter(&root(), &chapter, &text));
        if chapter
            .parent()
            .is_some_and(|dir| dir.ends_with("teaching"))
        {
            problems.extend(schedule::check(&chapter.display().to_string(), &text));
        }
        for include in includes_in(&text) {
            let dir = chapter.parent().unwrap_or(&docs);
            let file = normalize(&dir.join(&include.path));
            if let Err(problem) = check_include(&file, include.anchor.as_deref()) {
                problems.push(format!(
                    "{}: {}: {problem}",
                    chapter.display(),
                    include.path
                ));
            }
            if include.path.ends_with(".patch") && include.anchor.as_deref() != Some("solution") {
                problems.push(format!(
                    "{}: include {} through its `solution` anchor ({}:solution), so \
                     that the listings' ANCHOR lines in it are not shown",
                    chapter.display(),
                    include.path,
                    include.path
                ));
            }
            included.push(file);
        }
        text_of_book.push_str(&text);
    }

    for exercise in exercise::all()? {
        let command = format!("cargo xtask exercise check {}", exercise.id);
        if !text_of_book.contains(&command) {
            problems.push(format!(
                "{} is not stated in the book (no `{command}`)",
                exercise.id
            ));
        }
        if !included.contains(&normalize(&exercise.patch)) {
            problems.push(format!(
                "the solution of {} is not shown in the book",
                exercise.id
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    println!(
        "book: every include resolves, every listing names its file and fits, no chapter \
         is over {} words, every exercise is stated and solved",
        listings::MAX_WORDS
    );

    let mut mdbook = Command::new("mdbook");
    mdbook.arg("build").arg(&docs);
    run(&mut mdbook).map_err(|e| {
        format!("{e}\n(mdBook missing? cargo install mdbook --version 0.5.4 --locked)")
    })?;
    rendered::check_book(&docs.join("src"), &docs.join("book"))?;
    let summary = fs::read_to_string(docs.join("src").join("SUMMARY.md"))
        .map_err(|e| format!("SUMMARY.md: {e}"))?;
    let pages: Vec<String> = rendered::chapters_in(&summary)
        .iter()
        .map(|chapter| chapter.replace(".md", ".html"))
        .collect();
    listings::check_fragments(&docs.join("book"), &pages)?;
    println!(
        "book: every heading rendered as a heading, no Markdown or include left in a page, \
         every link to a heading leads to one"
    );

    // The translations: up to date, complete, and built beside the English.
    if docs.join("po").is_dir() {
        i18n::check()?;
        for edition in &i18n::EDITIONS {
            let language = edition.code;
            let built = i18n::build(edition)?;
            rendered::check_translation(&docs.join("src"), &docs.join("book"), &built, language)?;
            listings::check_fragments(&built, &pages)?;
            println!(
                "book: the {language} edition is complete, built in {}, every page in {language} \
                 with a link to the English",
                built.display()
            );
        }
    }
    Ok(())
}

/// The files a chapter includes, resolved from its directory.
pub(crate) fn included_files(chapter: &Path, text: &str) -> Vec<PathBuf> {
    let dir = chapter.parent().unwrap_or(Path::new("."));
    includes_in(text)
        .into_iter()
        .map(|include| normalize(&dir.join(include.path)))
        .collect()
}

/// An include in a chapter: the file, and the anchor if it names one.
pub(crate) struct Include {
    /// The file, relative to the chapter.
    pub(crate) path: String,
    /// The anchor, if the include names one.
    pub(crate) anchor: Option<String>,
}

/// Finds `{{#include PATH}}`, `{{#include PATH:ANCHOR}}` and
/// `{{#rustdoc_include ...}}` in a chapter. Line ranges (`PATH:3:10`) are
/// not anchors and are not checked beyond the file existing.
pub(crate) fn includes_in(text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let pieces: Vec<&str> = text.split("{{#").collect();
    for (before, piece) in pieces.iter().zip(pieces.iter().skip(1)) {
        // `\{{#include ...}}` is mdBook's escape: shown, not included.
        if before.ends_with('\\') {
            continue;
        }
        let Some(rest) = piece
            .strip_prefix("include ")
            .or(piece.strip_prefix("rustdoc_include "))
        else {
            continue;
        };
        let Some(spec) = rest.split("}}").next() else {
            continue;
        };
        let mut parts = spec.trim().splitn(2, ':');
        let path = parts.next().unwrap_or_default().to_string();
        let anchor = parts
            .next()
            .filter(|a| !a.chars().next().is_some_and(|c| c.is_ascii_digit()) && !a.is_empty())
            .map(str::to_string);
        found.push(Include { path, anchor });
    }
    found
}

fn check_include(file: &Path, anchor: Option<&str>) -> Result<(), String> {
    let text = fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let Some(anchor) = anchor else { return Ok(()) };
    let is_marker = |line: &str, marker: &str| {
        line.split(marker)
            .nth(1)
            .is_some_and(|rest| rest.split_whitespace().next() == Some(anchor))
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| is_marker(l, "ANCHOR:"));
    let end = lines.iter().position(|l| is_marker(l, "ANCHOR_END:"));
    match (start, end) {
        (Some(start), Some(end)) if end > start + 1 => Ok(()),
        (Some(_), Some(_)) => Err(format!("anchor {anchor:?} is empty")),
        _ => Err(format!(
            "no anchor {anchor:?} (ANCHOR: and ANCHOR_END: lines)"
        )),
    }
}

/// The files below `dir` whose name ends in `.EXTENSION`, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_with_extension(&path, extension));
        } else if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Resolves `..` and `.` without touching the file system, so two spellings
/// of one path compare equal.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Includes are found with their anchors; line ranges are not anchors.
    #[test]
    fn includes_are_parsed() {
        let text = "```rust\n{{#include ../../step01_raw_socket/src/lib.rs:serve}}\n```\n\
                    {{#include a.patch}} {{#rustdoc_include b.rs:2:5}}";
        let found: Vec<(String, Option<String>)> = includes_in(text)
            .into_iter()
            .map(|i| (i.path, i.anchor))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "../../step01_raw_socket/src/lib.rs".to_string(),
                    Some("serve".to_string())
                ),
                ("a.patch".to_string(), None),
                ("b.rs".to_string(), None),
            ]
        );
    }

    /// An anchor must exist, be closed, and hold at least one line.
    #[test]
    fn anchors_are_checked() {
        let dir = std::env::temp_dir().join(format!("xtask-anchor-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("code.rs");
        fs::write(&file, "// ANCHOR: full\nfn a() {}\n// ANCHOR_END: full\n// ANCHOR: empty\n// ANCHOR_END: empty\n").unwrap();
        assert!(check_include(&file, Some("full")).is_ok());
        assert!(check_include(&file, Some("empty")).is_err());
        assert!(check_include(&file, Some("missing")).is_err());
        assert!(
            check_include(&file, Some("ful")).is_err(),
            "a prefix is not the anchor"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
