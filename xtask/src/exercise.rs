//! The exercise mechanism every chapter uses.
//!
//! An exercise `stepNN/NAME` has three parts:
//!
//! - its **statement**, in the chapter of step NN;
//! - its **checker**, the test `fn NAME` in `stepNN_*/tests/exercises.rs`,
//!   marked `#[ignore = "exercise: cargo xtask exercise check stepNN/NAME"]`
//!   so that a plain `cargo test` skips it: it fails until the exercise is
//!   solved;
//! - its **reference solution**, `exercises/stepNN/NAME.patch`, a diff
//!   against the shipped code, shown in the chapter.
//!
//! `verify` proves, for each exercise, that the checker fails on the shipped
//! code and passes once the solution is applied. It works on a copy of the
//! workspace under `target/`, so your own files are never touched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{cargo, root};

/// One exercise, as found on disk.
pub struct Exercise {
    /// `step01/threads`: what the learner types.
    pub id: String,
    /// The checker's test name, `threads`.
    name: String,
    /// The crate the checker lives in, `step01_raw_socket`.
    krate: String,
    /// The reference solution.
    pub patch: PathBuf,
    /// The checker's doc comment: what the exercise asks, in one sentence.
    summary: String,
}

/// How a checker run ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Passed,
    Failed,
    /// The test binary ran but no test of that name exists.
    NotFound,
    /// The code did not compile, or cargo failed before running tests.
    BuildFailed,
}

pub fn list() -> Result<(), String> {
    for exercise in all()? {
        println!("{:<28} {}", exercise.id, exercise.summary);
    }
    println!("\nRun one checker with: cargo xtask exercise check ID");
    Ok(())
}

pub fn check(id: &str) -> Result<(), String> {
    let exercises = all()?;
    let exercise = find(&exercises, id)?;
    match run_checker(&root(), None, exercise, Echo::Yes)? {
        Outcome::Passed => {
            println!("\n✔ {id}: solved.");
            Ok(())
        }
        Outcome::Failed => Err(format!(
            "{id}: not solved yet (the checker's message is above)"
        )),
        Outcome::NotFound => Err(format!(
            "{id}: no checker named {} was found",
            exercise.name
        )),
        Outcome::BuildFailed => Err(format!("{id}: the code does not build (see above)")),
    }
}

