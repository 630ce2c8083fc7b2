//! `cargo xtask outputs [--update] [FILTER...]`: re-runs the commands whose
//! output the book shows, and reports what drifted.
//!
//! # Sessions
//!
//! A regenerable output lives in a *session file*,
//! `docs/src/outputs/CHAPTER/NAME.txt`: a transcript of one real run, cut
//! into named parts that the chapter includes, as mdBook includes code:
//!
//! ````text
//! ```console
//! {{#include outputs/step04/demo.txt:tour}}
//! ```
//! ````
//!
//! A session file reads top to bottom, like a terminal:
//!
//! ```text
//! # Comments, at the top only.
//! @server cargo run -p step04_router         start it, wait for its address
//! @hidden-args step04_router --addr {addr}   arguments the book does not show
//! @server-output                             the next lines are the server's
//! ANCHOR: run                                 (mdBook shows the lines between
//! $ cargo run -p step04_router                 the ANCHOR lines, not these)
//! Serving the step 4 demo on http://127.0.0.1:8000/ (...)
//! ANCHOR_END: run
//! ANCHOR: tour
//! $ curl -si http://127.0.0.1:8000/users/abc | head -n 1
//! HTTP/1.1 404 Not Found
//! ANCHOR_END: tour
//! ```
//!
//! Every `$ ` line is run (with `sh`, in the workspace, stderr merged into
//! stdout) and the lines under it are what it printed. Lines outside the
//! anchors are run too but not shown: setup, or requests whose log the book
//! shows. The directives, each on its own line outside the anchors:
//!
//! - `@server CMD` starts a `cargo run` command in the background and waits
//!   until it prints its address. One server at a time.
//! - `@server-output` says the next lines are not a command's but what the
//!   server printed since they were last shown (after a short quiet
//!   moment). If they start with a `$ ` line, it is the server's command,
//!   shown, not run again. Outside the parts, `@server-output` and a line
//!   `...` pass over what the server printed without showing it.
//! - `@wait-for TEXT` waits until the server prints a line holding TEXT.
//! - `@stop` stops the server as Ctrl-C would (SIGTERM) and waits for it.
//! - `@addr HOST:PORT` is the address the book shows (`127.0.0.1:8000` if
//!   not said). The session really runs on a free port with as many digits
//!   (so that pages and byte counts keep their length), and the address is
//!   swapped both ways: in the commands before running them (`HOST:PORT`
//!   and `HOST PORT`), and in what they print. `@fixed-addr` is for
//!   programs that cannot be told where to listen (the naive examples):
//!   they run on the book's address, which must then be free.
//! - `@hidden-args TARGET ARGS` adds arguments to every `cargo run` of that
//!   binary or example, before the ones shown: `--addr {addr}` mostly.
//!   `{addr}`, `{temp}` and `{root}` are the real address, the session's
//!   temporary directory, and the workspace.
//! - `@cwd temp` runs the session in a fresh temporary directory (for the
//!   files it makes) instead of the workspace.
//! - `@path SHOWN => REAL` swaps a path both ways, as the address is: a
//!   file the book names (`/tmp/x.db`), really made in `{temp}`.
//!
//! `cargo run` commands are not run through cargo: the tool builds them all
//! first, then runs each binary itself, so no build line shows and a server
//! can be stopped. A line `NAME=$(...)` keeps NAME for the later commands
//! of the session, as a shell would. Every command gets `LC_ALL=C.UTF-8`,
//! `NO_COLOR=1`, `RUST_TEST_THREADS=1` and no `RUST_BACKTRACE`, and curl
//! reads a `.curlrc` that makes it `--silent --show-error`, as it is in a
//! terminal (through a pipe it would draw a progress meter).
//!
//! # Comparing
//!
//! Before comparing, both sides are normalised, so that only what should
//! not change is compared: HTTP dates, the access log's and ISO times,
//! durations with decimals (`0.05s`), the client's port, the PID in a panic
//! message, build hashes in `target/debug/deps/NAME-HASH`, random tokens
//! (64 hex digits) and cookie values, and the worker and connection counts
//! a server derives from the machine. The workspace's own path is shown as
//! `/work/main`, where the book was written. A line `...` in the book
//! stands for any number of lines; it is kept by `--update`, and where the
//! book and the run agree (once normalised) the book's line is kept, so an
//! update only changes what really changed. The report gives a diff per
//! command (`-` the book, `+` the run).
//!
//! # What is not re-run
//!
//! Outputs that need a browser, root (`tcpdump`, `strace` on some systems),
//! a benchmark or an edit to the code cannot be regenerated. The chapter
//! says how each was captured, in a line right under the block that starts
//! with `*Captured by hand`; the tool lists those. It also lists output
//! blocks that are neither (to be converted), and parts of session files no
//! chapter shows.
//!
//! This follows the Rust Book's `tools/update-rustc.sh`, which re-runs the
//! `$ ` command at the top of each listing's `output.txt` and rewrites
//! paths and build times to keep the diff small; the Rust Book marks the
//! outputs it cannot regenerate (those that need requests to a server,
//! among others) with `<!-- manual-regeneration -->` comments. Here a
//! server and its clients can be scripted too.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::book::files_with_extension;
use crate::{cargo, rendered, root, run, target_dir};

/// Where the book was written: the workspace's path, as outputs show it.
const SHOWN_ROOT: &str = "/work/main";
/// The address the book shows, unless a session says otherwise.
const BOOK_ADDR: &str = "127.0.0.1:8000";
/// How long one command may take. Generous: `cargo test` may compile, on
/// a busy machine with two cores.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `@wait-for` waits, and how long a server has to stop.
const WAIT_TIMEOUT: Duration = Duration::from_secs(30);
/// A server's output is read once it has been quiet this long (capped at
/// `WAIT_TIMEOUT`): a log line is written just after its response.
const QUIET: Duration = Duration::from_millis(300);
/// What a chapter's line under a block starts with, when the block was
/// captured by hand.
const BY_HAND: &str = "*Captured by hand";

