//! The book's translations, kept with Gettext as Comprehensive Rust keeps
//! its own (with `mdbook-i18n-helpers`):
//!
//! - `docs/po/messages.pot` holds every message of the English book: each
//!   paragraph, heading, list item and table cell, and the comments and
//!   strings of the code blocks written in the chapters. Listings and
//!   outputs are included from files, and are not messages: their
//!   `{{#include}}` lines are expanded after the translation, so code and
//!   outputs stay exactly as they are.
//! - `docs/po/zh-CN.po` holds the Simplified Chinese for each message.
//!
//! `cargo xtask po` extracts the template again and merges it into each
//! translation (new messages arrive empty, changed ones fuzzy, to be
//! translated); `cargo xtask book` refuses a template that does not match
//! the English text, and a translation with a message untranslated or
//! fuzzy, and builds each edition into `docs/book/LANGUAGE/`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::book::files_with_extension;
use crate::{root, run, target_dir};

/// A translation of the book.
pub struct Edition {
    /// The language's code, as `book.language` and `docs/po/CODE.po` name it.
    pub code: &'static str,
    /// The book's title and description (from `book.toml`, which Gettext
    /// does not reach).
    pub title: &'static str,
    pub description: &'static str,
    /// The label of the teachers' speaker notes, written in HTML in the
    /// chapters (`<summary>Speaker notes</summary>`), which Gettext does not
    /// reach either.
    pub speaker_notes: &'static str,
}

/// The translations.
pub const EDITIONS: [Edition; 1] = [Edition {
    code: "zh-CN",
    title: "从裸套接字到 Web 框架：用 Rust 一步步实现",
    description: "从一个裸 TCP 套接字开始，一步一个可运行的程序，亲手构建一个 Web 框架。",
    speaker_notes: "讲师备注",
}];

/// The languages of the translations, by their codes.
pub const LANGUAGES: [&str; 1] = [EDITIONS[0].code];

/// The mdBook preprocessor and renderer of Gettext, as CI installs them.
pub const HELPERS_VERSION: &str = "0.4.0";

fn docs() -> PathBuf {
    root().join("docs")
}

fn po_file(language: &str) -> PathBuf {
    docs().join("po").join(format!("{language}.po"))
}

/// Extracts the English messages into `dir/messages.pot`. mdBook's own
/// preprocessors are off, so includes stay `{{#include}}` lines and are
/// not extracted.
fn extract(dir: &Path) -> Result<PathBuf, String> {
    let mut mdbook = Command::new("mdbook");
    mdbook
        .env(
            "MDBOOK_OUTPUT",
            r#"{"xgettext": {"pot-file": "messages.pot", "granularity": 0}}"#,
        )
        .env("MDBOOK_BUILD__USE_DEFAULT_PREPROCESSORS", "false")
        .arg("build")
        .arg("--dest-dir")
        .arg(dir)
        .arg(docs());
    run(&mut mdbook).map_err(|e| {
        format!(
            "{e}\n(mdbook-xgettext missing? cargo install mdbook-i18n-helpers \
             --version {HELPERS_VERSION} --locked)"
        )
    })?;
    Ok(dir.join("messages.pot"))
}

/// `cargo xtask po`: the template extracted again, and merged into every
/// translation.
pub fn update() -> Result<(), String> {
    let pot = extract(&docs().join("po"))?;
    for language in LANGUAGES {
        let po = po_file(language);
        if po.exists() {
            // A changed message arrives fuzzy, with the translation of the
            // message it was; the translations of removed messages go.
            run(Command::new("msgmerge")
                .args(["--quiet", "--update", "--backup=none"])
                .arg(&po)
                .arg(&pot))
            .map_err(|e| format!("{e}\n(msgmerge is GNU gettext's: apt-get install gettext)"))?;
            run(Command::new("msgattrib")
                .args(["--no-obsolete", "--output-file"])
                .arg(&po)
                .arg(&po))?;
        } else {
            run(Command::new("msginit")
                .args(["--no-translator", "--locale", &language.replace('-', "_")])
                .arg("--input")
                .arg(&pot)
                .arg("--output-file")
                .arg(&po))?;
        }
        println!("po: {} is up to date with the English text", po.display());
    }
    let stats = statistics(&po_file(LANGUAGES[0]))?;
    println!("po: {stats}");
    Ok(())
}

/// The checks `cargo xtask book` makes before building the translations:
/// the template matches the English text, and every message of every
/// translation is translated and not fuzzy.
pub fn check() -> Result<(), String> {
    let committed = docs().join("po").join("messages.pot");
    let fresh = extract(&target_dir().join("po-check"))?;
    let without_date = |path: &Path| -> Result<String, String> {
        let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(text
            .lines()
            .filter(|line| !line.starts_with("\"POT-Creation-Date:"))
            .collect::<Vec<_>>()
            .join("\n"))
    };
    if without_date(&committed)? != without_date(&fresh)? {
        return Err(format!(
            "{} does not match the English text: run `cargo xtask po`, then translate \
             what is new or fuzzy in docs/po/*.po",
            committed.display()
        ));
    }
    for language in LANGUAGES {
        let po = po_file(language);
        let stats = statistics(&po)?;
        if stats.contains("untranslated") || stats.contains("fuzzy") {
            return Err(format!(
                "{}: {stats}. Every message must be translated, and none fuzzy",
                po.display()
            ));
        }
        // Every message of the template is in the translation.
        run(Command::new("msgcmp").arg(&po).arg(&committed))
            .map_err(|e| format!("{}: {e}: run `cargo xtask po`", po.display()))?;
        println!("po: {language}: {stats}");
    }
    Ok(())
}

