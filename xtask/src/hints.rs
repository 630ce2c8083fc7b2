//! `cargo xtask exercise hint ID [--reset]`: graded hints, one more each
//! time you ask.
//!
//! The first call shows hint 1, the next hints 1 and 2, and so on, the way
//! rustlings and a teacher at your shoulder do: the first hint reframes
//! the problem, the middle ones name the place in the code and the
//! concept, the last one the key call or idea (never the code itself).
//! Once every hint is shown, the command says so and names the section of
//! the book that holds the solution. How many you have seen is kept per
//! exercise in `target/exercise-progress/hints/stepNN_NAME`, so a fresh
//! clone starts at hint 1, and `--reset` starts over.
//!
//! # The hints file
//!
//! The hints of `stepNN/NAME` live beside its solution, in
//! `exercises/stepNN/NAME.hints.md`, a Markdown file:
//!
//! ```markdown
//! # Hints: step01/threads
//!
//! ## Hint 1
//!
//! Right now the server finishes one conversation before ...
//!
//! ## Hint 2
//!
//! The loop that takes each accepted connection is `serve`, ...
//! ```
//!
//! Each hint is a level-2 heading that ends in its number (1, 2, 3, in
//! order) and the text under it, printed as it is written. Anything before
//! the first hint (a title, a note for teachers) is not shown. A level-2
//! heading that does not end in the next number is an error, so that a
//! slip cannot silently merge two hints. Every
//! exercise needs at least two hints: [`crate::exercise::all`] refuses one
//! without.
//!
//! Only the last word of a heading is read, so that the translation beside
//! the English, `NAME.hints.zh-CN.md`, has headings in its own language
//! (`## 提示 1`). Every exercise has one, with as many hints as the
//! English: [`crate::exercise::all`] checks it. The Chinese is shown when
//! the learner's locale is Chinese (`LANG=zh_CN.UTF-8`, or `LC_ALL`,
//! `LC_MESSAGES`), or with `--lang zh-CN`; `--lang en` asks for the English.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::book::{files_with_extension, included_files};
use crate::exercise::{Exercise, all, find};
use crate::root;

/// The fewest hints an exercise may have: one that reframes the problem
/// and one that points at the idea.
pub const FEWEST: usize = 2;

/// `exercise hint ID [--reset] [--lang LANGUAGE]`.
pub fn hint(args: &[&str]) -> Result<(), String> {
    let progress = root()
        .join("target")
        .join("exercise-progress")
        .join("hints");
    let exercises = all()?;
    let text = hint_in(
        &progress,
        &root().join("docs").join("src"),
        &exercises,
        args,
        locale_language(),
    )?;
    print!("{text}");
    Ok(())
}

/// The translation the learner's locale asks for, if the book has it: the
/// first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set decides, as for
/// any program; `zh_CN.UTF-8`, `zh_TW` or `zh` mean the Chinese.
fn locale_language() -> Option<&'static str> {
    language_of(|name| std::env::var(name).ok())
}

/// The translation that the locale variables (read with `var`) ask for.
fn language_of(var: impl Fn(&str) -> Option<String>) -> Option<&'static str> {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| var(name))
        .find(|value| !value.is_empty())?;
    locale.starts_with("zh").then_some("zh-CN")
}

/// What `hint` prints, with the counts kept in `progress` and the book's
/// chapters in `chapters`, in `language` (from the locale) unless the
/// arguments say `--lang`.
fn hint_in(
    progress: &Path,
    chapters: &Path,
    exercises: &[Exercise],
    args: &[&str],
    language: Option<&str>,
) -> Result<String, String> {
    const USAGE: &str = "usage: cargo xtask exercise hint ID [--reset] [--lang zh-CN|en]";
    let mut language = language;
    let mut rest = Vec::new();
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        if arg == "--lang" {
            language = match args.next() {
                Some(&"en") => None,
                Some(&code) if TRANSLATIONS.contains(&code) => Some(code),
                _ => {
                    return Err(format!(
                        "{USAGE}: the languages are en, {}",
                        TRANSLATIONS.join(", ")
                    ));
                }
            };
        } else {
            rest.push(arg);
        }
    }
    let (id, reset) = match rest[..] {
        [id] => (id, false),
        [id, "--reset"] | ["--reset", id] => (id, true),
        _ => return Err(USAGE.into()),
    };
    let exercise = find(exercises, id)?;
    let words = Words::new(language);
    let counter = progress.join(id.replace('/', "_"));
    if reset {
        forget(&counter)?;
        return Ok(words.reset.replace("{id}", id));
    }
    let file = match language {
        Some(code) => translated(&exercise.hints, code),
        None => exercise.hints.clone(),
    };
    let hints = load(&file)?;
    let shown = reveal(&counter, hints.len())?;
    let solution = if shown == hints.len() {
        solution_section(chapters, &exercise.patch)
            .map(|place| place.describe(&words, catalog_for(chapters, language).as_ref()))
    } else {
        None
    };
    Ok(render(id, &hints, shown, solution.as_deref(), &words))
}

