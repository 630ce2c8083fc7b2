//! A `cargo test` run, and what its output says: which tests passed and
//! which failed, or the first compiler error when it did not build.
//!
//! `exercise list` and `exercise grade` run all the checkers of a step in
//! one cargo invocation (`cargo test -p CRATE --test exercises --
//! --ignored`), and the step's own tests in another, so they read the test
//! harness's line for each test, `test NAME ... ok` or `test NAME ...
//! FAILED`, instead of its summary.
//!
//! What a failing test prints is shown by the harness too, and a checker's
//! message may quote what a student's server sent, so a student could make
//! a line that looks like `test NAME ... ok` appear. Two rules keep that
//! from passing anything: a test passes only if no line says it failed, and
//! every checker really runs in the same invocation, so each has its own,
//! genuine line.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::cargo;

/// What one `cargo test` invocation came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    /// It built and the tests ran: each test's name, and whether it passed.
    /// Ignored tests are not in it.
    Ran(BTreeMap<String, bool>),
    /// It did not build: the compiler's first error, with its place.
    DoesNotBuild(String),
    /// It did not finish: it took too long, or cargo could not run.
    Unfinished(String),
}

impl Run {
    /// The names of the tests that failed, in order.
    pub fn failed(&self) -> Vec<&str> {
        match self {
            Run::Ran(results) => results
                .iter()
                .filter(|(_, passed)| !**passed)
                .map(|(name, _)| name.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the test `name` ran and passed; `None` if nothing ran.
    pub fn passed(&self, name: &str) -> Option<bool> {
        match self {
            Run::Ran(results) => Some(results.get(name).copied().unwrap_or(false)),
            _ => None,
        }
    }
}

/// Which tests of a step to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tests {
    /// Its checkers: the `#[ignore]`d tests of `tests/exercises.rs`.
    Checkers,
    /// Its own tests, as a plain `cargo test -p CRATE` runs them (the
    /// checkers stay ignored), every test binary even after a failure.
    Own,
}

/// Runs one kind of tests of the crate `krate` in `workspace`, with its
/// output captured and read. `target` is the `CARGO_TARGET_DIR` to use
/// (the workspace's own if `None`); after `limit`, the run is stopped.
pub fn cargo_test(
    workspace: &Path,
    target: Option<&Path>,
    krate: &str,
    tests: Tests,
    limit: Option<Duration>,
) -> Run {
    let mut command = cargo();
    // Short diagnostics: a compiler error is one line with its place.
    command
        .current_dir(workspace)
        .args(["test", "--package", krate, "--message-format", "short"]);
    match tests {
        Tests::Checkers => command.args(["--test", "exercises", "--", "--ignored"]),
        Tests::Own => command.arg("--no-fail-fast"),
    };
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    // The harness must capture what tests print, or it would be mixed into
    // the lines we read.
    command
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUST_TEST_NOCAPTURE");
    match output_within(&mut command, limit) {
        Ok(Some((stdout, stderr))) => read(&stdout, &stderr),
        Ok(None) => Run::Unfinished(format!(
            "stopped after {} minutes",
            limit.map_or(0, |l| l.as_secs() / 60)
        )),
        Err(error) => Run::Unfinished(error),
    }
}

/// Reads a run's output: the harness's lines on stdout, cargo's and the
/// compiler's on stderr (in the short message format).
pub fn read(stdout: &str, stderr: &str) -> Run {
    let mut results = BTreeMap::new();
    let mut ran = false;
    for line in stdout.lines() {
        if line.starts_with("test result:") {
            ran = true;
        }
        let Some((name, result)) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.split_once(" ... "))
        else {
            continue;
        };
        let name = name.trim().to_string();
        if result.starts_with("FAILED") {
            results.insert(name, false);
        } else if result.starts_with("ok") {
            results.entry(name).or_insert(true);
        }
    }
    if !ran {
        let problem = first_error(stderr).unwrap_or_else(|| {
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            last.unwrap_or("cargo printed nothing").trim().to_string()
        });
        return if stderr.contains("could not compile") || !stdout.contains("running ") {
            Run::DoesNotBuild(problem)
        } else {
            // A test binary started and died before its summary.
            results.insert(format!("(the tests crashed: {problem})"), false);
            Run::Ran(results)
        };
    }
    // A test binary that crashed after others finished: cargo says so.
    if let Some(crash) = stderr
        .lines()
        .find(|l| l.contains("process didn't exit successfully") && l.contains("signal"))
    {
        if results.values().all(|passed| *passed) {
            results.insert(format!("(a test binary crashed: {})", crash.trim()), false);
        }
    }
    Run::Ran(results)
}

/// The compiler's first error in cargo's short format
/// (`src/lib.rs:80:5: error[E0425]: cannot find value ...`), or cargo's own
/// (`error: failed to parse manifest ...`).
fn first_error(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("error") || line.contains(": error"))
        .map(str::to_string)
}

