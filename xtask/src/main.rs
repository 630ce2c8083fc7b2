//! Project chores that are not lessons. Run from anywhere in the workspace:
//!
//! ```text
//! For learners:
//! cargo xtask exercise list [--no-run]   every exercise, solved or not, and the
//!                                        progress of each step (--no-run: only
//!                                        the list, without running the checkers)
//! cargo xtask exercise check step01/threads
//!                                        run one exercise's checker on your code,
//!                                        then the step's own tests
//! cargo xtask exercise hint step01/threads [--reset] [--lang zh-CN|en]
//!                                        one more hint each time (--reset: from 1),
//!                                        in Chinese if the locale is
//!
//! For teachers and CI:
//! cargo xtask exercise verify [ID...]    prove each checker fails on the shipped
//!                                        code and passes with its solution
//! cargo xtask exercise grade DIR... [--json FILE] [--only stepNN]...
//!                                        grade students' checkouts, with the
//!                                        teacher's checkers and tests
//! cargo xtask exercise classroom [--check]
//!                                        write (or check) GitHub Classroom's
//!                                        .github/classroom/autograding.json
//! cargo xtask book                       check the book's includes, listings,
//!                                        lengths and plans, build it, check the
//!                                        built pages
//! cargo xtask po                         extract the book's messages again and merge
//!                                        them into each translation (docs/po/)
//! cargo xtask outputs [--update] [NAME...]
//!                                        re-run the commands whose output the book
//!                                        shows (docs/src/outputs/), report drift
//! cargo xtask browser                    the checks in headless Chromium
//! cargo xtask bench [--quick] [CASE...]  each step against axum (step03, step04, step05)
//! ```
//!
//! Only the standard library is used, so `cargo xtask` builds in a moment.

mod bench;
mod book;
mod classroom;
mod exercise;
mod grade;
mod hints;
mod i18n;
mod json;
mod listings;
mod outputs;
mod rendered;
mod schedule;
mod testrun;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "\
usage: cargo xtask <command>

Exercises, for learners:
  exercise list [--no-run]   every exercise, marked solved (✔) or not (✘) in this checkout,
                             with each step's progress; it runs every checker, one cargo
                             run per step. --no-run: only the list, at once
  exercise check ID          run one exercise's checker (ID as in the list, e.g.
                             step01/threads), then the step's own tests, to show what
                             the change broke; fails unless both pass
  exercise hint ID [--reset] [--lang zh-CN|en]
                             one more hint each time you ask, up to the last, which says
                             where the solution is; --reset starts again from hint 1. In
                             Chinese if the locale is (LANG=zh_CN.UTF-8) or with --lang

Exercises, for teachers:
  exercise verify [ID...]    prove each checker fails on the shipped code and passes
                             with its reference solution (all exercises if no ID), and
                             that every exercise has its hints, in English and Chinese
  exercise grade DIR... [--json FILE] [--only stepNN]...
                             grade students' checkouts (copies of this workspace): each is
                             copied to target/grade/NAME, untouched, and every checker
                             and each step's own tests run there, several checkouts at
                             once. The copies get THIS workspace's tests/, testkit/ and
                             .cargo/, so weakening a checker does not help; unit tests in
                             src/, Cargo.toml and build scripts stay the student's, and
                             the student's code runs with your rights. Prints a table;
                             --json writes the results to FILE; --only grades those steps
  exercise classroom [--check]
                             write .github/classroom/autograding.json, one GitHub
                             Classroom test per exercise; --check fails if the
                             committed file is not what it would write

The book and the project:
  book                       check that every include in the book resolves (and none is
                             in an indented fence), that every listing names its file and
                             fits (60 lines unless a reason is marked, 100 columns), that
                             no chapter is over 4,000 words, that the teachers' plans add
                             up; build it, and check the pages: every heading is a
                             heading, no raw Markdown or include is left, every link to a
                             heading leads to one
  po                         after the English text changed: extract its messages again
                             (docs/po/messages.pot) and merge them into each translation
                             (docs/po/zh-CN.po), where what is new or changed waits to be
                             translated (needs mdbook-i18n-helpers and GNU gettext)
  outputs [--update] [NAME...]
                             re-run the commands whose output the book shows (the
                             sessions in docs/src/outputs/, or those whose path holds a
                             NAME), report what drifted, with a diff; list the outputs
                             captured by hand. --update writes what they print now
  browser                    run the tests that load pages in headless Chromium
  bench [--quick] [CASE...]  each step against axum, with wrk (needs wrk): step03, step03-demo,
                             step04, step05
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["exercise", "list", rest @ ..] => exercise::list(rest),
        ["exercise", "check", id] => exercise::check(id),
        ["exercise", "hint", rest @ ..] => hints::hint(rest),
        ["exercise", "verify", ids @ ..] => exercise::verify(ids),
        ["exercise", "grade", rest @ ..] => grade::grade(rest),
        ["exercise", "classroom", rest @ ..] => classroom::classroom(rest),
        ["book"] => book::check_and_build(),
        ["po"] => i18n::update(),
        ["outputs", rest @ ..] => outputs::outputs(rest),
        ["browser"] => browser(),
        ["bench", rest @ ..] => bench::bench(rest),
        [] | ["help" | "--help" | "-h"] => {
            print!("{HELP}");
            Ok(())
        }
        _ => Err(format!("unknown command {:?}\n\n{HELP}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs every `tests/browser.rs` in the workspace, which load pages in
/// headless Chromium, after installing axe-core (npm) for their audits and
/// checking the audit itself. They are `#[ignore]`d in a plain `cargo test`,
/// because a fresh machine has no Chromium.
fn browser() -> Result<(), String> {
    if !has_chromium() {
        return Err(
            "Chromium is needed: install it (Debian: apt-get install chromium) \
                    or point $CHROMIUM at it"
                .into(),
        );
    }
    // axe-core, the accessibility audit the browser tests inject into pages.
    let axe = root().join("testkit").join("axe");
    if !axe.join("node_modules").join("axe-core").is_dir() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&axe))
        .map_err(|e| format!("{e}\n(npm is needed to install axe-core)"))?;
    }
    // The audit's own check first: it must find what a bad page breaks.
    run(cargo().current_dir(root()).args([
        "test",
        "--package",
        "testkit",
        "--lib",
        "--",
        "--ignored",
    ]))?;
    run(cargo().current_dir(root()).args([
        "test",
        "--workspace",
        "--test",
        "browser",
        "--",
        "--ignored",
    ]))?;
    // The book's pages, in each edition, if `cargo xtask book` built them.
    if root()
        .join("docs")
        .join("book")
        .join("index.html")
        .is_file()
    {
        run(cargo().current_dir(root()).args([
            "test",
            "--package",
            "testkit",
            "--test",
            "book",
            "--",
            "--ignored",
        ]))
    } else {
        println!(
            "browser: the book is not built, so its pages were not audited: run `cargo xtask book` first"
        );
        Ok(())
    }
}

fn has_chromium() -> bool {
    if env::var_os("CHROMIUM").is_some() {
        return true;
    }
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path).any(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .any(|name| dir.join(name).is_file())
    })
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where cargo puts what it builds: `$CARGO_TARGET_DIR` if it is set (a
/// CI cache, say), else `target/` in the workspace.
fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The cargo that runs us, so the same toolchain builds everything.
fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs a command, passing its output through; fails if it fails.
fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}
