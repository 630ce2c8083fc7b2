//! The exercise mechanism every chapter uses.
//!
//! An exercise `stepNN/NAME` has four parts:
//!
//! - its **statement**, in the chapter of step NN;
//! - its **checker**, the test `fn NAME` in `stepNN_*/tests/exercises.rs`,
//!   marked `#[ignore = "exercise: cargo xtask exercise check stepNN/NAME"]`
//!   so that a plain `cargo test` skips it: it fails until the exercise is
//!   solved;
//! - its **reference solution**, `exercises/stepNN/NAME.patch`, a diff
//!   against the shipped code, shown in the chapter;
//! - its **hints**, `exercises/stepNN/NAME.hints.md`, shown one at a time
//!   by `cargo xtask exercise hint` (see `hints.rs`).
//!
//! [`all`] finds them and refuses an exercise that lacks one, so that none
//! can be forgotten. For a learner, `list` runs every checker (one cargo
//! invocation per step) and shows what is solved, and `check` runs one
//! checker and then the step's own tests, to show what a change broke.
//! `verify` proves, for each exercise, that the checker fails on the
//! shipped code and passes once the solution is applied. It works on a
//! copy of the workspace under `target/`, so your own files are never
//! touched. Teachers grade a class with `grade.rs`, and GitHub Classroom
//! reads the file that `classroom.rs` writes: all from the one list here.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::testrun::{self, Run, Tests};
use crate::{cargo, hints, root};