/// The languages the hints are translated into (as the book is).
pub const TRANSLATIONS: [&str; 1] = crate::i18n::LANGUAGES;

/// The hints file of the exercise `name` in the folder `dir`.
pub fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.hints.md"))
}

/// The translation into `language` of the hints file `english`:
/// `NAME.hints.zh-CN.md` beside `NAME.hints.md`.
pub fn translated(english: &Path, language: &str) -> PathBuf {
    english.with_extension(format!("{language}.md"))
}

/// The book's translation into `language`, to name a chapter and a
/// section in it: `docs/po/LANGUAGE.po`, beside the chapters' folder.
fn catalog_for(
    chapters: &Path,
    language: Option<&str>,
) -> Option<std::collections::HashMap<String, String>> {
    let po = chapters
        .parent()?
        .join("po")
        .join(format!("{}.po", language?));
    Some(crate::i18n::catalog(&fs::read_to_string(po).ok()?))
}

/// The words around the hints, in English or in Chinese.
struct Words {
    hint: &'static str,
    more: &'static str,
    last: &'static str,
    last_without_place: &'static str,
    again: &'static str,
    reset: &'static str,
    place: &'static str,
    under: &'static str,
    under_titled: &'static str,
    stop: &'static str,
}

impl Words {
    fn new(language: Option<&str>) -> Words {
        match language {
            Some("zh-CN") => Words {
                hint: "{id}，提示 {n}/{total}：",
                more: "还有 {left} 条：再运行一次 `cargo xtask exercise hint {id}`，看下一条。",
                last: "这是最后一条提示。参考答案在书中：",
                last_without_place: "这是最后一条提示。参考答案在该章的“参考答案”一节。",
                again: "要从提示 1 重新开始：cargo xtask exercise hint {id} --reset",
                reset: "{id}：下次将从提示 1 重新开始。\n",
                place: "  “{title}”一章（{file}），",
                under: "  “参考答案”一节",
                under_titled: "  “参考答案”一节中的“{summary}”",
                stop: "。",
            },
            _ => Words {
                hint: "{id}, hint {n} of {total}:",
                more: "{left} more: run `cargo xtask exercise hint {id}` again for the next.",
                last: "That was the last hint. The reference solution is in the book:",
                last_without_place: "That was the last hint. The reference solution is in the \
                                     chapter's Solutions.",
                again: "To start again from hint 1: cargo xtask exercise hint {id} --reset",
                reset: "{id}: the hints start again from hint 1 next time.\n",
                place: "  chapter \"{title}\" ({file}),",
                under: "  under Solutions",
                under_titled: "  under Solutions, \"{summary}\"",
                stop: ".",
            },
        }
    }
}

/// The exercises that have a hints file (or a translation of one) in `dir`.
pub fn exercises_in(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .filter_map(|name| name.split_once(".hints.").map(|(base, _)| base.to_string()))
        .collect()
}

/// Reads a hints file: at least [`FEWEST`] hints, numbered in order.
pub fn load(path: &Path) -> Result<Vec<String>, String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read its hints {}: {e}", path.display()))?;
    let hints = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if hints.len() < FEWEST {
        return Err(format!(
            "{} has {} hint(s); write at least {FEWEST}",
            path.display(),
            hints.len()
        ));
    }
    Ok(hints)
}