/// What `msgfmt --statistics` says of `po`, after checking its format.
fn statistics(po: &Path) -> Result<String, String> {
    let output = Command::new("msgfmt")
        .args(["--check", "--statistics", "--output-file", "/dev/null"])
        .arg(po)
        .output()
        .map_err(|e| format!("cannot run msgfmt ({e}): apt-get install gettext"))?;
    let said = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if output.status.success() {
        Ok(said)
    } else {
        Err(format!("{}: {said}", po.display()))
    }
}

/// Builds `edition` into `docs/book/CODE/`, then translates what is written
/// in HTML in the chapters, which Gettext does not reach: the `<summary>`
/// of each folded block (a solution's, whose text is the exercise's
/// heading and so a message of the catalog, and the speaker notes').
pub fn build(edition: &Edition) -> Result<PathBuf, String> {
    let out = docs().join("book").join(edition.code);
    run(Command::new("mdbook")
        .env("MDBOOK_BOOK__LANGUAGE", edition.code)
        .env("MDBOOK_BOOK__TITLE", edition.title)
        .env("MDBOOK_BOOK__DESCRIPTION", edition.description)
        .arg("build")
        .arg("--dest-dir")
        .arg(&out)
        .arg(docs()))?;
    let po = po_file(edition.code);
    let text = fs::read_to_string(&po).map_err(|e| format!("{}: {e}", po.display()))?;
    let mut catalog = catalog(&text);
    catalog.insert(
        "Speaker notes".to_string(),
        edition.speaker_notes.to_string(),
    );
    for page in files_with_extension(&out, "html") {
        let html = fs::read_to_string(&page).map_err(|e| format!("{}: {e}", page.display()))?;
        let translated = translate_summaries(&html, &catalog);
        if translated != html {
            fs::write(&page, translated).map_err(|e| format!("{}: {e}", page.display()))?;
        }
    }
    Ok(out)
}

/// `html` with the text of each `<summary>` replaced by its translation,
/// where `catalog` has one.
pub fn translate_summaries(html: &str, catalog: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<summary>") {
        let (before, after) = rest.split_at(start + "<summary>".len());
        out.push_str(before);
        let Some(end) = after.find("</summary>") else {
            rest = after;
            break;
        };
        let text = &after[..end];
        match catalog.get(text) {
            Some(translation) if !translation.is_empty() => out.push_str(translation),
            _ => out.push_str(text),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The messages of a PO file, each English text with its translation.
pub fn catalog(po: &str) -> HashMap<String, String> {
    let mut catalog = HashMap::new();
    let (mut msgid, mut msgstr) = (String::new(), String::new());
    let mut filling: Option<bool> = None; // Some(true): the msgstr
    for line in po.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("msgid ") {
            if !msgid.is_empty() {
                catalog.insert(std::mem::take(&mut msgid), std::mem::take(&mut msgstr));
            }
            msgid = unquote(rest);
            msgstr.clear();
            filling = Some(false);
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            msgstr = unquote(rest);
            filling = Some(true);
        } else if line.starts_with('"') {
            match filling {
                Some(false) => msgid.push_str(&unquote(line)),
                Some(true) => msgstr.push_str(&unquote(line)),
                None => {}
            }
        } else {
            filling = None;
        }
    }
    if !msgid.is_empty() {
        catalog.insert(msgid, msgstr);
    }
    catalog
}

/// The text of a PO string, `"a \"b\"\n"`, without its quotes and escapes.
fn unquote(quoted: &str) -> String {
    let inner = quoted
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_default();
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => text.push('\n'),
            Some('t') => text.push('\t'),
            Some(other) => text.push(other),
            None => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PO file's messages are read whole: continued strings joined,
    /// escapes undone, the header (the empty msgid) left out.
    #[test]
    fn the_catalog_is_read_from_a_po_file() {
        let po = r#"msgid ""
msgstr ""
"Language: zh_CN\n"

#: src/step01.md
msgid "1. A thread for "
"every connection"
msgstr "1. 每个连接一个线程"

#, fuzzy
msgid "Say \"hi\"\n"
msgstr ""
"说“你好”\n"
"#;
        let catalog = catalog(po);
        assert_eq!(catalog.len(), 2, "{catalog:?}");
        assert_eq!(
            catalog["1. A thread for every connection"],
            "1. 每个连接一个线程"
        );
        assert_eq!(catalog["Say \"hi\"\n"], "说“你好”\n");
    }

    /// CI installs the version of mdbook-i18n-helpers this file names.
    #[test]
    fn ci_installs_the_helpers_named_here() {
        let ci = fs::read_to_string(root().join(".ci").join("run")).unwrap();
        assert!(
            ci.contains(&format!("I18N_HELPERS_VERSION={HELPERS_VERSION}\n")),
            ".ci/run and xtask/src/i18n.rs disagree on mdbook-i18n-helpers' version"
        );
    }

    /// Each `<summary>` whose text the catalog knows is translated; others,
    /// and the rest of the page, are left alone.
    #[test]
    fn summaries_are_translated() {
        let catalog = HashMap::from([
            ("Speaker notes".to_string(), "讲师备注".to_string()),
            ("Untranslated".to_string(), String::new()),
        ]);
        let html = "<p>Speaker notes</p><summary>Speaker notes</summary>\
                    <summary>Other</summary><summary>Untranslated</summary>";
        assert_eq!(
            translate_summaries(html, &catalog),
            "<p>Speaker notes</p><summary>讲师备注</summary>\
             <summary>Other</summary><summary>Untranslated</summary>"
        );
    }
}