pub fn verify(ids: &[&str]) -> Result<(), String> {
    let everything = all()?;
    let chosen: Vec<&Exercise> = if ids.is_empty() {
        everything.iter().collect()
    } else {
        ids.iter()
            .map(|id| find(&everything, id))
            .collect::<Result<_, _>>()?
    };

    let sandbox = root().join("target").join("exercise-sandbox");
    let workspace = sandbox.join("workspace");
    let target = sandbox.join("target");
    if workspace.exists() {
        fs::remove_dir_all(&workspace).map_err(|e| format!("cannot clear {workspace:?}: {e}"))?;
    }
    copy_tree(&root(), &workspace).map_err(|e| format!("cannot copy the workspace: {e}"))?;

    let mut problems = Vec::new();
    for exercise in chosen {
        println!("== {}", exercise.id);
        match verify_one(&workspace, &target, exercise) {
            Ok(()) => println!("   ok: fails as shipped, passes with the solution"),
            Err(problem) => {
                println!("   PROBLEM: {problem}");
                problems.push(format!("{}: {problem}", exercise.id));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn verify_one(workspace: &Path, target: &Path, exercise: &Exercise) -> Result<(), String> {
    match run_checker(workspace, Some(target), exercise, Echo::No)? {
        Outcome::Failed => {}
        Outcome::Passed => return Err("the checker passes without the solution".into()),
        other => {
            return Err(format!(
                "on the shipped code the checker ended as {other:?}"
            ));
        }
    }
    git_apply(workspace, &exercise.patch, false)?;
    let with_solution = run_checker(workspace, Some(target), exercise, Echo::No);
    // Put the shipped code back before judging, so one bad exercise does not
    // spoil the next.
    git_apply(workspace, &exercise.patch, true)?;
    match with_solution? {
        Outcome::Passed => Ok(()),
        other => Err(format!("with the solution the checker ended as {other:?}")),
    }
}

/// Whether a checker's output is shown as it runs (for a learner) or kept
/// quiet and shown only on surprise (for `verify`).
#[derive(PartialEq)]
enum Echo {
    Yes,
    No,
}

fn run_checker(
    workspace: &Path,
    target: Option<&Path>,
    exercise: &Exercise,
    echo: Echo,
) -> Result<Outcome, String> {
    let mut command = cargo();
    command.current_dir(workspace).args([
        "test",
        "--package",
        &exercise.krate,
        "--test",
        "exercises",
        "--",
        "--ignored",
        "--exact",
        &exercise.name,
    ]);
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    if echo == Echo::No {
        command.stderr(Stdio::piped());
    }
    let output = command
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let outcome = outcome_of(&stdout);
    if echo == Echo::Yes || outcome == Outcome::BuildFailed || outcome == Outcome::NotFound {
        print!("{stdout}");
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(outcome)
}

/// Reads the test harness's summary line, `test result: ok. 1 passed; ...`.
fn outcome_of(stdout: &str) -> Outcome {
    let Some(summary) = stdout.lines().find(|l| l.starts_with("test result:")) else {
        return Outcome::BuildFailed;
    };
    if summary.contains(" 1 passed;") {
        Outcome::Passed
    } else if summary.contains(" 1 failed;") {
        Outcome::Failed
    } else {
        Outcome::NotFound
    }
}

fn git_apply(workspace: &Path, patch: &Path, reverse: bool) -> Result<(), String> {
    let mut git = Command::new("git");
    // The sandbox lies inside the real repository's target/. Without a
    // ceiling, git would find that repository and read the patch's paths
    // relative to *its* root, silently skipping every file.
    let ceiling = workspace.parent().unwrap_or(workspace);
    git.current_dir(workspace)
        .env("GIT_CEILING_DIRECTORIES", ceiling)
        .args(["apply", "--verbose"]);
    if reverse {
        git.arg("--reverse");
    }
    let output = git
        .arg(patch)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let report = String::from_utf8_lossy(&output.stderr);
    if output.status.success() && !report.contains("Skipped patch") {
        Ok(())
    } else {
        Err(format!(
            "{} does not apply{}: {}",
            patch.display(),
            if reverse { " in reverse" } else { "" },
            report.trim()
        ))
    }
}

/// Copies the workspace's sources, leaving out build output and git data.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if from == root() && [".git", "target"].iter().any(|skip| name == *skip) {
            continue;
        }
        if name == "book" && from.ends_with("docs") {
            continue;
        }
        let kind = entry.file_type()?;
        let (source, dest) = (entry.path(), to.join(&name));
        if kind.is_dir() {
            copy_tree(&source, &dest)?;
        } else if kind.is_file() {
            fs::copy(&source, &dest)?;
        }
    }
    Ok(())
}

fn find<'a>(exercises: &'a [Exercise], id: &str) -> Result<&'a Exercise, String> {
    exercises.iter().find(|e| e.id == id).ok_or_else(|| {
        let known: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
        format!(
            "no exercise {id:?}; the exercises are: {}",
            known.join(", ")
        )
    })
}