/// The hints in a hints file's text, in order (see the module's doc).
fn parse(text: &str) -> Result<Vec<String>, String> {
    let mut hints: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        if let Some(heading) = line.strip_prefix("## ") {
            let expected = hints.len() + usize::from(current.is_some()) + 1;
            let number = heading
                .split_whitespace()
                .last()
                .and_then(|w| w.parse().ok());
            if number != Some(expected) {
                return Err(format!(
                    "line {}: {line:?} should be the heading of hint {expected}, \
                     such as \"## Hint {expected}\"",
                    n + 1
                ));
            }
            if let Some(done) = current.take() {
                hints.push(done);
            }
            current = Some(String::new());
        } else if let Some(hint) = current.as_mut() {
            hint.push_str(line);
            hint.push('\n');
        }
    }
    hints.extend(current);
    let hints: Vec<String> = hints.iter().map(|h| h.trim().to_string()).collect();
    if let Some(empty) = hints.iter().position(String::is_empty) {
        return Err(format!("hint {} is empty", empty + 1));
    }
    Ok(hints)
}

/// Shows one more hint, up to `total`: reads how many were shown from the
/// file `counter`, writes the new count, and returns it.
fn reveal(counter: &Path, total: usize) -> Result<usize, String> {
    // A missing or unreadable count means none were shown yet.
    let before: usize = fs::read_to_string(counter)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let shown = (before + 1).min(total);
    if let Some(dir) = counter.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(counter, format!("{shown}\n"))
        .map_err(|e| format!("cannot write {}: {e}", counter.display()))?;
    Ok(shown)
}

/// Forgets how many hints were shown.
fn forget(counter: &Path) -> Result<(), String> {
    match fs::remove_file(counter) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", counter.display())),
    }
}

/// The first `shown` hints, each under its number, and what comes next:
/// how many are left, or (after the last) where the solution is.
fn render(
    id: &str,
    hints: &[String],
    shown: usize,
    solution: Option<&str>,
    words: &Words,
) -> String {
    let total = hints.len();
    let mut out = String::new();
    for (n, hint) in hints.iter().take(shown).enumerate() {
        let heading = words
            .hint
            .replace("{id}", id)
            .replace("{n}", &(n + 1).to_string())
            .replace("{total}", &total.to_string());
        out.push_str(&format!("{heading}\n\n{hint}\n\n"));
    }
    if shown < total {
        let left = (total - shown).to_string();
        out.push_str(&words.more.replace("{left}", &left).replace("{id}", id));
        out.push('\n');
    } else {
        match solution {
            Some(place) => out.push_str(&format!("{}\n{place}", words.last)),
            None => out.push_str(words.last_without_place),
        }
        out.push('\n');
        out.push_str(&words.again.replace("{id}", id));
        out.push('\n');
    }
    out
}

/// Where the book shows a solution.
struct Place {
    /// The chapter's title, its file, and the `<summary>` of the folded
    /// block the solution is in.
    title: String,
    file: String,
    summary: Option<String>,
}

impl Place {
    /// Two indented lines, `chapter "Step 1: ..." (docs/src/step01.md),`
    /// and `under Solutions, "1. A thread ...".`, with the title and the
    /// summary in the book's translation if `catalog` is given.
    fn describe(
        &self,
        words: &Words,
        catalog: Option<&std::collections::HashMap<String, String>>,
    ) -> String {
        let translate = |text: &str| -> String {
            catalog
                .and_then(|c| c.get(text))
                .filter(|t| !t.is_empty())
                .cloned()
                .unwrap_or_else(|| text.to_string())
        };
        let place = words
            .place
            .replace("{title}", &translate(&self.title))
            .replace("{file}", &self.file);
        let under = match &self.summary {
            Some(summary) => words.under_titled.replace("{summary}", &translate(summary)),
            None => words.under.to_string(),
        };
        format!("{place}\n{under}{}", words.stop)
    }
}

