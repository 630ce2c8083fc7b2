//! `cargo xtask exercise grade DIR... [--json FILE] [--only stepNN]...`:
//! grades a class's checkouts with one command.
//!
//! Each DIR is a student's copy of this workspace, with their changes. The
//! grader never touches it: it copies the sources (not `target/`, `.git`,
//! `docs/book` or `node_modules`) to `target/grade/NAME/`, and there runs
//! every checker of each step (one cargo invocation per step) and each
//! step's own tests (`cargo test -p CRATE`). NAME is the folder's name,
//! with `-2`, `-3` added when two folders share one.
//!
//! # The teacher's tests, not the student's
//!
//! Before running anything, the grader replaces each copy's
//! `stepNN_*/tests/`, `testkit/` and `.cargo/` with those of the workspace
//! it runs from (the teacher's). A student cannot pass by weakening a
//! checker or a test in `tests/`, nor by pointing cargo at another test
//! runner in `.cargo/config.toml`. What this does not stop: unit tests
//! inside `src/` (`#[cfg(test)]`) are the student's own, and so are each
//! crate's `Cargo.toml` (which could point a test target at another file)
//! and any build script. The grader also does not sandbox anything: a
//! student's code runs with the teacher's permissions, so grade work you
//! do not trust inside a container. Reading the diff against the starting
//! code remains the teacher's job.
//!
//! # Running in parallel
//!
//! Checkouts are graded in parallel, as many at once as the machine has
//! cores. Each worker builds in its own `CARGO_TARGET_DIR`,
//! `target/grade-target/slotN/`, which it keeps from one student to the
//! next: dependencies are built once per worker, and cargo's lock on a
//! target directory never makes one worker wait for another. Progress is
//! printed on stderr (`[3/30] alice: step02 checkers`). A checkout that does
//! not build, or a run that takes more than [`LIMIT`], is reported in its
//! row and the grading goes on.
//!
//! # The JSON
//!
//! `--json FILE` writes the same results for a program:
//!
//! ```text
//! {
//!   "steps": ["step01", ...],                the steps graded
//!   "exercises": ["step01/threads", ...],    the exercises graded, in order
//!   "students": [
//!     {
//!       "name": "alice",                     the folder's name
//!       "path": "/home/t/class/alice",       the checkout, as an absolute path
//!       "error": null,                       or why it could not be graded at all
//!       "solved": 3,                         exercises solved, of those graded
//!       "steps": [
//!         {
//!           "step": "step01",
//!           "builds": true,                  the step and its tests compiled
//!           "error": null,                   or the first compiler error, or
//!                                            why a run did not finish
//!           "exercises": {"step01/threads": true, ...},
//!           "tests": {"passed": 17, "failed": ["help_explains_the_flags"]}
//!                                            the step's own tests; null if
//!                                            they did not run
//!         }
//!       ]
//!     }
//!   ]
//! }
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crate::exercise::{Exercise, all, by_crate, copy_tree, step_crates};
use crate::json::Json;
use crate::testrun::{self, Run, Tests};
use crate::{cargo, root};

/// How long one cargo invocation may take before the grader stops it: a
/// worker's first build compiles every dependency (SQLite among them), on
/// a machine busy with other workers, and a checker may wait 30 seconds
/// for a server that never answers. A student's infinite loop ends here.
pub const LIMIT: Duration = Duration::from_secs(30 * 60);

/// How to grade.
pub struct Options {
    /// The workspace whose checkers and tests are used (the teacher's).
    pub teacher: PathBuf,
    /// Where each checkout is copied, as `copies/NAME`.
    pub copies: PathBuf,
    /// One `CARGO_TARGET_DIR` for each worker: as many workers as dirs.
    pub targets: Vec<PathBuf>,
    /// The steps to grade (`step01`, ...), in order.
    pub steps: Vec<String>,
    /// How long one cargo invocation may take.
    pub limit: Option<Duration>,
}