pub fn outputs(args: &[&str]) -> Result<(), String> {
    let update = args.contains(&"--update");
    let filters: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(unknown) = args
        .iter()
        .find(|a| a.starts_with("--") && **a != "--update")
    {
        return Err(format!("unknown option {unknown}"));
    }
    let src = root().join("docs").join("src");
    let outputs = src.join("outputs");
    let sessions: Vec<PathBuf> = session_files(&outputs)
        .into_iter()
        .filter(|path| {
            let name = session_name(&outputs, path);
            filters.is_empty() || filters.iter().any(|f| name.contains(f))
        })
        .collect();
    if sessions.is_empty() && !filters.is_empty() {
        return Err(format!(
            "no session in docs/src/outputs/ matches {filters:?}"
        ));
    }

    // Build every `cargo run` target first, so runs time nothing but
    // themselves and show no build lines.
    let mut texts = Vec::new();
    for path in &sessions {
        let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        texts.push(text);
    }
    build(&texts)?;

    let (mut parts, mut drifted, mut failures) = (0, Vec::new(), Vec::new());
    for (path, text) in sessions.iter().zip(&texts) {
        let name = format!("docs/src/outputs/{}", session_name(&outputs, path));
        println!("outputs: {name}");
        match Session::new(path).run(text) {
            Ok(result) => {
                parts += result.parts;
                if !result.diffs.is_empty() {
                    drifted.push(format!("{name}\n{}", result.diffs.join("\n")));
                    if update {
                        fs::write(path, result.text).map_err(|e| format!("{e}"))?;
                    }
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }

    let report = Report::of_book(&src, &outputs)?;
    println!(
        "outputs: {} session(s) re-run, {parts} part(s), {} drifted",
        sessions.len(),
        drifted.len()
    );
    report.print();
    if !failures.is_empty() {
        return Err(format!(
            "some sessions could not run:\n{}",
            failures.join("\n")
        ));
    }
    match (drifted.is_empty(), update) {
        (true, _) => Ok(()),
        (false, true) => {
            println!(
                "{}\n\noutputs: updated the files above",
                drifted.join("\n\n")
            );
            Ok(())
        }
        (false, false) => Err(format!(
            "what the book shows drifted from what the commands print:\n\n{}\n\n\
             run `cargo xtask outputs --update` to take what they print now",
            drifted.join("\n\n")
        )),
    }
}

/// Every `*.txt` under `docs/src/outputs/`, sorted.
fn session_files(dir: &Path) -> Vec<PathBuf> {
    files_with_extension(dir, "txt")
}

/// `step02/index.txt` for `docs/src/outputs/step02/index.txt`.
fn session_name(outputs: &Path, path: &Path) -> String {
    path.strip_prefix(outputs)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// A `cargo run` command, taken apart: what to build, what to run.
#[derive(Debug, PartialEq)]
struct CargoRun {
    package: String,
    release: bool,
    /// `--bin NAME` or `--example NAME`; `None` for the package's own binary.
    target: Option<(&'static str, String)>,
    args: Vec<String>,
}

impl CargoRun {
    /// Parses `cargo run [-p P] [--bin B | --example E] [--release] [-- ARGS]`.
    /// Anything a shell would have to interpret (quotes, pipes, `$`) is
    /// refused: these lines are run without a shell.
    fn parse(command: &str) -> Option<Result<CargoRun, String>> {
        let words: Vec<&str> = command.split_whitespace().collect();
        if words.get(..2) != Some(&["cargo", "run"]) {
            return None;
        }
        if command.contains(['|', '&', ';', '<', '>', '(', ')', '$', '`', '"', '\'', '*']) {
            return Some(Err(format!(
                "{command:?}: a `cargo run` line is run without a shell, so it cannot \
                 use quotes, pipes or variables"
            )));
        }
        let mut run = CargoRun {
            package: String::new(),
            release: false,
            target: None,
            args: Vec::new(),
        };
        let mut rest = words[2..].iter();
        while let Some(&word) = rest.next() {
            match word {
                "-p" | "--package" => run.package = rest.next()?.to_string(),
                "--bin" => run.target = Some(("bin", rest.next()?.to_string())),
                "--example" => run.target = Some(("example", rest.next()?.to_string())),
                "--release" => run.release = true,
                "-q" | "--quiet" => {}
                "--" => {
                    run.args = rest.by_ref().map(|w| w.to_string()).collect();
                }
                other => return Some(Err(format!("{command:?}: unknown cargo option {other}"))),
            }
        }
        if run.package.is_empty() {
            return Some(Err(format!("{command:?}: name the package with -p")));
        }
        Some(Ok(run))
    }

    /// The name `@hidden-args` uses: the binary's or the example's.
    fn name(&self) -> &str {
        self.target.as_ref().map_or(&self.package, |(_, name)| name)
    }

    fn binary(&self) -> PathBuf {
        let profile = if self.release { "release" } else { "debug" };
        let dir = target_dir().join(profile);
        match &self.target {
            Some(("example", name)) => dir.join("examples").join(name),
            _ => dir.join(self.name()),
        }
    }
}

/// Builds every `cargo run` target the sessions use, one cargo per package
/// and profile.
fn build(texts: &[String]) -> Result<(), String> {
    let mut wanted: BTreeMap<(String, bool), Vec<String>> = BTreeMap::new();
    for text in texts {
        for line in text.lines() {
            let command = line
                .strip_prefix("$ ")
                .or_else(|| line.strip_prefix("@server "));
            let Some(Some(parsed)) = command.map(CargoRun::parse) else {
                continue;
            };
            let run = parsed?;
            let flag = match &run.target {
                Some((kind, name)) => format!("--{kind}={name}"),
                None => format!("--bin={}", run.package),
            };
            let flags = wanted
                .entry((run.package.clone(), run.release))
                .or_default();
            if !flags.contains(&flag) {
                flags.push(flag);
            }
        }
    }
    for ((package, release), flags) in wanted {
        let mut command = cargo();
        command
            .current_dir(root())
            .args(["build", "--quiet", "--package", &package])
            .args(flags);
        if release {
            command.arg("--release");
        }
        run(&mut command)?;
    }
    Ok(())
}

/// What running a session gave.
struct Outcome {
    /// The session file as it would be with what the commands print now.
    text: String,
    /// One diff per command whose output drifted.
    diffs: Vec<String>,
    /// How many parts (anchors) the file has.
    parts: usize,
}

/// One session being run: its settings, its server, its variables.
struct Session {
    /// The address the book shows, and the one really used (chosen when
    /// first needed).
    book_addr: String,
    real_addr: Option<String>,
    fixed_addr: bool,
    cwd: PathBuf,
    temp: PathBuf,
    hidden_args: Vec<(String, Vec<String>)>,
    /// Paths as shown, and as really used.
    paths: Vec<(String, String)>,
    vars: Vec<(String, String)>,
    server: Option<Server>,
}

impl Session {
    fn new(file: &Path) -> Session {
        let temp = std::env::temp_dir().join(format!(
            "xtask-outputs-{}-{}",
            std::process::id(),
            file.file_stem().unwrap_or_default().to_string_lossy()
        ));
        Session {
            book_addr: BOOK_ADDR.to_string(),
            real_addr: None,
            fixed_addr: false,
            cwd: root(),
            temp,
            hidden_args: Vec::new(),
            paths: Vec::new(),
            vars: Vec::new(),
            server: None,
        }
    }

    /// Runs the session file `text` line by line.
    fn run(mut self, text: &str) -> Result<Outcome, String> {
        let _ = fs::remove_dir_all(&self.temp);
        fs::create_dir_all(&self.temp).map_err(|e| format!("{}: {e}", self.temp.display()))?;
        // curl draws a progress meter when its output is not a terminal,
        // as here; in the reader's terminal it would not. `-sS` as a
        // default, from a curlrc in the temporary directory, hides it.
        fs::write(self.temp.join(".curlrc"), "silent\nshow-error\n").map_err(|e| format!("{e}"))?;
        self.vars
            .push(("CURL_HOME".into(), self.temp.to_string_lossy().into_owned()));
        let result = self.interpret(text);
        if let Some(mut server) = self.server.take() {
            server.stop();
        }
        let _ = fs::remove_dir_all(&self.temp);
        result
    }

    fn interpret(&mut self, text: &str) -> Result<Outcome, String> {
        let lines: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let mut diffs = Vec::new();
        let mut parts = 0;
        let mut part: Option<&str> = None;
        let mut header = true;
        let mut server_output = false;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let at = format!("line {}", i + 1);
            if let Some(name) = line.strip_prefix("ANCHOR: ") {
                part = Some(name.trim());
                parts += 1;
                out.push(line.to_string());
                i += 1;
                continue;
            }
            if line.starts_with("ANCHOR_END: ") {
                part = None;
                out.push(line.to_string());
                i += 1;
                continue;
            }
            if header && (line.starts_with('#') || line.trim().is_empty()) {
                out.push(line.to_string());
                i += 1;
                continue;
            }
            header = false;
            if let Some(directive) = line.strip_prefix('@') {
                if part.is_some() {
                    return Err(format!(
                        "{at}: a directive inside a part would be shown; put it between parts"
                    ));
                }
                if directive.trim() == "server-output" {
                    server_output = true;
                } else {
                    self.directive(directive)
                        .map_err(|e| format!("{at}: {e}"))?;
                }
                out.push(line.to_string());
                i += 1;
                continue;
            }
            // A group: an optional `$ ` line and the output under it, up
            // to the next command, directive or anchor line.
            let command = line.strip_prefix("$ ");
            if command.is_none() && !server_output && line.trim().is_empty() {
                out.push(String::new());
                i += 1;
                continue;
            }
            let start = if command.is_some() { i + 1 } else { i };
            let end = (start..lines.len())
                .find(|&j| {
                    let l = lines[j];
                    l.starts_with("$ ")
                        || l.starts_with('@')
                        || l.starts_with("ANCHOR: ")
                        || l.starts_with("ANCHOR_END: ")
                })
                .unwrap_or(lines.len());
            let book: Vec<String> = lines[start..end].iter().map(|l| l.to_string()).collect();
            let fresh = if server_output {
                server_output = false;
                let server = self
                    .server
                    .as_mut()
                    .ok_or(format!("{at}: @server-output, but no server runs"))?;
                if let Some(command) = command.filter(|c| *c != server.command) {
                    return Err(format!(
                        "{at}: {command:?} is shown as the server's command, \
                         which is {:?}",
                        server.command
                    ));
                }
                server.output_since_shown()
            } else if let Some(command) = command {
                self.command(command).map_err(|e| format!("{at}: {e}"))?
            } else {
                return Err(format!(
                    "{at}: output with no `$ ` command above it (server output needs \
                     @server-output before it)"
                ));
            };
            let fresh = self.as_the_book_shows(&fresh);
            let port = self
                .book_addr
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_string();
            let fresh = blank_lines_as_in_the_book(&book, fresh);
            let merged = merge(&book, &fresh, &|line| normalise(line, &port));
            if merged.drifted {
                let what =
                    command.map_or("the server's output".to_string(), |c| format!("`$ {c}`"));
                diffs.push(format!(
                    "  part `{}`, {at}, {what}:\n{}",
                    part.unwrap_or("(not shown)"),
                    merged.diff.join("\n")
                ));
            }
            if let Some(command) = command {
                out.push(format!("$ {command}"));
            }
            out.extend(merged.lines);
            i = end;
        }
        Ok(Outcome {
            text: out.join("\n") + "\n",
            diffs,
            parts,
        })
    }

    fn directive(&mut self, directive: &str) -> Result<(), String> {
        let (name, rest) = directive.split_once(' ').unwrap_or((directive, ""));
        let rest = rest.trim();
        match name {
            "addr" => self.book_addr = rest.to_string(),
            "fixed-addr" => self.fixed_addr = true,
            "cwd" if rest == "temp" => self.cwd = self.temp.clone(),
            "hidden-args" => {
                let mut words = rest.split_whitespace().map(str::to_string);
                let target = words.next().ok_or("@hidden-args TARGET ARGS...")?;
                self.hidden_args.push((target, words.collect()));
            }
            "path" => {
                let (shown, real) = rest.split_once(" => ").ok_or("@path SHOWN => REAL")?;
                let (shown, real) = (self.expand(shown)?, self.expand(real)?);
                self.paths.push((shown, real));
            }
            "server" => {
                if self.server.as_ref().is_some_and(|s| s.reader.is_some()) {
                    return Err("a server already runs: @stop it first".into());
                }
                let run = CargoRun::parse(rest).ok_or("@server takes a `cargo run` command")??;
                let argv = self.argv(&run)?;
                let addr = self.real_addr()?;
                self.server = Some(Server::start(rest, &argv, &self.cwd, &self.vars, &addr)?);
            }
            "wait-for" => {
                let server = self
                    .server
                    .as_ref()
                    .ok_or("@wait-for, but no server runs")?;
                server.wait_for(rest)?;
            }
            "stop" => {
                let mut server = self.server.take().ok_or("@stop, but no server runs")?;
                server.stop();
                // What it printed until it stopped is still to be shown.
                self.server = Some(server);
            }
            _ => return Err(format!("unknown directive @{directive}")),
        }
        Ok(())
    }

    /// The address the session really uses: the book's if it is fixed (and
    /// free), else a free port the system picks.
    fn real_addr(&mut self) -> Result<String, String> {
        if let Some(addr) = &self.real_addr {
            return Ok(addr.clone());
        }
        let addr = if self.fixed_addr {
            let deadline = Instant::now() + WAIT_TIMEOUT;
            while TcpListener::bind(&self.book_addr).is_err() {
                if Instant::now() > deadline {
                    return Err(format!(
                        "{} is in use, and this session's programs cannot be told \
                         another address (@fixed-addr): stop what listens there",
                        self.book_addr
                    ));
                }
                thread::sleep(Duration::from_millis(200));
            }
            self.book_addr.clone()
        } else {
            free_addr_like(&self.book_addr)?
        };
        self.real_addr = Some(addr.clone());
        Ok(addr)
    }

    /// `{addr}`, `{temp}` and `{root}` in a directive's words.
    fn expand(&mut self, text: &str) -> Result<String, String> {
        let mut text = text
            .replace("{temp}", &self.temp.to_string_lossy())
            .replace("{root}", &root().to_string_lossy());
        if text.contains("{addr}") {
            text = text.replace("{addr}", &self.real_addr()?);
        }
        Ok(text)
    }

    /// The binary and its arguments for a `cargo run`: the hidden ones
    /// first, then those shown (with the book's address made real).
    fn argv(&mut self, run: &CargoRun) -> Result<Vec<String>, String> {
        let mut argv = vec![run.binary().to_string_lossy().into_owned()];
        let hidden: Vec<String> = self
            .hidden_args
            .iter()
            .filter(|(target, _)| target == run.name())
            .flat_map(|(_, args)| args.clone())
            .collect();
        for arg in hidden.iter().chain(&run.args) {
            let arg = self.expand(arg)?;
            argv.push(self.with_real_addr(&arg)?);
        }
        Ok(argv)
    }

    /// A command or argument as really run: the book's address and paths
    /// swapped for the real ones.
    fn with_real_addr(&mut self, text: &str) -> Result<String, String> {
        let mut text = text.to_string();
        for (shown, real) in &self.paths {
            text = text.replace(shown.as_str(), real);
        }
        // `127.0.0.1:8000` for curl, `127.0.0.1 8000` for nc.
        let spaced = self.book_addr.replacen(':', " ", 1);
        if text.contains(&self.book_addr) || text.contains(&spaced) {
            let real = self.real_addr()?;
            text = text
                .replace(&self.book_addr, &real)
                .replace(&spaced, &real.replacen(':', " ", 1));
        }
        Ok(text)
    }

    /// Runs one `$ ` line and returns what it printed.
    fn command(&mut self, command: &str) -> Result<Vec<String>, String> {
        let mut sh = Command::new("sh");
        match CargoRun::parse(command) {
            Some(run) => {
                let argv = self.argv(&run?)?;
                sh.arg("-c").arg("exec 2>&1; exec \"$0\" \"$@\"").args(argv);
            }
            None => {
                let real = self.with_real_addr(command)?;
                let script = match assignment(command) {
                    // Print the value after a mark, to keep it for later.
                    Some(name) => format!("exec 2>&1\n{real}\nprintf '\\n{VALUE}%s' \"${name}\""),
                    None => format!("exec 2>&1\n{real}"),
                };
                sh.arg("-c").arg(script);
            }
        }
        let output = run_to_end(prepare(&mut sh, &self.cwd, &self.vars))?;
        let mut lines = Vec::new();
        for line in output.lines() {
            match (line.strip_prefix(VALUE), assignment(command)) {
                (Some(value), Some(name)) => {
                    self.vars.retain(|(n, _)| n != name);
                    self.vars.push((name.to_string(), value.to_string()));
                }
                _ => lines.push(line.trim_end_matches('\r').to_string()),
            }
        }
        if assignment(command).is_some() && lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        Ok(lines)
    }

    /// What a command printed, with the real address and paths turned into
    /// what the book shows.
    fn as_the_book_shows(&self, fresh: &[String]) -> Vec<String> {
        let root = root().to_string_lossy().into_owned();
        let temp = self.temp.to_string_lossy().into_owned();
        fresh
            .iter()
            .map(|line| {
                let mut line = line.clone();
                if let Some(real) = &self.real_addr {
                    line = line.replace(real.as_str(), &self.book_addr);
                    // The port alone, as an HTML cell shows it (step 3's
                    // environ page: `<td>8000</td>`).
                    let port = |addr: &str| addr.rsplit(':').next().unwrap_or_default().to_string();
                    let (real, book) = (port(real), port(&self.book_addr));
                    line = line.replace(&format!(">{real}<"), &format!(">{book}<"));
                }
                for (shown, real) in &self.paths {
                    line = line.replace(real.as_str(), shown);
                }
                line.replace(&temp, "/tmp/outputs")
                    .replace(&root, SHOWN_ROOT)
            })
            .collect()
    }
}

/// Drops blank lines at the end of what a command printed, beyond as many
/// as the book shows: `cargo test` ends with one, which a terminal shows
/// as a gap before the next prompt and a book may leave out.
fn blank_lines_as_in_the_book(book: &[String], mut fresh: Vec<String>) -> Vec<String> {
    let trailing = |lines: &[String]| {
        lines
            .iter()
            .rev()
            .take_while(|l| l.trim().is_empty())
            .count()
    };
    let extra = trailing(&fresh).saturating_sub(trailing(book));
    fresh.truncate(fresh.len() - extra);
    fresh
}

/// A free address on the book's host whose port has as many digits as the
/// book's: `127.0.0.1:8000` gets a port from 1024 to 9999. Then a page or
/// a log line that holds the port is as long as in the book, and so are
/// the `Content-Length` and the byte counts of the access log.
fn free_addr_like(book_addr: &str) -> Result<String, String> {
    let (host, port) = book_addr
        .rsplit_once(':')
        .ok_or(format!("{book_addr:?} is not HOST:PORT"))?;
    let digits = port.len() as u32;
    let low = 10u32.pow(digits.saturating_sub(1)).max(1024);
    let high = 10u32.pow(digits).min(65536) - 1;
    if low > high {
        return Err(format!("no port of {digits} digits to use for {book_addr}"));
    }
    // Start somewhere that differs from run to run and from process to
    // process, and walk on from there.
    let span = high - low + 1;
    let start = std::process::id().wrapping_mul(7919).wrapping_add(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos()),
    ) % span;
    for step in 0..span {
        let candidate = low + (start + step) % span;
        if candidate.to_string() == port {
            continue;
        }
        let addr = format!("{host}:{candidate}");
        if TcpListener::bind(&addr).is_ok() {
            return Ok(addr);
        }
    }
    Err(format!("no free port of {digits} digits on {host}"))
}

/// The mark before a variable's value in a command's output.
const VALUE: &str = "\u{1}xtask-value:";

/// `NAME` for a line `NAME=...`, the shell's assignment.
fn assignment(command: &str) -> Option<&str> {
    let (name, _) = command.split_once('=')?;
    let ok = !name.is_empty()
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !name.starts_with(|c: char| c.is_ascii_digit());
    ok.then_some(name)
}

/// The environment every command and server gets: the session's
/// variables, one locale (for `sort`), no colours, one test thread (so
/// `cargo test` lists tests in order, as the Rust Book's script does), and
/// no backtraces.
fn prepare<'a>(command: &'a mut Command, cwd: &Path, vars: &[(String, String)]) -> &'a mut Command {
    command
        .current_dir(cwd)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .env("LC_ALL", "C.UTF-8")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env("RUST_TEST_THREADS", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
}

/// Runs a command to its end (or `COMMAND_TIMEOUT`) and returns its stdout.
fn run_to_end(command: &mut Command) -> Result<String, String> {
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let (done, output) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        let _ = done.send(bytes);
    });
    match output.recv_timeout(COMMAND_TIMEOUT) {
        Ok(bytes) => {
            let _ = child.wait();
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("{command:?} took more than {COMMAND_TIMEOUT:?}"))
        }
    }
}