/// One exercise, as found on disk.
pub struct Exercise {
    /// `step01/threads`: what the learner types.
    pub id: String,
    /// The step it belongs to, `step01`.
    pub step: String,
    /// The checker's test name, `threads`.
    pub name: String,
    /// The crate the checker lives in, `step01_raw_socket`.
    pub krate: String,
    /// The reference solution.
    pub patch: PathBuf,
    /// The hints, one `## Hint N` section each.
    pub hints: PathBuf,
    /// The checker's doc comment: what the exercise asks, in one sentence.
    pub summary: String,
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

/// `exercise list [--no-run]`: every exercise, and (unless `--no-run`)
/// whether it is solved in this checkout, step by step.
pub fn list(args: &[&str]) -> Result<(), String> {
    let run = match args {
        [] => true,
        ["--no-run"] => false,
        _ => {
            return Err(format!(
                "exercise list takes --no-run or nothing, not {args:?}"
            ));
        }
    };
    let exercises = all()?;
    if !run {
        for exercise in &exercises {
            println!("{:<28} {}", exercise.id, exercise.summary);
        }
        println!("\nRun one checker with: cargo xtask exercise check ID");
        return Ok(());
    }
    // One cargo invocation per step runs all its checkers; each step is
    // printed as soon as its checkers are done.
    println!("Running the checkers, one step at a time...\n");
    let mut solved = 0;
    for (krate, of_step) in by_crate(&exercises) {
        let run = testrun::cargo_test(&root(), None, krate, Tests::Checkers, None);
        let (lines, step_solved) = step_report(&of_step, &run);
        for line in lines {
            println!("{line}");
        }
        println!();
        solved += step_solved;
    }
    println!("Solved: {solved}/{}", exercises.len());
    println!("Check one with: cargo xtask exercise check ID");
    println!("A hint for one: cargo xtask exercise hint ID");
    Ok(())
}

/// The exercises grouped by the crate of their checkers, in order.
pub fn by_crate(exercises: &[Exercise]) -> Vec<(&str, Vec<&Exercise>)> {
    let mut groups: Vec<(&str, Vec<&Exercise>)> = Vec::new();
    for exercise in exercises {
        match groups.last_mut() {
            Some((krate, group)) if *krate == exercise.krate => group.push(exercise),
            _ => groups.push((&exercise.krate, vec![exercise])),
        }
    }
    groups
}

/// What `list` prints for one step's exercises once its checkers have
/// run: a line per exercise (`✔` solved, `✘` not yet, `·` when the step
/// does not build) and the step's progress, `step04  2/5`. Also returns
/// how many are solved.
fn step_report(exercises: &[&Exercise], run: &Run) -> (Vec<String>, usize) {
    let mut lines = Vec::new();
    let mut solved = 0;
    for exercise in exercises {
        let (mark, text) = match run.passed(&exercise.name) {
            Some(true) => ("✔", exercise.summary.as_str()),
            Some(false) => ("✘", exercise.summary.as_str()),
            None if matches!(run, Run::DoesNotBuild(_)) => ("·", "does not build"),
            None => ("·", "not run"),
        };
        solved += usize::from(mark == "✔");
        lines.push(format!("{mark} {:<28} {text}", exercise.id));
    }
    let step = exercises.first().map_or("", |e| e.step.as_str());
    lines.push(match run {
        Run::Ran(_) => format!("{step}  {solved}/{}", exercises.len()),
        Run::DoesNotBuild(error) => format!("{step}  does not build: {error}"),
        Run::Unfinished(why) => format!("{step}  the checkers did not finish: {why}"),
    });
    (lines, solved)
}

/// `exercise check ID`: runs the exercise's checker on the learner's code,
/// then the step's own tests, so that the learner sees both whether the
/// exercise is solved and what the change broke.
pub fn check(id: &str) -> Result<(), String> {
    let exercises = all()?;
    let exercise = find(&exercises, id)?;
    let solved = match run_checker(&root(), None, exercise, Echo::Yes)? {
        Outcome::Passed => true,
        Outcome::Failed => false,
        Outcome::NotFound => {
            return Err(format!(
                "{id}: no checker named {} was found",
                exercise.name
            ));
        }
        Outcome::BuildFailed => return Err(format!("{id}: the code does not build (see above)")),
    };
    println!(
        "\nAnd the step's own tests (cargo test -p {}), to see what the change broke...",
        exercise.krate
    );
    let own = testrun::cargo_test(&root(), None, &exercise.krate, Tests::Own, None);
    println!();
    if solved {
        println!("✔ {id}: solved.");
    } else {
        println!("✘ {id}: not solved yet (the checker's message is above).");
    }
    let own_pass = match &own {
        Run::Ran(results) if own.failed().is_empty() => {
            println!("✔ the step's own tests: pass ({} tests)", results.len());
            true
        }
        Run::Ran(_) => {
            let failed = own.failed();
            println!(
                "✘ the step's own tests: {} failed ({})",
                failed.len(),
                failed.join(", ")
            );
            println!("  See why with: cargo test -p {}", exercise.krate);
            false
        }
        Run::DoesNotBuild(error) => {
            println!("✘ the step's own tests do not build: {error}");
            false
        }
        Run::Unfinished(why) => {
            println!("✘ the step's own tests did not finish: {why}");
            false
        }
    };
    match (solved, own_pass) {
        (true, true) => Ok(()),
        (true, false) => Err(format!("{id} is solved, but the step's own tests fail")),
        (false, true) => Err(format!("{id} is not solved yet")),
        (false, false) => Err(format!(
            "{id} is not solved yet, and the step's own tests fail"
        )),
    }
}

/// `exercise verify [ID...]`: proves that each exercise (all if no ID)
/// fails as shipped and passes with its solution, in a copy under `target/`.
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

/// Proves one exercise in the sandbox: its checker fails on the shipped
/// code and passes with the solution, which is then taken out again.
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

/// Runs one exercise's checker alone in `workspace`, and reads how it ended.
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

/// Applies a patch to `workspace` (or takes it out, `reverse`), failing if
/// any part of it does not apply.
pub fn git_apply(workspace: &Path, patch: &Path, reverse: bool) -> Result<(), String> {
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

/// Copies a workspace's sources from `from` to `to`, leaving out what is
/// not source: git's data, build output, the built book, npm's packages.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    copy_below(from, to, Path::new(""))
}

/// Copies the folder `from`, which is `relative` inside the tree being
/// copied, to `to`. Symbolic links are left out.
fn copy_below(from: &Path, to: &Path, relative: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let relative = relative.join(&name);
        if left_out(&relative) {
            continue;
        }
        let kind = entry.file_type()?;
        let (source, dest) = (entry.path(), to.join(&name));
        if kind.is_dir() {
            copy_below(&source, &dest, &relative)?;
        } else if kind.is_file() {
            fs::copy(&source, &dest)?;
        }
    }
    Ok(())
}

/// Whether a path inside a workspace is left out of a copy: git's data
/// (`.git` is a file in a worktree), any `target/` or `node_modules/`, and
/// the built book.
fn left_out(relative: &Path) -> bool {
    let name = relative.file_name().unwrap_or_default();
    [".git", "target", "node_modules"]
        .iter()
        .any(|skip| name == *skip)
        || relative == Path::new("docs").join("book")
}

/// The exercise called `id`, or an error that lists the ones there are.
pub fn find<'a>(exercises: &'a [Exercise], id: &str) -> Result<&'a Exercise, String> {
    exercises.iter().find(|e| e.id == id).ok_or_else(|| {
        let known: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
        format!(
            "no exercise {id:?}; the exercises are: {}",
            known.join(", ")
        )
    })
}