/// One student's checkout, graded.
pub struct Student {
    /// The folder's name, made unique.
    pub name: String,
    /// The checkout, as given.
    pub path: PathBuf,
    /// Each graded step, or why the checkout could not be graded at all.
    pub steps: Result<Vec<StepGrade>, String>,
}

/// One step of one checkout.
pub struct StepGrade {
    /// `step01`.
    pub step: String,
    /// The run of its checkers.
    pub checkers: Run,
    /// The run of its own tests.
    pub own: Run,
}

/// `exercise grade DIR... [--json FILE] [--only stepNN]...`.
pub fn grade(args: &[&str]) -> Result<(), String> {
    let mut dirs = Vec::new();
    let mut json_file = None;
    let mut only = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--json" => json_file = Some(*args.next().ok_or("--json needs a FILE")?),
            "--only" => only.push(*args.next().ok_or("--only needs a step, such as step01")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            dir => dirs.push(PathBuf::from(dir)),
        }
    }
    if dirs.is_empty() {
        return Err(
            "usage: cargo xtask exercise grade DIR... [--json FILE] [--only stepNN]...".into(),
        );
    }
    let exercises = all()?;
    let mut steps: Vec<String> = exercises.iter().map(|e| e.step.clone()).collect();
    steps.dedup();
    if let Some(unknown) = only.iter().find(|s| !steps.contains(&s.to_string())) {
        return Err(format!(
            "no step {unknown}; the steps are {}",
            steps.join(", ")
        ));
    }
    if !only.is_empty() {
        steps.retain(|s| only.contains(&s.as_str()));
    }
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(dirs.len());
    let target = root().join("target");
    let options = Options {
        teacher: root(),
        copies: target.join("grade"),
        targets: (1..=workers)
            .map(|n| target.join("grade-target").join(format!("slot{n}")))
            .collect(),
        steps,
        limit: Some(LIMIT),
    };
    eprintln!(
        "Grading {} checkout(s), {workers} at a time, in {}",
        dirs.len(),
        options.copies.display()
    );
    let students = grade_checkouts(&dirs, &exercises, &options, &|line| eprintln!("{line}"));
    let graded: Vec<&Exercise> = exercises
        .iter()
        .filter(|e| options.steps.contains(&e.step))
        .collect();
    print!("{}", table(&students, &graded));
    if let Some(file) = json_file {
        let json = to_json(&students, &graded, &options.steps).render();
        fs::write(file, json).map_err(|e| format!("cannot write {file}: {e}"))?;
        println!("\nThe results are also in {file}.");
    }
    Ok(())
}

/// Grades each checkout in `checkouts` (see the module's doc), telling
/// `progress` what it is doing, and returns them in the order given.
pub fn grade_checkouts(
    checkouts: &[PathBuf],
    exercises: &[Exercise],
    options: &Options,
    progress: &(dyn Fn(String) + Sync),
) -> Vec<Student> {
    let names = unique_names(checkouts);
    let total = checkouts.len();
    let next = AtomicUsize::new(0);
    let graded: Mutex<BTreeMap<usize, Student>> = Mutex::new(BTreeMap::new());
    if options.targets.is_empty() {
        return checkouts
            .iter()
            .zip(names)
            .map(|(path, name)| Student {
                name,
                path: path.clone(),
                steps: Err("no target directory to build in".into()),
            })
            .collect();
    }
    thread::scope(|scope| {
        for target in options.targets.iter().take(total) {
            let (next, graded, names) = (&next, &graded, &names);
            scope.spawn(move || {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let Some(path) = checkouts.get(n) else { break };
                    let name = &names[n];
                    let say = |what: &str| progress(format!("[{}/{total}] {name}: {what}", n + 1));
                    let steps = grade_one(path, name, target, exercises, options, &say);
                    say(&match &steps {
                        Ok(steps) => format!(
                            "done, {} solved",
                            steps.iter().map(|s| solved(s, exercises)).sum::<usize>()
                        ),
                        Err(error) => format!("not graded: {error}"),
                    });
                    let student = Student {
                        name: name.clone(),
                        path: path.clone(),
                        steps,
                    };
                    graded
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .insert(n, student);
                }
            });
        }
    });
    graded
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_values()
        .collect()
}

