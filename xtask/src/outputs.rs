//! `cargo xtask outputs [--update]`: re-runs the commands whose output the
//! book shows, and reports what drifted.
//!
//! A chapter marks a block it can regenerate with a comment on the line
//! before it, naming the server the block talks to:
//!
//! ````text
//! <!-- outputs: step04 -->
//! ```console
//! $ curl -si http://127.0.0.1:8000/users/abc | head -n 1
//! HTTP/1.1 404 Not Found
//! ```
//! ````
//!
//! The tool starts that step's binary on a free port, runs every `$ `
//! line of the block with `sh -c` (port 8000 replaced by the real one), and
//! compares what it prints with the lines under it in the book. Before
//! comparing, both sides are *normalised*: dates (`Date`, `Last-Modified`,
//! the access log's time) and ports become placeholders, so only what
//! should never change is compared. A line `...` in the book stands for any
//! number of lines. With `--update`, drifted blocks are rewritten with what
//! the commands print now (the port put back to 8000).
//!
//! Blocks without a mark are not run: they show a browser, root-only tools
//! (`tcpdump`, `strace`), a benchmark, or a long story across terminals,
//! and each says how it was captured. The tool counts them, so a reader of
//! its report sees what is checked and what is not. This is the spirit of
//! the Rust Book's `tools/update-rustc.sh`, which regenerates its listings'
//! `output.txt` files.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::{cargo, root, run, target_dir};

/// The servers a block can name: the step's package, and its arguments.
const SERVERS: [(&str, &str, &[&str]); 4] = [
    ("step01", "step01_raw_socket", &[]),
    ("step02", "step02_http_reply", &[]),
    ("step03", "step03_wsgi_gateway", &[]),
    ("step04", "step04_router", &[]),
];

const MARK: &str = "<!-- outputs: ";

pub fn outputs(args: &[&str]) -> Result<(), String> {
    let update = args.contains(&"--update");
    let src = root().join("docs").join("src");
    let mut build = cargo();
    build.current_dir(root()).args(["build", "--quiet"]);
    for (_, package, _) in SERVERS {
        build.args(["--package", package]);
    }
    run(&mut build)?;

    let mut chapters: Vec<_> = fs::read_dir(&src)
        .map_err(|e| format!("{}: {e}", src.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    let (mut checked, mut by_hand, mut drifted) = (0, 0, Vec::new());
    for chapter in chapters {
        let text = fs::read_to_string(&chapter).map_err(|e| format!("{e}"))?;
        let name = chapter
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut changed = false;
        let mut i = 0;
        while i < lines.len() {
            let is_console = lines[i].starts_with("```console");
            let mark = i
                .checked_sub(1)
                .and_then(|before| lines[before].strip_prefix(MARK))
                .and_then(|rest| rest.strip_suffix(" -->"))
                .map(str::to_string);
            if !is_console {
                i += 1;
                continue;
            }
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].starts_with("```"))
                .ok_or_else(|| format!("{name}: a console block at line {} never ends", i + 1))?;
            let Some(server) = mark else {
                by_hand += 1;
                i = end + 1;
                continue;
            };
            let block = &lines[i + 1..end];
            let fresh =
                regenerate(&server, block).map_err(|e| format!("{name}, line {}: {e}", i + 1))?;
            checked += 1;
            let mut next = end + 1;
            if !matches(block, &fresh) {
                drifted.push(format!(
                    "{name}, line {}:\n--- the book\n{}\n+++ now\n{}",
                    i + 1,
                    block.join("\n"),
                    fresh.join("\n")
                ));
                if update {
                    next = i + 1 + fresh.len() + 1;
                    lines.splice(i + 1..end, fresh);
                    changed = true;
                }
            }
            i = next;
        }
        if changed {
            fs::write(&chapter, lines.join("\n") + "\n").map_err(|e| format!("{e}"))?;
        }
    }
    println!(
        "outputs: {checked} block(s) re-run, {} drifted; {by_hand} captured by hand (not re-run)",
        drifted.len()
    );
    match (drifted.is_empty(), update) {
        (true, _) => Ok(()),
        (false, true) => {
            println!("{}\n(updated)", drifted.join("\n\n"));
            Ok(())
        }
        (false, false) => Err(format!(
            "{}\n\nrun `cargo xtask outputs --update` to take what the commands print now",
            drifted.join("\n\n")
        )),
    }
}