/// Every exercise, from the solutions and hints in `exercises/` and the
/// checkers in each step's `tests/exercises.rs`. A checker without a
/// solution or without hints (in English and in each translation, as many
/// in each), or a solution or hints without a checker, is an error: every
/// part must exist.
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
        let mut solutions = names_in(&solutions_dir, ".patch");
        let mut hinted = hints::exercises_in(&solutions_dir);
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
            let hints = hints::file(&solutions_dir, &checker.name);
            if !solutions.remove(&checker.name) {
                problems.push(format!(
                    "{id} has a checker but no solution {}",
                    patch.display()
                ));
            }
            hinted.remove(&checker.name);
            match hints::load(&hints) {
                Err(problem) => problems.push(format!("{id}: {problem}")),
                // Each translation has the same hints, one for one.
                Ok(english) => {
                    for language in hints::TRANSLATIONS {
                        let file = hints::translated(&hints, language);
                        match hints::load(&file) {
                            Ok(theirs) if theirs.len() == english.len() => {}
                            Ok(theirs) => problems.push(format!(
                                "{id}: {} has {} hints where the English has {}",
                                file.display(),
                                theirs.len(),
                                english.len()
                            )),
                            Err(problem) => problems.push(format!("{id}: {problem}")),
                        }
                    }
                }
            }
            let (name, summary) = (checker.name, checker.summary);
            exercises.push(Exercise {
                id,
                step: step.clone(),
                name,
                krate: krate.clone(),
                patch,
                hints,
                summary,
            });
        }
        for orphan in solutions {
            problems.push(format!("{step}/{orphan} has a solution but no checker"));
        }
        for orphan in hinted {
            problems.push(format!("{step}/{orphan} has hints but no checker"));
        }
    }
    if problems.is_empty() {
        Ok(exercises)
    } else {
        Err(problems.join("\n"))
    }
}

/// The workspace's step crates, `step01_raw_socket` and so on, in order.
pub fn step_crates(root: &Path) -> Result<Vec<String>, String> {
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

/// The names of the files in `dir` that end in `suffix`, without it.
fn names_in(dir: &Path, suffix: &str) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(suffix).map(str::to_string))
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

    /// An exercise of step 4 as `list` sees it.
    fn exercise(name: &str) -> Exercise {
        Exercise {
            id: format!("step04/{name}"),
            step: "step04".into(),
            name: name.into(),
            krate: "step04_router".into(),
            patch: PathBuf::new(),
            hints: PathBuf::new(),
            summary: format!("the {name} exercise"),
        }
    }

    /// A line per exercise marked by its checker's result, and the step's
    /// progress; a step that does not build says so on each line and gives
    /// its first error.
    #[test]
    fn each_step_shows_its_progress() {
        let exercises = [
            exercise("slug"),
            exercise("route_timer"),
            exercise("json_api"),
        ];
        let of_step: Vec<&Exercise> = exercises.iter().collect();
        let ran = Run::Ran(
            [("slug", true), ("route_timer", false), ("json_api", true)]
                .into_iter()
                .map(|(name, passed)| (name.to_string(), passed))
                .collect(),
        );
        let (lines, solved) = step_report(&of_step, &ran);
        assert_eq!(
            lines,
            [
                "✔ step04/slug                  the slug exercise",
                "✘ step04/route_timer           the route_timer exercise",
                "✔ step04/json_api              the json_api exercise",
                "step04  2/3",
            ]
        );
        assert_eq!(solved, 2);

        let broken = Run::DoesNotBuild("src/demo.rs:3:1: error: expected item".into());
        let (lines, solved) = step_report(&of_step, &broken);
        assert_eq!(lines[0], "· step04/slug                  does not build");
        assert_eq!(
            lines[3],
            "step04  does not build: src/demo.rs:3:1: error: expected item"
        );
        assert_eq!(solved, 0);
    }

    /// A copy leaves out build output, git's data, npm's packages and the
    /// built book, wherever they are, and keeps everything else.
    #[test]
    fn a_copy_leaves_out_what_is_not_source() {
        for (path, left) in [
            (".git", true),
            ("target", true),
            ("xtask/axum-peer/target", true),
            ("testkit/axe/node_modules", true),
            ("docs/book", true),
            ("docs/src/book.md", false),
            ("step01_raw_socket/src/lib.rs", false),
            (".cargo", false),
        ] {
            assert_eq!(left_out(Path::new(path)), left, "{path}");
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