/// Where the book shows a solution: the chapter that includes the patch,
/// and the title of the `<details>` around it.
fn solution_section(chapters: &Path, patch: &Path) -> Option<Place> {
    for chapter in files_with_extension(chapters, "md") {
        let Ok(text) = fs::read_to_string(&chapter) else {
            continue;
        };
        if !included_files(&chapter, &text).iter().any(|f| f == patch) {
            continue;
        }
        let title = text
            .lines()
            .find_map(|line| line.strip_prefix("# "))
            .unwrap_or("the chapter");
        // The include's line, and the last `<summary>` above it.
        let name = format!("/{}", patch.file_name()?.to_string_lossy());
        let at = text
            .match_indices("{{#include")
            .map(|(at, _)| at)
            .find(|&at| text[at..].lines().next().is_some_and(|l| l.contains(&name)))?;
        let summary = text[..at]
            .rfind("<summary>")
            .and_then(|start| {
                let rest = &text[start + "<summary>".len()..at];
                rest.split("</summary>").next()
            })
            .map(str::trim);
        let shown = chapter
            .strip_prefix(root())
            .unwrap_or(&chapter)
            .display()
            .to_string();
        return Some(Place {
            title: title.to_string(),
            file: shown,
            summary: summary.map(str::to_string),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary folder for a test's counts, empty.
    fn fresh_dir(name: &str) -> PathBuf {
        let dir = root()
            .join("target")
            .join("xtask-tests")
            .join("hints")
            .join(name);
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    /// Each call shows one hint more, and stays at the last; `--reset`
    /// starts over; the last call says where the solution is.
    #[test]
    fn each_call_reveals_one_more_hint() {
        let progress = fresh_dir("reveal");
        let chapters = root().join("docs").join("src");
        let exercises = all().unwrap();
        let hints = load(&find(&exercises, "step01/threads").unwrap().hints).unwrap();
        let total = hints.len();
        let ask = |args: &[&str]| hint_in(&progress, &chapters, &exercises, args, None).unwrap();

        let first = ask(&["step01/threads"]);
        assert!(first.contains(&format!("hint 1 of {total}")), "{first}");
        assert!(first.contains(&hints[0]), "{first}");
        assert!(!first.contains(&hints[1]), "only the first: {first}");
        assert!(first.contains(&format!("{} more", total - 1)), "{first}");

        let second = ask(&["step01/threads"]);
        assert!(
            second.contains(&hints[0]) && second.contains(&hints[1]),
            "{second}"
        );
        assert!(second.contains(&format!("hint 2 of {total}")), "{second}");

        for _ in 2..total + 2 {
            ask(&["step01/threads"]);
        }
        let last = ask(&["step01/threads"]);
        assert!(hints.iter().all(|h| last.contains(h.as_str())), "{last}");
        assert!(last.contains("That was the last hint"), "{last}");
        assert!(
            last.contains(
                "(docs/src/step01.md),\n  under Solutions, \"1. A thread for every connection\"."
            ),
            "{last}"
        );

        let reset = ask(&["step01/threads", "--reset"]);
        assert!(reset.contains("from hint 1"), "{reset}");
        let again = ask(&["step01/threads"]);
        assert!(again.contains(&format!("hint 1 of {total}")), "{again}");
        assert!(!again.contains(&hints[1]), "{again}");
    }

    /// In Chinese (from the locale, or `--lang zh-CN`), the hints are the
    /// translation's, the words around them Chinese, and the last names
    /// the chapter and its section as the Chinese edition titles them;
    /// `--lang en` asks for the English whatever the locale.
    #[test]
    fn hints_in_chinese() {
        let progress = fresh_dir("chinese");
        let chapters = root().join("docs").join("src");
        let exercises = all().unwrap();
        let exercise = find(&exercises, "step01/threads").unwrap();
        let hints = load(&translated(&exercise.hints, "zh-CN")).unwrap();
        let ask = |args: &[&str], locale| hint_in(&progress, &chapters, &exercises, args, locale);

        let first = ask(&["step01/threads"], Some("zh-CN")).unwrap();
        assert!(
            first.contains(&format!("step01/threads，提示 1/{}：", hints.len())),
            "{first}"
        );
        assert!(first.contains(&hints[0]), "{first}");
        let english = ask(&["step01/threads", "--lang", "en"], Some("zh-CN")).unwrap();
        assert!(english.contains("hint 2 of"), "{english}");
        for _ in 0..hints.len() {
            ask(&["--lang", "zh-CN", "step01/threads"], None).unwrap();
        }
        let last = ask(&["step01/threads"], Some("zh-CN")).unwrap();
        assert!(last.contains("这是最后一条提示"), "{last}");
        assert!(
            last.contains("“第 1 步：") && last.contains("（docs/src/step01.md），"),
            "the chapter by its Chinese title: {last}"
        );
        assert!(last.contains("“参考答案”一节中的“1. "), "{last}");
        let wrong = ask(&["step01/threads", "--lang", "fr"], None).unwrap_err();
        assert!(wrong.contains("en, zh-CN"), "{wrong}");
    }

    /// The first locale variable that is set decides, as POSIX says.
    #[test]
    fn the_locale_chooses_the_language() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(language_of(env(&[("LANG", "zh_CN.UTF-8")])), Some("zh-CN"));
        assert_eq!(language_of(env(&[("LANG", "en_US.UTF-8")])), None);
        assert_eq!(
            language_of(env(&[("LC_ALL", "C.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            None
        );
        assert_eq!(
            language_of(env(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "zh_TW"),
                ("LANG", "C")
            ])),
            Some("zh-CN")
        );
        assert_eq!(language_of(env(&[])), None);
    }

    /// An unknown exercise is an error that lists the real ones; a call
    /// without an id says how to call it.
    #[test]
    fn an_unknown_exercise_is_a_clear_error() {
        let progress = fresh_dir("unknown");
        let chapters = root().join("docs").join("src");
        let exercises = all().unwrap();
        let error = hint_in(&progress, &chapters, &exercises, &["step09/nope"], None).unwrap_err();
        assert!(error.contains("no exercise \"step09/nope\""), "{error}");
        assert!(error.contains("step01/threads"), "{error}");
        let usage = hint_in(&progress, &chapters, &exercises, &[], None).unwrap_err();
        assert!(usage.contains("usage"), "{usage}");
        assert!(!progress.exists(), "nothing was counted");
    }

    /// The file's format: text before the first hint is not a hint, hints
    /// are numbered in order (in any language), and a heading out of order
    /// or an empty hint is refused.
    #[test]
    fn hints_files_are_parsed_strictly() {
        let good = "# Hints: step01/x\n\nA note.\n\n## Hint 1\n\nFirst.\n\n## Hint 2\n\nSecond,\non two lines.\n";
        assert_eq!(parse(good).unwrap(), ["First.", "Second,\non two lines."]);
        let translated = "## 提示 1\n\n第一。\n\n## 提示 2\n\n第二。\n";
        assert_eq!(parse(translated).unwrap(), ["第一。", "第二。"]);
        for bad in [
            "## Hint 2\n\nout of order\n",
            "## Hint 1\n\nx\n\n## Hint\n\ny\n",
            "## Hint 1\n\nx\n\n## Notes for teachers\n\ny\n",
            "## Hint 1\n\n## Hint 2\n\ny\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    /// Every exercise has at least two hints and at most five, no hint
    /// quotes a line its solution adds (hints point at the idea, the patch
    /// is the answer), and the last call can say where its solution is.
    #[test]
    fn every_exercise_has_hints_that_do_not_give_the_solution_away() {
        let chapters = root().join("docs").join("src");
        for exercise in all().unwrap() {
            let place = solution_section(&chapters, &exercise.patch);
            assert!(
                place.as_ref().is_some_and(|p| p.summary.is_some()),
                "{}: the solution is not under a <summary>",
                exercise.id
            );
            let hints = load(&exercise.hints).unwrap();
            assert!(
                (FEWEST..=5).contains(&hints.len()),
                "{}: {} hints",
                exercise.id,
                hints.len()
            );
            let patch = fs::read_to_string(&exercise.patch).unwrap();
            let added = patch
                .lines()
                .filter_map(|line| line.strip_prefix('+'))
                .filter(|line| !line.starts_with("++"))
                .map(str::trim)
                .filter(|line| line.len() > 30);
            for line in added {
                for hint in &hints {
                    assert!(
                        !hint.contains(line),
                        "{}: a hint quotes the solution: {line}",
                        exercise.id
                    );
                }
            }
        }
    }
}