/// Runs a block's commands against a fresh `server`, and returns the block
/// as it would be now: each `$ ` line followed by what it printed.
fn regenerate(server: &str, block: &[String]) -> Result<Vec<String>, String> {
    let Some((_, package, args)) = SERVERS.iter().find(|(name, ..)| *name == server) else {
        return Err(format!("no server called {server:?}"));
    };
    let running = Running::start(package, args)?;
    let mut fresh = Vec::new();
    for line in block {
        let Some(command) = line.strip_prefix("$ ") else {
            continue;
        };
        let real = command.replace("127.0.0.1:8000", &running.addr);
        let output = Command::new("sh")
            .arg("-c")
            .arg(&real)
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot run {command:?}: {e}"))?;
        fresh.push(line.clone());
        let port = running.addr.rsplit(':').next().unwrap_or_default();
        let text = String::from_utf8_lossy(&output.stdout)
            .replace(&running.addr, "127.0.0.1:8000")
            .replace(&format!("<td>{port}</td>"), "<td>8000</td>");
        fresh.extend(text.lines().map(|l| l.trim_end_matches('\r').to_string()));
    }
    Ok(fresh)
}

/// Whether the book's block and the fresh one agree once normalised; `...`
/// in the book matches any number of lines.
fn matches(book: &[String], fresh: &[String]) -> bool {
    let book: Vec<String> = book.iter().map(|l| normalise(l)).collect();
    let fresh: Vec<String> = fresh.iter().map(|l| normalise(l)).collect();
    fn go(book: &[String], fresh: &[String]) -> bool {
        match book.split_first() {
            None => fresh.is_empty(),
            Some((first, rest)) if first == "..." => {
                (0..=fresh.len()).any(|skip| go(rest, &fresh[skip..]))
            }
            Some((first, rest)) => fresh
                .split_first()
                .is_some_and(|(line, more)| line == first && go(rest, more)),
        }
    }
    go(&book, &fresh)
}

/// Replaces what changes from run to run with placeholders.
fn normalise(line: &str) -> String {
    let line = line.trim_end();
    for field in ["Date: ", "Last-Modified: ", "Expires: "] {
        if line.starts_with(field) {
            return format!("{field}<date>");
        }
    }
    // The client's port, which the system picks.
    if let Some(rest) = line.strip_prefix("<tr><th>REMOTE_PORT</th>") {
        if rest.starts_with("<td>") {
            return "<tr><th>REMOTE_PORT</th><td><port></td></tr>".to_string();
        }
    }
    // The access log's `[22/Nov/2026 07:26:00]`.
    if let (Some(open), Some(close)) = (line.find(" - - ["), line.find("] \"")) {
        if open < close {
            return format!("{}<time>{}", &line[..open + 6], &line[close..]);
        }
    }
    line.to_string()
}

/// A step's binary on a free port, killed when dropped.
struct Running {
    child: Child,
    addr: String,
}

impl Running {
    fn start(package: &str, args: &[&str]) -> Result<Running, String> {
        let binary = target_dir().join("debug").join(package);
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {package}: {e}"))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let mut stdout = BufReader::new(stdout);
            let _ = stdout.read_line(&mut line);
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        }
        let addr = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .map(|w| w.trim_end_matches('/').to_string());
        match addr {
            Some(addr) => Ok(Running { child, addr }),
            None => {
                let _ = child.kill();
                Err(format!("{package} printed no URL: {line:?}"))
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    /// Dates and log times are placeholders; everything else must agree,
    /// and `...` stands for any lines.
    #[test]
    fn blocks_compare_after_normalising() {
        let book =
            lines("$ curl -i x\nHTTP/1.1 200 OK\nDate: Sat, 21 Nov 2026 13:22:38 GMT\n...\nend");
        let fresh =
            lines("$ curl -i x\nHTTP/1.1 200 OK\nDate: Sun, 22 Nov 2026 10:00:00 GMT\na\nb\nend");
        assert!(matches(&book, &fresh));
        let changed = lines("$ curl -i x\nHTTP/1.1 404 Not Found\nDate: x\nend");
        assert!(!matches(&book, &changed), "a changed status is drift");
        assert_eq!(
            normalise("127.0.0.1 - - [21/Nov/2026 13:22:38] \"GET / HTTP/1.1\" 200 279"),
            "127.0.0.1 - - [<time>] \"GET / HTTP/1.1\" 200 279"
        );
    }
}
