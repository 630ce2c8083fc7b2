//! `cargo xtask exercise classroom [--check]`: the file GitHub Classroom's
//! autograding reads, made from the list of exercises.
//!
//! GitHub Classroom grades a student's repository on every push with the
//! tests in `.github/classroom/autograding.json`: a `tests` array whose
//! entries each have a `name`, a `setup` and a `run` command, an `input`
//! given on stdin, an expected `output` and how to `comparison` it
//! (`included`, `exact` or `regex`), a `timeout` in minutes, and the
//! `points` a passing test earns. A test passes when its command exits
//! with 0 (and, if an input or output is given, the output matches).
//!
//! We write one test per exercise, whose command is the learner's own,
//! `cargo xtask exercise check ID`: it passes when the exercise is solved
//! and the step's own tests still pass. Each is worth [`POINTS`]. The file
//! is committed; `--check` fails, with a diff, when it is not what this
//! command would write (CI runs it), so that it cannot drift from the
//! exercises.

use std::fs;
use std::path::Path;

use crate::exercise::all;
use crate::json::Json;
use crate::outputs::merge;
use crate::root;

/// Where GitHub Classroom looks for the tests, in the repository.
pub const FILE: &str = ".github/classroom/autograding.json";

/// How long one exercise's check may take, in minutes (GitHub Classroom's
/// unit). The first check on a fresh runner builds the step's dependencies
/// (SQLite among them for step 5) before it runs the checker and the
/// step's own tests.
const TIMEOUT_MINUTES: u64 = 10;

/// The points one solved exercise earns.
const POINTS: u64 = 1;

/// `exercise classroom [--check]`.
pub fn classroom(args: &[&str]) -> Result<(), String> {
    let check = match args {
        [] => false,
        ["--check"] => true,
        _ => return Err("usage: cargo xtask exercise classroom [--check]".into()),
    };
    let exercises = all()?;
    let ids: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
    let text = autograding(&ids);
    let path = root().join(FILE);
    if check {
        is_current(&path, &text)?;
        println!("{FILE}: one test for each of the {} exercises", ids.len());
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "wrote {FILE}: one test for each of the {} exercises",
        ids.len()
    );
    Ok(())
}

/// The autograding file for these exercises.
fn autograding(ids: &[&str]) -> String {
    let test = |id: &&str| {
        Json::object([
            ("name", Json::string(*id)),
            ("setup", Json::string("")),
            (
                "run",
                Json::string(format!("cargo xtask exercise check {id}")),
            ),
            ("input", Json::string("")),
            ("output", Json::string("")),
            ("comparison", Json::string("included")),
            ("timeout", Json::Number(TIMEOUT_MINUTES)),
            ("points", Json::Number(POINTS)),
        ])
    };
    Json::object([("tests", Json::Array(ids.iter().map(test).collect()))]).render()
}

/// Fails, with the lines that differ, if the file at `path` is not
/// `expected`.
fn is_current(path: &Path, expected: &str) -> Result<(), String> {
    let fix = "write it with: cargo xtask exercise classroom";
    let found =
        fs::read_to_string(path).map_err(|e| format!("{FILE} cannot be read ({e}); {fix}"))?;
    if found == expected {
        return Ok(());
    }
    let lines = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
    let merged = merge(&lines(&found), &lines(expected), &|line| line.to_string());
    // The changed lines, with two lines of context around each.
    let changed: Vec<usize> = (0..merged.diff.len())
        .filter(|&n| !merged.diff[n].starts_with("    "))
        .collect();
    let shown: Vec<&str> = (0..merged.diff.len())
        .filter(|&n| changed.iter().any(|&c| n.abs_diff(c) <= 2))
        .map(|n| merged.diff[n].as_str())
        .collect();
    Err(format!(
        "{FILE} is not what the exercises make (- the file, + what it should be):\n{}\n{fix}",
        shown.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::read::parse;

    /// Two exercises make this file, exactly.
    #[test]
    fn the_file_for_two_exercises() {
        let expected = r#"{
  "tests": [
    {
      "name": "step01/threads",
      "setup": "",
      "run": "cargo xtask exercise check step01/threads",
      "input": "",
      "output": "",
      "comparison": "included",
      "timeout": 10,
      "points": 1
    },
    {
      "name": "step02/range",
      "setup": "",
      "run": "cargo xtask exercise check step02/range",
      "input": "",
      "output": "",
      "comparison": "included",
      "timeout": 10,
      "points": 1
    }
  ]
}
"#;
        assert_eq!(autograding(&["step01/threads", "step02/range"]), expected);
    }

    /// The file made from the real list is JSON, with one test per
    /// exercise, each running that exercise's check.
    #[test]
    fn one_test_per_exercise() {
        let exercises = all().unwrap();
        let ids: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
        let json = parse(&autograding(&ids)).unwrap();
        let tests = json.get("tests").items();
        assert_eq!(tests.len(), exercises.len());
        for (test, id) in tests.iter().zip(&ids) {
            assert_eq!(test.get("name").as_str(), Some(*id));
            let run = format!("cargo xtask exercise check {id}");
            assert_eq!(test.get("run").as_str(), Some(run.as_str()));
        }
    }

    /// `--check` passes on the file as written and fails on a stale one,
    /// showing the line that changed; the committed file is current.
    #[test]
    fn check_catches_a_stale_file() {
        let dir = root().join("target").join("xtask-tests").join("classroom");
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("autograding.json");
        let current = autograding(&["step01/threads", "step01/clock"]);
        fs::write(&file, &current).unwrap();
        assert_eq!(is_current(&file, &current), Ok(()));

        let stale = autograding(&["step01/threads"]);
        fs::write(&file, &stale).unwrap();
        let error = is_current(&file, &current).unwrap_err();
        assert!(
            error.contains("+       \"name\": \"step01/clock\","),
            "{error}"
        );
        assert!(error.contains("cargo xtask exercise classroom"), "{error}");

        let missing = is_current(&dir.join("none.json"), &current).unwrap_err();
        assert!(missing.contains("cannot be read"), "{missing}");

        let committed = root().join(FILE);
        let exercises = all().unwrap();
        let ids: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(is_current(&committed, &autograding(&ids)), Ok(()));
    }
}