/// Grades one checkout in its copy, building in `target`.
fn grade_one(
    path: &Path,
    name: &str,
    target: &Path,
    exercises: &[Exercise],
    options: &Options,
    say: &dyn Fn(&str),
) -> Result<Vec<StepGrade>, String> {
    if !path.join("Cargo.toml").is_file() {
        return Err(format!(
            "{} is not a copy of the workspace: it has no Cargo.toml",
            path.display()
        ));
    }
    let copy = options.copies.join(name);
    // The copy is deleted first: it must not be the checkout itself.
    let (real, copies) = (path.canonicalize(), options.copies.canonicalize());
    if let (Ok(real), Ok(copies)) = (real, copies) {
        if real.starts_with(&copies) {
            return Err(format!(
                "{} is inside {}, where the grader makes its copies",
                path.display(),
                options.copies.display()
            ));
        }
    }
    say("copying");
    if copy.exists() {
        fs::remove_dir_all(&copy).map_err(|e| format!("cannot clear {}: {e}", copy.display()))?;
    }
    copy_tree(path, &copy).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
    use_teachers_tests(&options.teacher, &copy)
        .map_err(|e| format!("cannot put the teacher's tests in {}: {e}", copy.display()))?;

    let mut members = step_crates(&options.teacher)?;
    members.push("testkit".into());
    forget_last_build(&copy, target, &members);

    let mut steps = Vec::new();
    for (krate, of_step) in by_crate(exercises) {
        let step = of_step.first().map_or("", |e| e.step.as_str()).to_string();
        if !options.steps.contains(&step) {
            continue;
        }
        say(&format!("{step} checkers"));
        let checkers =
            testrun::cargo_test(&copy, Some(target), krate, Tests::Checkers, options.limit);
        let own = match &checkers {
            // What does not build for the checkers does not build for the tests.
            Run::DoesNotBuild(_) => checkers.clone(),
            _ => {
                say(&format!("{step} tests"));
                testrun::cargo_test(&copy, Some(target), krate, Tests::Own, options.limit)
            }
        };
        steps.push(StepGrade {
            step,
            checkers,
            own,
        });
    }
    Ok(steps)
}

/// Removes what `target` holds of the workspace's own crates (`members`),
/// built from the previous checkout, keeping the dependencies.
///
/// Cargo decides whether a crate of the workspace must be rebuilt by
/// comparing the times its files were changed with the time of the last
/// build, and it names those files relative to the crate, not by where the
/// workspace is. So a checkout whose files are older than the previous
/// checkout's build would be graded with that build: two copies of one
/// workspace are, to cargo, one. A fresh copy's files are newer, but only
/// as far as the file system's clock can tell, so we do not rely on it.
/// If this fails (a checkout without one of the crates, say), the runs
/// that follow report the problem.
fn forget_last_build(copy: &Path, target: &Path, members: &[String]) {
    let mut clean = cargo();
    clean
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .args(["clean", "--quiet"]);
    for member in members {
        clean.args(["--package", member]);
    }
    let _ = testrun::output_within(&mut clean, Some(Duration::from_secs(120)));
}

/// Replaces a copy's tests with the teacher's: each step's `tests/`,
/// `testkit/`, and the cargo configuration in `.cargo/`.
fn use_teachers_tests(teacher: &Path, copy: &Path) -> io::Result<()> {
    let crates = step_crates(teacher).map_err(io::Error::other)?;
    let mut replaced: Vec<PathBuf> = crates
        .iter()
        .map(|krate| Path::new(krate).join("tests"))
        .collect();
    replaced.push(PathBuf::from("testkit"));
    replaced.push(PathBuf::from(".cargo"));
    for dir in replaced {
        let (theirs, ours) = (copy.join(&dir), teacher.join(&dir));
        if theirs.exists() {
            fs::remove_dir_all(&theirs)?;
        }
        if ours.is_dir() {
            copy_tree(&ours, &theirs)?;
        }
    }
    Ok(())
}