/// A server running in the background, and what it has printed.
struct Server {
    /// The command as the book shows it.
    command: String,
    child: Child,
    /// Every line it printed (stdout and stderr), filled by a thread.
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<thread::JoinHandle<()>>,
    /// How many lines have been shown already.
    shown: usize,
}

impl Server {
    fn start(
        command: &str,
        argv: &[String],
        cwd: &Path,
        vars: &[(String, String)],
        addr: &str,
    ) -> Result<Server, String> {
        let mut sh = Command::new("sh");
        // `exec`, so that the process we signal is the server itself.
        sh.arg("-c").arg("exec 2>&1; exec \"$0\" \"$@\"").args(argv);
        let mut child = prepare(&mut sh, cwd, vars)
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        let mut stdout = child.stdout.take().ok_or("no stdout")?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let filled = Arc::clone(&lines);
        let reader = thread::spawn(move || {
            // Byte by byte into lines, so a line is seen as soon as it ends.
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while let Ok(1) = stdout.read(&mut byte) {
                if byte[0] == b'\n' {
                    let text = String::from_utf8_lossy(&line)
                        .trim_end_matches('\r')
                        .to_string();
                    filled.lock().unwrap_or_else(|e| e.into_inner()).push(text);
                    line.clear();
                } else {
                    line.push(byte[0]);
                }
            }
            if !line.is_empty() {
                let text = String::from_utf8_lossy(&line).into_owned();
                filled.lock().unwrap_or_else(|e| e.into_inner()).push(text);
            }
        });
        let mut server = Server {
            command: command.to_string(),
            child,
            lines,
            reader: Some(reader),
            shown: 0,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while !server.printed(addr) {
            let exited = server.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let printed = server.snapshot().join("\n");
                server.stop();
                return Err(format!(
                    "{command:?} did not print its address {addr}; it printed:\n{printed}"
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    fn snapshot(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn printed(&self, text: &str) -> bool {
        self.snapshot()[self.shown..]
            .iter()
            .any(|line| line.contains(text))
    }

    fn wait_for(&self, text: &str) -> Result<(), String> {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        while !self.printed(text) {
            if Instant::now() > deadline {
                return Err(format!(
                    "the server did not print {text:?} within {WAIT_TIMEOUT:?}; it printed:\n{}",
                    self.snapshot().join("\n")
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// The lines printed since last asked, once the server has been quiet
    /// for a moment (or has stopped).
    fn output_since_shown(&mut self) -> Vec<String> {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        let mut count = self.snapshot().len();
        let mut quiet_since = Instant::now();
        while self.reader.is_some() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
            let now = self.snapshot().len();
            if now != count {
                count = now;
                quiet_since = Instant::now();
            } else if quiet_since.elapsed() >= QUIET {
                break;
            }
        }
        let lines = self.snapshot();
        let new = lines[self.shown.min(lines.len())..].to_vec();
        self.shown = lines.len();
        new
    }

    /// Stops the server as Ctrl-C would, and waits until all it printed is
    /// read; kills it if it does not stop in time.
    fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + WAIT_TIMEOUT;
            while self.child.try_wait().ok().flatten().is_none() {
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.reader.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The book's lines set against a run's.
pub(crate) struct Merged {
    /// What the book should show: its own line where the two agree once
    /// normalised, the run's line where they do not, and `...` kept.
    pub lines: Vec<String>,
    /// The differences, `-` for the book and `+` for the run, with the
    /// lines that agree as context (a `...` stands for what it covers).
    pub diff: Vec<String>,
    /// Whether they differ at all.
    pub drifted: bool,
}

/// Aligns the book's lines with the run's, with as few lines dropped and
/// added as possible; a book line `...` covers any number of the run's
/// lines. A small edit-distance table: blocks are short. A line covered by
/// `...` costs a little, so that of two alignments with as many edits, the
/// one that matches more lines wins (a changed line is then shown as `-`
/// and `+`, not hidden in the `...`).
pub(crate) fn merge(
    book: &[String],
    fresh: &[String],
    normalise: &dyn Fn(&str) -> String,
) -> Merged {
    let b: Vec<String> = book.iter().map(|l| normalise(l)).collect();
    let f: Vec<String> = fresh.iter().map(|l| normalise(l)).collect();
    let wildcard = |i: usize| book[i].trim() == "...";
    let (nb, nf) = (b.len(), f.len());
    const EDIT: u64 = 1 << 32;
    const COVERED: u64 = 1;
    // cost[i][j]: the cheapest alignment of book[i..] with fresh[j..].
    let mut cost = vec![vec![0u64; nf + 1]; nb + 1];
    for i in (0..=nb).rev() {
        for j in (0..=nf).rev() {
            cost[i][j] = if i == nb {
                EDIT * (nf - j) as u64
            } else if wildcard(i) {
                let skip = cost[i + 1][j];
                if j < nf {
                    skip.min(COVERED + cost[i][j + 1])
                } else {
                    skip
                }
            } else {
                let mut best = EDIT + cost[i + 1][j];
                if j < nf {
                    best = best.min(EDIT + cost[i][j + 1]);
                    if b[i] == f[j] {
                        best = best.min(cost[i + 1][j + 1]);
                    }
                }
                best
            };
        }
    }
    let mut merged = Merged {
        lines: Vec::new(),
        diff: Vec::new(),
        drifted: cost[0][0] >= EDIT,
    };
    let (mut i, mut j) = (0, 0);
    while i < nb || j < nf {
        if i < nb && wildcard(i) {
            if j < nf && cost[i][j] == COVERED + cost[i][j + 1] {
                j += 1; // covered by the `...`
            } else {
                merged.lines.push(book[i].clone());
                merged.diff.push(format!("    {}", book[i]));
                i += 1;
            }
        } else if i < nb && j < nf && b[i] == f[j] && cost[i][j] == cost[i + 1][j + 1] {
            merged.lines.push(book[i].clone());
            merged.diff.push(format!("    {}", book[i]));
            i += 1;
            j += 1;
        } else if i < nb && cost[i][j] == EDIT + cost[i + 1][j] {
            merged.diff.push(format!("  - {}", book[i]));
            i += 1;
        } else {
            merged.lines.push(fresh[j].clone());
            merged.diff.push(format!("  + {}", fresh[j]));
            j += 1;
        }
    }
    merged
}

/// Replaces what changes from run to run with placeholders. `port` is the
/// book's server port, the one port that must not change.
fn normalise(line: &str, port: &str) -> String {
    let line = line.trim_end();
    // A signed cookie's value: random key, random token.
    if let Some(cookie) = line.strip_prefix("Set-Cookie: ") {
        if let (Some(eq), Some(semi)) = (cookie.find('='), cookie.find(';')) {
            if eq < semi {
                return format!("Set-Cookie: {}=<value>{}", &cookie[..eq], &cookie[semi..]);
            }
        }
    }
    let mut line = line.to_string();
    for (shape, placeholder) in SHAPES {
        line = replace_shape(&line, shape, placeholder);
    }
    // A client's port, which the system picks; the server's stays.
    let mut out = String::new();
    let mut rest = line.as_str();
    while let Some(at) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && &after[..digits] != port {
            out.push_str("<port>");
        } else {
            out.push_str(&after[..digits]);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Shapes of what changes from run to run, and what replaces them. In a
/// shape, `A` is a letter, `9` a digit, `#` one or more digits, `x` a
/// lowercase hex digit; anything else is itself.
const SHAPES: [(&str, &str); 12] = [
    ("Aaa, 99 Aaa 9999 99:99:99 GMT", "<date>"), // HTTP dates
    ("99/Aaa/9999 99:99:99", "<time>"),          // the access log's time
    ("9999-99-99T99:99:99", "<time>"),           // ISO 8601
    ("9999-99-99 99:99:99", "<time>"),
    ("#.#s", "<duration>"), // finished in 0.05s
    ("#.#ms", "<duration>"),
    ("' (#) panicked", "' (<pid>) panicked"), // thread 'main' (26578) panicked
    // A build's hash (`deps/NAME-6ab2ab00751f502a`), a random token.
    ("-xxxxxxxxxxxxxxxx", "-<hash>"),
    (
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "<token>",
    ),
    // The client's port in step 3's environ page, and curl's version in
    // its User-Agent.
    (
        "<th>REMOTE_PORT</th><td>#</td>",
        "<th>REMOTE_PORT</th><td><port></td>",
    ),
    ("curl/#.#.#", "curl/<version>"),
    // How many workers and connections a server picks on this machine.
    (
        "# workers, up to # connections",
        "<n> workers, up to <n> connections",
    ),
];

/// Replaces every piece of `line` of the given shape (see `SHAPES`). A
/// shape that starts or ends with a digit or hex class must not be in the
/// middle of a longer number.
fn replace_shape(line: &str, shape: &str, placeholder: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let shape: Vec<char> = shape.chars().collect();
    let numeric = |c: char| matches!(c, '9' | '#' | 'x');
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let before_ok = !numeric(shape[0]) || i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        let end = if before_ok {
            match_shape(&chars[i..], &shape)
        } else {
            None
        };
        let after_ok = |end: usize| {
            !numeric(shape[shape.len() - 1])
                || chars
                    .get(i + end)
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
        };
        match end {
            Some(end) if after_ok(end) => {
                out.push_str(placeholder);
                i += end;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// How many characters of `text` match `shape` from its start, if it does.
fn match_shape(text: &[char], shape: &[char]) -> Option<usize> {
    let mut t = 0;
    for &s in shape {
        let c = *text.get(t)?;
        match s {
            'A' | 'a' if c.is_ascii_alphabetic() => t += 1,
            '9' if c.is_ascii_digit() => t += 1,
            'x' if c.is_ascii_digit() || ('a'..='f').contains(&c) => t += 1,
            '#' if c.is_ascii_digit() => {
                while text.get(t).is_some_and(char::is_ascii_digit) {
                    t += 1;
                }
            }
            _ if s == c && !matches!(s, 'A' | 'a' | '9' | 'x' | '#') => t += 1,
            _ => return None,
        }
    }
    Some(t)
}

/// What the chapters show, sorted: blocks from session files, blocks
/// captured by hand, and blocks that are neither.
struct Report {
    by_hand: Vec<String>,
    unmarked: Vec<String>,
    not_shown: Vec<String>,
}

impl Report {
    fn of_book(src: &Path, outputs: &Path) -> Result<Report, String> {
        let summary = fs::read_to_string(src.join("SUMMARY.md")).map_err(|e| format!("{e}"))?;
        let mut report = Report {
            by_hand: Vec::new(),
            unmarked: Vec::new(),
            not_shown: Vec::new(),
        };
        let mut included = Vec::new();
        for chapter in rendered::chapters_in(&summary) {
            let text =
                fs::read_to_string(src.join(&chapter)).map_err(|e| format!("{chapter}: {e}"))?;
            for block in output_blocks(&text) {
                let place = format!("docs/src/{chapter}:{}", block.line);
                match block.class {
                    Class::Regenerated(parts) => included.extend(parts),
                    Class::ByHand(note) => report.by_hand.push(format!("{place}: {note}")),
                    Class::Unmarked => report.unmarked.push(place),
                }
            }
        }
        for file in session_files(outputs) {
            let name = session_name(outputs, &file);
            let text = fs::read_to_string(&file).map_err(|e| format!("{e}"))?;
            for line in text.lines() {
                if let Some(part) = line.strip_prefix("ANCHOR: ") {
                    let part = format!("{name}:{}", part.trim());
                    if !included.contains(&part) {
                        report.not_shown.push(part);
                    }
                }
            }
        }
        Ok(report)
    }

    fn print(&self) {
        let list = |warning: &str, lines: &[String], what: &str| {
            println!("outputs: {warning}{} {what}:", lines.len());
            for line in lines {
                println!("  {line}");
            }
        };
        let by_hand = "block(s) captured by hand, not re-run (each says how)";
        list("", &self.by_hand, by_hand);
        if !self.unmarked.is_empty() {
            let unmarked = format!("output block(s) neither re-run nor marked `{BY_HAND}`");
            list("warning: ", &self.unmarked, &unmarked);
        }
        if !self.not_shown.is_empty() {
            let not_shown = "part(s) re-run but shown in no chapter";
            list("warning: ", &self.not_shown, not_shown);
        }
    }
}

/// A `console` or `text` block of a chapter that shows output.
struct Block {
    line: usize,
    class: Class,
}

enum Class {
    /// Included from session files: `step02/index.txt:curl`, ...
    Regenerated(Vec<String>),
    /// Captured by hand; the chapter's note says how.
    ByHand(String),
    /// Output, but neither of the above.
    Unmarked,
}

/// The blocks of a chapter that show output. A `console` block of
/// commands only shows none; a `text` block counts only when it is marked
/// as captured by hand (the others are diagrams and examples of formats).
fn output_blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        // A longer fence (````markdown) shows Markdown, blocks and all, as
        // an example: skip to its end.
        let ticks = trimmed.bytes().take_while(|&b| b == b'`').count();
        if ticks > 3 {
            let fence = &trimmed[..ticks];
            i = (i + 1..lines.len())
                .find(|&j| lines[j].trim() == fence)
                .map_or(lines.len(), |end| end + 1);
            continue;
        }
        let Some(language) = trimmed.strip_prefix("```").map(str::trim) else {
            i += 1;
            continue;
        };
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .unwrap_or(lines.len());
        let body = &lines[i + 1..end];
        let note = lines[(end + 1).min(lines.len())..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .filter(|l| l.starts_with(BY_HAND));
        let parts: Vec<String> = body
            .iter()
            .filter_map(|l| l.trim().strip_prefix("{{#include outputs/"))
            .filter_map(|rest| rest.strip_suffix("}}"))
            .map(str::to_string)
            .collect();
        let commands_only = body.iter().enumerate().all(|(k, l)| {
            l.trim_start().starts_with("$ ") || (k > 0 && body[k - 1].trim_end().ends_with('\\'))
        });
        let class = if !parts.is_empty() {
            Some(Class::Regenerated(parts))
        } else if note.is_some() {
            Some(Class::ByHand(note_text(
                lines.get(end + 1..).unwrap_or(&[]),
            )))
        } else if language == "console" && !commands_only {
            Some(Class::Unmarked)
        } else {
            None
        };
        if let Some(class) = class {
            blocks.push(Block { line: i + 1, class });
        }
        i = end + 1;
    }
    blocks
}

/// The note under a block, on one line, without its emphasis.
fn note_text(after: &[&str]) -> String {
    let text: Vec<&str> = after
        .iter()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim())
        .collect();
    text.join(" ").trim_matches('*').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn norm(line: &str) -> String {
        normalise(line, "8000")
    }

    /// What changes from run to run is replaced; what should not change
    /// (the server's port, a status, a count) stays.
    #[test]
    fn normalising_keeps_what_matters() {
        assert_eq!(norm("Date: Sun, 22 Nov 2026 07:26:00 GMT"), "Date: <date>");
        assert_eq!(
            norm("127.0.0.1 - - [22/Nov/2026 07:26:01] \"GET / HTTP/1.1\" 200 369"),
            "127.0.0.1 - - [<time>] \"GET / HTTP/1.1\" 200 369"
        );
        assert_eq!(
            norm("127.0.0.1:39718: closed without sending a request"),
            "127.0.0.1:<port>: closed without sending a request"
        );
        assert_eq!(
            norm(
                "Serving on http://127.0.0.1:8000/ (4 workers, up to 19952 connections; Ctrl-C stops)"
            ),
            "Serving on http://127.0.0.1:8000/ (<n> workers, up to <n> connections; Ctrl-C stops)"
        );
        assert_eq!(
            norm("test result: ok. 3 passed; 0 failed; finished in 0.10s"),
            "test result: ok. 3 passed; 0 failed; finished in <duration>"
        );
        assert_eq!(
            norm("thread 'main' (26578) panicked at naive.rs:31:43:"),
            "thread 'main' (<pid>) panicked at naive.rs:31:43:"
        );
        assert_eq!(
            norm("Running tests/server.rs (target/debug/deps/server-349fcb855a8edb98)"),
            "Running tests/server.rs (target/debug/deps/server-<hash>)"
        );
        assert_eq!(
            norm("Set-Cookie: csrf=z2OG%3D55f9; HttpOnly; Path=/"),
            "Set-Cookie: csrf=<value>; HttpOnly; Path=/"
        );
        assert_eq!(
            norm("no complete head within 10s"),
            "no complete head within 10s"
        );
        assert_eq!(norm("HTTP/1.1 404 Not Found"), "HTTP/1.1 404 Not Found");
    }

    /// Dates are placeholders and `...` covers any lines: such a block
    /// agrees, and the book's own lines are kept.
    #[test]
    fn a_block_that_agrees_is_kept_as_the_book_has_it() {
        let book = lines("HTTP/1.1 200 OK\nDate: Sat, 21 Nov 2026 13:22:38 GMT\n\n<html>\n...");
        let fresh = lines(
            "HTTP/1.1 200 OK\nDate: Sun, 22 Nov 2026 10:00:00 GMT\n\n<html>\n<head>\n</html>",
        );
        let merged = merge(&book, &fresh, &norm);
        assert!(!merged.drifted, "{:#?}", merged.diff);
        assert_eq!(merged.lines, book);
    }

    /// A changed line is drift: the diff shows both, and the update takes
    /// the run's line while keeping the `...` and the lines that agree.
    #[test]
    fn drift_is_shown_and_updated() {
        let book =
            lines("HTTP/1.1 200 OK\nContent-Length: 794\nDate: Sat, 21 Nov 2026 13:22:38 GMT\n...");
        let fresh = lines(
            "HTTP/1.1 200 OK\nContent-Length: 801\nDate: Sun, 22 Nov 2026 10:00:00 GMT\n<html>",
        );
        let merged = merge(&book, &fresh, &norm);
        assert!(merged.drifted);
        assert_eq!(
            merged.diff,
            [
                "    HTTP/1.1 200 OK",
                "  - Content-Length: 794",
                "  + Content-Length: 801",
                "    Date: Sat, 21 Nov 2026 13:22:38 GMT",
                "    ...",
            ]
        );
        assert_eq!(
            merged.lines,
            lines("HTTP/1.1 200 OK\nContent-Length: 801\nDate: Sat, 21 Nov 2026 13:22:38 GMT\n...")
        );
        let missing = merge(&lines("a\nb"), &lines("a"), &norm);
        assert!(missing.drifted, "a line the run no longer prints is drift");
    }

    /// `cargo run` lines are taken apart; what needs a shell is refused.
    #[test]
    fn cargo_run_lines_are_parsed() {
        let run =
            CargoRun::parse("cargo run -p step01_raw_socket --bin echo_client -- can you hear me?");
        assert_eq!(
            run,
            Some(Ok(CargoRun {
                package: "step01_raw_socket".into(),
                release: false,
                target: Some(("bin", "echo_client".into())),
                args: ["can", "you", "hear", "me?"].map(String::from).to_vec(),
            }))
        );
        assert_eq!(CargoRun::parse("curl -i http://127.0.0.1:8000/"), None);
        assert!(matches!(
            CargoRun::parse("cargo run -p a | head -n 1"),
            Some(Err(_))
        ));
        assert_eq!(assignment("token=$(curl -s x)"), Some("token"));
        assert_eq!(assignment("curl -d a=b x"), None);
    }

    /// A chapter's blocks are sorted: included from a session, captured by
    /// hand (with the note), commands only (not listed), or neither.
    #[test]
    fn chapter_blocks_are_classified() {
        let chapter = "\
```console
{{#include outputs/step01/hello.txt:curl}}
```

```console
$ sudo tcpdump -i lo
IP 127.0.0.1.51498 > 127.0.0.1.8000: Flags [S]
```

*Captured by hand from a real run:
`sudo tcpdump -i lo` (it needs root).*

```console
$ cargo xtask exercise check step01/threads
```

```console
$ cargo run -p step03_wsgi_gateway
Serving HTTP on http://127.0.0.1:8000/
```

```text
127.0.0.1:51234 GET /hello HTTP/1.1
```

````markdown
```console
\\{{#include outputs/step04/demo.txt:tour}}
```
````
";
        let blocks = output_blocks(chapter);
        assert_eq!(blocks.len(), 3);
        assert!(
            matches!(&blocks[0].class, Class::Regenerated(p) if p == &["step01/hello.txt:curl"])
        );
        assert!(matches!(&blocks[1].class,
            Class::ByHand(n) if n == "Captured by hand from a real run: `sudo tcpdump -i lo` (it needs root)."));
        assert!(matches!(blocks[2].class, Class::Unmarked));
        assert_eq!(blocks[2].line, 17);
    }
}