/// Every exercise, from the solutions in `exercises/` and the checkers in
/// each step's `tests/exercises.rs`. A checker without a solution, or a
/// solution without a checker, is an error: both halves must exist.
pub fn all() -> Result<Vec<Exercise>, String> {
    let root = root();
    let mut exercises = Vec::new();
    let mut problems = Vec::new();
    for krate in step_crates(&root)? {
        let step = krate.split('_').next().unwrap_or_default().to_string();
        let checkers_file = root.join(&krate).join("tests").join("exercises.rs");
        let checkers = match fs::read_to_string(&checkers_file) {
            Ok(text) => checkers_in(&text),
            Err(_) => Vec::new(),
        };
        let solutions_dir = root.join("exercises").join(&step);
        let mut solutions = patches_in(&solutions_dir);
        for checker in checkers {
            let id = format!("{step}/{}", checker.name);
            if checker.id != id {
                problems.push(format!(
                    "{}: the checker {} says its id is {:?}, expected {id:?}",
                    checkers_file.display(),
                    checker.name,
                    checker.id
                ));
            }
            let patch = solutions_dir.join(format!("{}.patch", checker.name));
            if solutions.remove(&checker.name) {
                let (name, summary) = (checker.name, checker.summary);
                exercises.push(Exercise {
                    id,
                    name,
                    krate: krate.clone(),
                    patch,
                    summary,
                });
            } else {
                problems.push(format!(
                    "{id} has a checker but no solution {}",
                    patch.display()
                ));
            }
        }
        for orphan in solutions {
            problems.push(format!("{step}/{orphan} has a solution but no checker"));
        }
    }
    if problems.is_empty() {
        Ok(exercises)
    } else {
        Err(problems.join("\n"))
    }
}

/// The workspace's step crates, `step01_raw_socket` and so on, in order.
fn step_crates(root: &Path) -> Result<Vec<String>, String> {
    let mut crates: Vec<String> = fs::read_dir(root)
        .map_err(|e| format!("cannot read {}: {e}", root.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.starts_with("step"))
        .collect();
    crates.sort();
    Ok(crates)
}

fn patches_in(dir: &Path) -> std::collections::BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Default::default();
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".patch").map(str::to_string))
        .collect()
}

struct Checker {
    name: String,
    id: String,
    summary: String,
}

/// Finds the checkers in a `tests/exercises.rs`: test functions marked
/// `#[ignore = "exercise: cargo xtask exercise check ID"]`, with the doc
/// comment above them.
fn checkers_in(source: &str) -> Vec<Checker> {
    let mut checkers = Vec::new();
    let mut doc: Vec<&str> = Vec::new();
    let mut id: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.trim());
        } else if let Some(rest) = line.strip_prefix("#[ignore = \"exercise:") {
            id = rest
                .trim_end_matches("\"]")
                .split_whitespace()
                .last()
                .map(str::to_string);
        } else if line.starts_with("#[") {
            // another attribute, such as #[test]
        } else if let Some(rest) = line.strip_prefix("fn ") {
            if let Some(id) = id.take() {
                let name = rest.split('(').next().unwrap_or_default().to_string();
                checkers.push(Checker {
                    name,
                    id,
                    summary: doc.join(" "),
                });
            }
            doc.clear();
        } else {
            doc.clear();
            id = None;
        }
    }
    checkers
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harness's summary line decides the outcome.
    #[test]
    fn outcome_is_read_from_the_summary_line() {
        let cases = [
            (
                "test result: ok. 1 passed; 0 failed; 0 ignored;",
                Outcome::Passed,
            ),
            (
                "test result: FAILED. 0 passed; 1 failed; 0 ignored;",
                Outcome::Failed,
            ),
            (
                "test result: ok. 0 passed; 0 failed; 0 ignored;",
                Outcome::NotFound,
            ),
            ("error[E0425]: cannot find value", Outcome::BuildFailed),
        ];
        for (stdout, expected) in cases {
            assert_eq!(outcome_of(stdout), expected, "{stdout}");
        }
    }

    /// Checkers are found with their id and the doc comment above them;
    /// ordinary tests are not checkers.
    #[test]
    fn checkers_are_found_with_their_summary() {
        let source = r#"
/// A silent client must not
/// hold up the next one.
#[test]
#[ignore = "exercise: cargo xtask exercise check step01/threads"]
fn threads() {}

/// Not an exercise.
#[test]
fn helper_test() {}
"#;
        let found = checkers_in(source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "threads");
        assert_eq!(found[0].id, "step01/threads");
        assert_eq!(
            found[0].summary,
            "A silent client must not hold up the next one."
        );
    }
}