/// Runs a command with its stdout and stderr captured. With a `limit`,
/// a command that takes longer is stopped, with everything it started,
/// and the answer is `None`.
pub fn output_within(
    command: &mut Command,
    limit: Option<Duration>,
) -> Result<Option<(String, String)>, String> {
    #[cfg(unix)]
    if limit.is_some() {
        // Its own process group, so that stopping it stops the test
        // binaries and servers it started too.
        std::os::unix::process::CommandExt::process_group(command, 0);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    let pid = child.id();
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let (done, exited) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(child.wait());
    });
    let finished = match limit {
        Some(limit) => exited.recv_timeout(limit).is_ok(),
        None => exited.recv().is_ok(),
    };
    if !finished {
        stop_group(pid);
        let _ = exited.recv();
    }
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    Ok(finished.then_some((stdout, stderr)))
}

/// Kills the process group `pid` leads (the child and all it started).
fn stop_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(results: &[(&str, bool)]) -> Run {
        Run::Ran(
            results
                .iter()
                .map(|(name, passed)| (name.to_string(), *passed))
                .collect(),
        )
    }

    /// Each test's line gives its result; ignored tests and summaries are
    /// not tests; a failure wins over a line that says `ok` for the same
    /// name (a failing checker may print what a student's server sent);
    /// no summary and a compiler error means the step does not build.
    #[test]
    fn results_are_read_from_the_harness_lines() {
        let checkers = "\nrunning 4 tests\ntest interactive_echo ... FAILED\ntest clock ... ok\n\
                        test threads ... FAILED\ntest request_log ... ok\n\nfailures:\n\n\
                        ---- threads stdout ----\nthe body was:\ntest threads ... ok\n\n\
                        failures:\n    interactive_echo\n    threads\n\n\
                        test result: FAILED. 2 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let own = "\nrunning 3 tests\ntest tests::a ... ok\ntest tests::b ... ok\n\
                   test c ... ignored, needs Chromium: cargo xtask browser\n\
                   test result: ok. 2 passed; 0 failed; 1 ignored\n\n\
                   running 1 test\ntest src/lib.rs - url_for (line 3) ... ok\n\
                   test result: ok. 1 passed; 0 failed\n";
        let build_error = "   Compiling step01_raw_socket v0.1.0 (/w/step01_raw_socket)\n\
                           warning: unused import: `Read`\n\
                           step01_raw_socket/src/lib.rs:80:5: error[E0425]: cannot find value `x` in this scope\n\
                           error: could not compile `step01_raw_socket` (lib) due to 1 previous error\n";
        let cases: [(&str, &str, &str, Run); 5] = [
            (
                "four checkers, two solved, one faked",
                checkers,
                "",
                ran(&[
                    ("clock", true),
                    ("interactive_echo", false),
                    ("request_log", true),
                    ("threads", false),
                ]),
            ),
            (
                "two binaries, an ignored test and a doc test",
                own,
                "",
                ran(&[
                    ("src/lib.rs - url_for (line 3)", true),
                    ("tests::a", true),
                    ("tests::b", true),
                ]),
            ),
            (
                "a compiler error",
                "",
                build_error,
                Run::DoesNotBuild(
                    "step01_raw_socket/src/lib.rs:80:5: error[E0425]: cannot find value `x` in this scope"
                        .into(),
                ),
            ),
            (
                "a broken manifest",
                "",
                "error: failed to parse manifest at `/w/Cargo.toml`\n\nCaused by:\n  bad\n",
                Run::DoesNotBuild("error: failed to parse manifest at `/w/Cargo.toml`".into()),
            ),
            (
                "a test binary that died before its summary",
                "\nrunning 2 tests\ntest a ... ok\n",
                "error: test failed, to rerun pass `--lib`\n",
                ran(&[
                    ("(the tests crashed: error: test failed, to rerun pass `--lib`)", false),
                    ("a", true),
                ]),
            ),
        ];
        for (what, stdout, stderr, expected) in cases {
            assert_eq!(read(stdout, stderr), expected, "{what}");
        }
    }

    /// A checker passes only if it ran and passed; nothing passes in a run
    /// that did not build.
    #[test]
    fn a_checker_passes_only_if_it_ran() {
        let run = ran(&[("clock", true), ("threads", false)]);
        assert_eq!(run.passed("clock"), Some(true));
        assert_eq!(run.passed("threads"), Some(false));
        assert_eq!(run.passed("missing"), Some(false));
        assert_eq!(run.failed(), ["threads"]);
        let broken = Run::DoesNotBuild("error".into());
        assert_eq!(broken.passed("clock"), None);
        assert!(broken.failed().is_empty());
    }

    /// A command past its limit is stopped, with what it started, and says
    /// so; one within its limit gives its output.
    #[test]
    fn a_command_past_its_limit_is_stopped() {
        let mut quick = Command::new("sh");
        quick.args(["-c", "echo out; echo err >&2"]);
        assert_eq!(
            output_within(&mut quick, Some(Duration::from_secs(60))),
            Ok(Some(("out\n".to_string(), "err\n".to_string())))
        );
        // A shell whose child holds the pipes open: only stopping the
        // whole group lets the readers finish.
        let mut slow = Command::new("sh");
        slow.args(["-c", "sleep 600 & wait"]);
        assert_eq!(
            output_within(&mut slow, Some(Duration::from_millis(200))),
            Ok(None)
        );
    }
}