/// A name for each checkout: its folder's name, with `-2`, `-3`, ...
/// added to the second and later of the same name.
fn unique_names(checkouts: &[PathBuf]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    checkouts
        .iter()
        .map(|path| {
            // `.` or `..` has no name of its own: ask where it is.
            let named = path.canonicalize().unwrap_or_else(|_| path.clone());
            let base = named
                .file_name()
                .map_or("checkout".into(), |n| n.to_string_lossy().into_owned());
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                base
            } else {
                format!("{base}-{count}")
            }
        })
        .collect()
}

/// How many of a step's exercises are solved.
fn solved(step: &StepGrade, exercises: &[Exercise]) -> usize {
    exercises
        .iter()
        .filter(|e| e.step == step.step && step.checkers.passed(&e.name) == Some(true))
        .count()
}

/// The error of a step that did not build, or did not finish.
fn step_error(step: &StepGrade) -> Option<&str> {
    [&step.checkers, &step.own]
        .into_iter()
        .find_map(|run| match run {
            Run::DoesNotBuild(error) | Run::Unfinished(error) => Some(error.as_str()),
            Run::Ran(_) => None,
        })
}

/// The table `grade` prints: which number stands for which exercise,
/// then a row per student (a column per exercise, per step whether its own
/// tests pass, and the count solved), then the details: errors and the
/// names of failed tests.
pub fn table(students: &[Student], exercises: &[&Exercise]) -> String {
    let mut groups: Vec<(&str, Vec<&Exercise>)> = Vec::new();
    for exercise in exercises {
        match groups.last_mut() {
            Some((step, group)) if *step == exercise.step => group.push(exercise),
            _ => groups.push((&exercise.step, vec![exercise])),
        }
    }
    let mut out = String::new();
    for (step, group) in &groups {
        let named: Vec<String> = group
            .iter()
            .enumerate()
            .map(|(n, e)| format!("{} {}", n + 1, e.name))
            .collect();
        out.push_str(&format!("{step}: {}\n", named.join(", ")));
    }
    out.push('\n');

    const TESTS: usize = 9; // "no build", "3 failed"
    let pad = |text: &str, width: usize| {
        let len = text.chars().count();
        format!("{text}{}", " ".repeat(width.saturating_sub(len)))
    };
    let name_width = students
        .iter()
        .map(|s| s.name.chars().count())
        .chain(["student".len()])
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = groups
        .iter()
        .map(|(step, group)| step.len().max(2 * group.len() - 1))
        .collect();
    let (mut first, mut second) = (pad("student", name_width), " ".repeat(name_width));
    for ((step, group), width) in groups.iter().zip(&widths) {
        first.push_str(&format!("  {}  {}", pad(step, *width), pad("tests", TESTS)));
        let numbers: Vec<String> = (1..=group.len()).map(|n| (n % 10).to_string()).collect();
        second.push_str(&format!(
            "  {}  {}",
            pad(&numbers.join(" "), *width),
            pad("", TESTS)
        ));
    }
    first.push_str("  solved");
    out.push_str(first.trim_end());
    out.push('\n');
    out.push_str(second.trim_end());
    out.push('\n');

    let mut details = Vec::new();
    for student in students {
        let mut row = pad(&student.name, name_width);
        let steps = match &student.steps {
            Err(error) => {
                out.push_str(&format!("{row}  not graded: {error}\n"));
                continue;
            }
            Ok(steps) => steps,
        };
        let none_builds = !steps.is_empty()
            && steps
                .iter()
                .all(|s| matches!(s.checkers, Run::DoesNotBuild(_)));
        if let (true, Some(error)) = (none_builds, steps.first().and_then(step_error)) {
            out.push_str(&format!("{row}  does not build: {error}\n"));
            continue;
        }
        let mut solved_here = 0;
        for ((step, group), width) in groups.iter().zip(&widths) {
            let graded = steps.iter().find(|s| s.step == *step);
            let cells: Vec<&str> = group
                .iter()
                .map(|e| match graded.and_then(|g| g.checkers.passed(&e.name)) {
                    Some(true) => "✔",
                    Some(false) => "✘",
                    None => "-",
                })
                .collect();
            solved_here += cells.iter().filter(|c| **c == "✔").count();
            let tests = match graded.map(|g| &g.own) {
                Some(own @ Run::Ran(_)) if own.failed().is_empty() => "pass".to_string(),
                Some(own @ Run::Ran(_)) => format!("{} failed", own.failed().len()),
                Some(Run::DoesNotBuild(_)) => "no build".to_string(),
                Some(Run::Unfinished(_)) | None => "-".to_string(),
            };
            row.push_str(&format!(
                "  {}  {}",
                pad(&cells.join(" "), *width),
                pad(&tests, TESTS)
            ));
            if let Some(graded) = graded {
                if let Some(error) = step_error(graded) {
                    details.push(format!("{} {step}: {error}", student.name));
                } else if !graded.own.failed().is_empty() {
                    details.push(format!(
                        "{} {step}: failed: {}",
                        student.name,
                        graded.own.failed().join(", ")
                    ));
                }
            }
        }
        row.push_str(&format!("  {solved_here}/{}", exercises.len()));
        out.push_str(&row);
        out.push('\n');
    }
    if !details.is_empty() {
        out.push('\n');
        for line in details {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The results as JSON, in the shape the module's doc shows.
pub fn to_json(students: &[Student], exercises: &[&Exercise], steps: &[String]) -> Json {
    let student_json = |student: &Student| {
        let (error, solved_count, steps_json) = match &student.steps {
            Err(error) => (Json::string(error), 0, Vec::new()),
            Ok(graded) => {
                let mut count = 0;
                let steps_json = graded
                    .iter()
                    .map(|step| {
                        let solved_ids: Vec<(&str, Json)> = exercises
                            .iter()
                            .filter(|e| e.step == step.step)
                            .map(|e| {
                                let solved = step.checkers.passed(&e.name) == Some(true);
                                count += usize::from(solved);
                                (e.id.as_str(), Json::Bool(solved))
                            })
                            .collect();
                        let tests = match &step.own {
                            Run::Ran(results) => {
                                let failed = step.own.failed();
                                Json::object([
                                    (
                                        "passed",
                                        Json::Number((results.len() - failed.len()) as u64),
                                    ),
                                    ("failed", strings(failed)),
                                ])
                            }
                            _ => Json::Null,
                        };
                        let builds = ![&step.checkers, &step.own]
                            .iter()
                            .any(|run| matches!(run, Run::DoesNotBuild(_)));
                        Json::object([
                            ("step", Json::string(&step.step)),
                            ("builds", Json::Bool(builds)),
                            ("error", step_error(step).map_or(Json::Null, Json::string)),
                            ("exercises", Json::object(solved_ids)),
                            ("tests", tests),
                        ])
                    })
                    .collect();
                (Json::Null, count, steps_json)
            }
        };
        let path = student
            .path
            .canonicalize()
            .unwrap_or_else(|_| student.path.clone());
        Json::object([
            ("name", Json::string(&student.name)),
            ("path", Json::string(path.to_string_lossy())),
            ("error", error),
            ("solved", Json::Number(solved_count as u64)),
            ("steps", Json::Array(steps_json)),
        ])
    };
    Json::object([
        ("steps", strings(steps.iter().map(String::as_str))),
        (
            "exercises",
            strings(exercises.iter().map(|e| e.id.as_str())),
        ),
        (
            "students",
            Json::Array(students.iter().map(student_json).collect()),
        ),
    ])
}

/// An array of strings.
fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Json {
    Json::Array(items.into_iter().map(Json::string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::{find, git_apply};
    use crate::json::read::parse;

    /// Replaces `from` with `to` in a file of a checkout, which must hold it.
    fn edit(file: &Path, from: &str, to: &str) {
        let text = fs::read_to_string(file).unwrap();
        assert!(
            text.contains(from),
            "{} no longer holds {from:?}: choose another edit for this test",
            file.display()
        );
        fs::write(file, text.replacen(from, to, 1)).unwrap();
    }

    /// Three real checkouts, graded on step 1 only: one with an exercise
    /// solved (and a checker weakened, which must not count), one that
    /// does not compile, one with the same exercise solved but one of the
    /// step's own tests broken. The grading goes on past the broken one,
    /// and the JSON and the table say what happened to each.
    #[test]
    fn grades_real_checkouts() {
        let base = root().join("target").join("xtask-tests").join("grade");
        let checkouts = base.join("checkouts");
        let _ = fs::remove_dir_all(&checkouts);
        let exercises = all().unwrap();
        let solution = &find(&exercises, "step01/request_log").unwrap().patch;
        let [solved, broken, failing] =
            ["solved", "broken", "failing"].map(|name| checkouts.join(name));
        for checkout in [&solved, &broken, &failing] {
            copy_tree(&root(), checkout).unwrap();
        }
        git_apply(&solved, solution, false).unwrap();
        // A student who makes a checker pass by gutting it.
        edit(
            &solved.join("step01_raw_socket/tests/exercises.rs"),
            "fn threads() {",
            "fn threads() {\n    return;",
        );
        let lib = broken.join("step01_raw_socket/src/lib.rs");
        let text = fs::read_to_string(&lib).unwrap();
        fs::write(&lib, format!("{text}\nthis is not Rust\n")).unwrap();
        git_apply(&failing, solution, false).unwrap();
        // The flag's help no longer names HOST:PORT: one test checks it.
        edit(
            &failing.join("step01_raw_socket/src/main.rs"),
            "Where to listen, as HOST:PORT.",
            "Where to listen.",
        );

        let options = Options {
            teacher: root(),
            copies: base.join("copies"),
            // One target for all three, so that dependencies are built once
            // and kept for the next run of this test.
            targets: vec![base.join("target")],
            steps: vec!["step01".into()],
            limit: Some(LIMIT),
        };
        let said = Mutex::new(Vec::new());
        let students = grade_checkouts(
            &[solved.clone(), broken.clone(), failing.clone()],
            &exercises,
            &options,
            &|line| said.lock().unwrap().push(line),
        );
        let graded: Vec<&Exercise> = exercises.iter().filter(|e| e.step == "step01").collect();
        let json = parse(&to_json(&students, &graded, &options.steps).render()).unwrap();
        let ids: Vec<&str> = json
            .get("exercises")
            .items()
            .iter()
            .filter_map(|i| i.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "step01/threads",
                "step01/request_log",
                "step01/clock",
                "step01/interactive_echo"
            ]
        );
        let student = |n: usize| &json.get("students").items()[n];
        let step01 = |n: usize| &student(n).get("steps").items()[0];
        let solved_of = |n: usize| -> Vec<bool> {
            ids.iter()
                .map(|id| step01(n).get("exercises").get(id) == &Json::Bool(true))
                .collect()
        };

        assert_eq!(student(0).get("name"), &Json::string("solved"));
        assert_eq!(solved_of(0), [false, true, false, false], "{json:?}");
        assert_eq!(student(0).get("solved"), &Json::Number(1));
        assert_eq!(step01(0).get("builds"), &Json::Bool(true));
        assert_eq!(step01(0).get("tests").get("failed"), &Json::Array(vec![]));

        assert_eq!(student(1).get("name"), &Json::string("broken"));
        assert_eq!(step01(1).get("builds"), &Json::Bool(false));
        let error = step01(1).get("error").as_str().unwrap_or_default();
        assert!(
            error.contains("step01_raw_socket/src/lib.rs") && error.contains("error"),
            "{error}"
        );
        assert_eq!(solved_of(1), [false; 4]);
        assert_eq!(step01(1).get("tests"), &Json::Null);

        assert_eq!(solved_of(2), [false, true, false, false]);
        assert_eq!(
            step01(2).get("tests").get("failed"),
            &Json::Array(vec![Json::string("help_explains_the_flags")])
        );

        let table = table(&students, &graded);
        assert!(
            table.contains("broken   does not build: step01_raw_socket/src/lib.rs"),
            "{table}"
        );
        assert!(table.contains("failing  ✘ ✔ ✘ ✘  1 failed"), "{table}");
        assert!(
            table.contains("failing step01: failed: help_explains_the_flags"),
            "{table}"
        );
        let said = said.into_inner().unwrap();
        assert!(
            said.contains(&"[2/3] broken: step01 checkers".to_string()),
            "{said:?}"
        );
        assert!(
            said.contains(&"[3/3] failing: done, 1 solved".to_string()),
            "{said:?}"
        );
        // The checkouts themselves were not touched.
        assert!(
            fs::read_to_string(solved.join("step01_raw_socket/tests/exercises.rs"))
                .unwrap()
                .contains("return;")
        );
    }

    /// Why each checkout's own crates are cleaned from a shared target:
    /// cargo takes a copy whose files are older than the last build for
    /// the crate it built, and runs the other copy's tests.
    #[test]
    fn a_shared_target_forgets_the_last_checkout() {
        let base = root().join("target").join("xtask-tests").join("forget");
        let _ = fs::remove_dir_all(&base);
        let target = base.join("target");
        let [first, second] = ["first", "second"].map(|name| base.join(name));
        for (dir, answer) in [(&second, 2), (&first, 1)] {
            fs::create_dir_all(dir.join("src")).unwrap();
            fs::write(
                dir.join("Cargo.toml"),
                "[package]\nname = \"answer\"\nversion = \"0.1.0\"\nedition = \"2024\"\n[workspace]\n",
            )
            .unwrap();
            let lib = format!("#[test]\nfn answer() {{\n    assert_eq!({answer}, 1);\n}}\n");
            fs::write(dir.join("src").join("lib.rs"), lib).unwrap();
        }
        // The second copy's files are older than the first's build.
        let past = std::time::SystemTime::now() - Duration::from_secs(3600);
        for file in ["Cargo.toml", "src/lib.rs"] {
            let file = fs::File::options()
                .write(true)
                .open(second.join(file))
                .unwrap();
            file.set_modified(past).unwrap();
        }
        let answer_test = |dir: &Path| {
            let mut test = cargo();
            test.current_dir(dir)
                .env("CARGO_TARGET_DIR", &target)
                .arg("test");
            let (stdout, stderr) = testrun::output_within(&mut test, None).unwrap().unwrap();
            testrun::read(&stdout, &stderr).passed("answer")
        };
        assert_eq!(answer_test(&first), Some(true));
        // Here `cargo test` in the second copy (cargo 1.95) would run the
        // first copy's test, and pass.
        forget_last_build(&second, &target, &["answer".into()]);
        assert_eq!(answer_test(&second), Some(false));
    }

    /// Two folders with one name get two names; `.` is named after the
    /// folder it is.
    #[test]
    fn names_are_made_unique() {
        let names = unique_names(&[
            PathBuf::from("class-a/alice"),
            PathBuf::from("class-b/alice"),
            PathBuf::from("bob"),
            PathBuf::from("class-c/alice/"),
        ]);
        assert_eq!(names, ["alice", "alice-2", "bob", "alice-3"]);
        let here = unique_names(&[root()]);
        assert_eq!(here, [root().file_name().unwrap().to_string_lossy()]);
    }
}
