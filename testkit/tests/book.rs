//! The built book in a real browser: every page of each edition, English
//! and Chinese, loaded in headless Chromium from the files `cargo xtask
//! book` wrote, passes the same accessibility audit as the steps' own
//! pages, names its language, and links to the same page in the other
//! edition. Run with `cargo xtask browser`, after `cargo xtask book`.

use std::path::{Path, PathBuf};

use testkit::browser::Browser;

/// The built book's folder, and its Chinese edition.
fn book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/book")
}

/// The pages of one edition: every chapter's HTML file in `dir` (not
/// mdBook's own print and 404 pages, nor the other edition's folder).
fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() && name == "teaching" {
                folders.push(path);
            } else if name.ends_with(".html")
                && !["print.html", "404.html", "toc.html"].contains(&name.as_str())
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Loads every page of the edition in `dir`, and checks it: its language is
/// `language`, its language link leads to the same page in the edition in
/// `other`, and the accessibility audit finds nothing.
fn audit_edition(dir: &Path, language: &str, other: &Path) {
    let pages = pages(dir);
    assert!(
        pages.len() > 10,
        "no built book in {} (run cargo xtask book)",
        dir.display()
    );
    let browser = Browser::launch().unwrap();
    let mut problems = Vec::new();
    for path in &pages {
        let url = format!("file://{}", path.canonicalize().unwrap().display());
        let page = browser.open(&url).unwrap();
        let lang = page.eval("document.documentElement.lang").unwrap();
        if lang != language {
            problems.push(format!("{url}: lang is {lang}, not {language}"));
        }
        let link = page
            .eval("(document.getElementById('language-link') || {}).href || ''")
            .unwrap();
        let link = link.as_str().unwrap_or_default();
        let same_page = path.strip_prefix(dir).map(|name| other.join(name));
        let expected = same_page
            .ok()
            .and_then(|page| page.canonicalize().ok())
            .map(|page| format!("file://{}", page.display()))
            .unwrap_or_default();
        if link != expected {
            problems.push(format!(
                "{url}: the language link leads to {link:?}, not to the same page in the other \
                 edition ({expected:?})"
            ));
        }
        for violation in page.audit().unwrap() {
            problems.push(format!(
                "{url}: {} ({}): {} {:?}",
                violation.id, violation.impact, violation.help, violation.nodes
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every page of the English edition.
#[test]
#[ignore = "needs Chromium and the built book: cargo xtask book, then cargo xtask browser"]
fn the_english_edition() {
    audit_edition(&book(), "en", &book().join("zh-CN"));
}

/// Every page of the Chinese edition.
#[test]
#[ignore = "needs Chromium and the built book: cargo xtask book, then cargo xtask browser"]
fn the_chinese_edition() {
    audit_edition(&book().join("zh-CN"), "zh-CN", &book());
}
