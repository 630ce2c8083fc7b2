//! `cargo xtask bench`: each step's server against axum doing the same
//! work, driven by the same load generator (`wrk`).
//!
//! | case | this project | axum (`xtask/axum-peer`) | request |
//! |------|--------------|--------------------------|---------|
//! | `step03` | step 3's `hello` example | `axum-peer hello` | `GET /` |
//! | `step03-demo` | the step 3 demo with its access log and validator, as `cargo run -p step03_wsgi_gateway` runs it | `axum-peer hello` | `GET /` |
//! | `step04` | step 4's `github` example (203 routes) | `axum-peer github` | a route with three parameters |
//! | `step05` | the guestbook, as `cargo run -p step05_templates` runs it | `axum-peer guestbook` (axum, minijinja, rusqlite) | `GET /`: 20 of 120 messages |
//!
//! In each case the two servers take turns, round after round, so that
//! whatever else the machine is doing affects both alike; the medians are
//! compared. The goal for each (the issues): at 64 keep-alive connections,
//! at least 0.8 of axum's requests per second, and at 256 no request fails.
//! Step 3 also has a benchmark of the environ's map alone
//! (`cargo bench -p step03_wsgi_gateway --bench environ`), step 4 one of
//! route lookup alone, without a server (`cargo bench -p step04_router
//! --bench lookup`), and step 5 one of its page alone (`cargo bench -p
//! step05_templates --bench render`); this runs them too.
//!
//! `cargo xtask bench [--quick] [CASE...]`; no case means all of them.
//! `--quick` is the version CI runs: fewer, shorter rounds. It still fails
//! on a failed request, but only reports the ratios, because a short run on
//! a busy CI machine is too noisy to judge speed by.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, root, run, target_dir};

/// The ratio each step must reach at 64 connections.
const GOAL: f64 = 0.8;

struct Settings {
    rounds: usize,
    seconds: u32,
    quick: bool,
}

/// One comparison: which of our programs, which mode of the axum peer, and
/// which path to ask for.
struct Case {
    name: &'static str,
    /// The program that serves it, and its package.
    package: &'static str,
    program: Program,
    /// What the axum peer is told to serve.
    peer_mode: &'static str,
    path: &'static str,
}

/// Which of a package's programs.
enum Program {
    /// An example, built for the benchmark.
    Example(&'static str),
    /// The package's own binary, as `cargo run -p` runs it, middleware and
    /// all: what a learner runs.
    Binary,
    /// Step 5's binary: the guestbook with its middleware, on a database of
    /// 120 messages.
    Guestbook,
}

const CASES: [Case; 4] = [
    Case {
        name: "step03",
        package: "step03_wsgi_gateway",
        program: Program::Example("hello"),
        peer_mode: "hello",
        path: "/",
    },
    // The same server with the demo application behind the access log and
    // the validator, against the same bare axum: what the middleware costs.
    Case {
        name: "step03-demo",
        package: "step03_wsgi_gateway",
        program: Program::Binary,
        peer_mode: "hello",
        path: "/",
    },
    Case {
        name: "step04",
        package: "step04_router",
        program: Program::Example("github"),
        peer_mode: "github",
        path: "/repos/rust-lang/rust/issues/4242",
    },
    Case {
        name: "step05",
        package: "step05_templates",
        program: Program::Guestbook,
        peer_mode: "guestbook",
        path: "/",
    },
];

/// Messages in the benchmark's guestbook: the home page shows the newest 20.
const GUESTBOOK_MESSAGES: &str = "120";

pub fn bench(args: &[&str]) -> Result<(), String> {
    let quick = args.contains(&"--quick");
    let settings = if quick {
        Settings {
            rounds: 1,
            seconds: 2,
            quick,
        }
    } else {
        Settings {
            rounds: 5,
            seconds: 5,
            quick,
        }
    };
    let names: Vec<&str> = args.iter().copied().filter(|a| *a != "--quick").collect();
    let chosen: Vec<&Case> = if names.is_empty() {
        CASES.iter().collect()
    } else {
        names
            .iter()
            .map(|name| {
                CASES.iter().find(|c| c.name == *name).ok_or_else(|| {
                    let known: Vec<&str> = CASES.iter().map(|c| c.name).collect();
                    format!("no benchmark {name:?}; there are: {}", known.join(", "))
                })
            })
            .collect::<Result<_, _>>()?
    };
    if Command::new("wrk").arg("--version").output().is_err() {
        return Err("wrk is needed: apt-get install wrk".into());
    }
    println!("building the servers in release mode...");
    let mut build = cargo();
    build
        .current_dir(root())
        .args(["build", "--release", "--quiet"]);
    for case in &chosen {
        build.args(["--package", case.package]);
        match case.program {
            Program::Example(example) => build.args(["--example", example]),
            Program::Binary => build.args(["--bin", case.package]),
            Program::Guestbook => build.args(["--bin", case.package, "--example", "seed"]),
        };
    }
    build.args([
        "--package",
        "step03_wsgi_gateway",
        "--example",
        "worker_per_connection",
    ]);
    run(&mut build)?;
    let peer_target = target_dir().join("axum-peer");
    run(cargo()
        .current_dir(root().join("xtask").join("axum-peer"))
        .args(["build", "--release", "--quiet", "--locked"])
        .arg("--target-dir")
        .arg(&peer_target))?;
    let examples = target_dir().join("release").join("examples");
    let peer = peer_target.join("release").join("axum-peer");
    println!("{}", machine());

    let mut problems = Vec::new();
    for case in chosen {
        problems.extend(compare(case, &examples, &peer, &settings)?);
        if case.name == "step03" {
            starvation(&examples)?;
        }
        match case.name {
            "step03" => cargo_bench(case.package, "environ", &settings)?,
            "step04" => cargo_bench(case.package, "lookup", &settings)?,
            "step05" => cargo_bench(case.package, "render", &settings)?,
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Runs one case: both servers, alternating, at 64 connections; then each
/// at 256. Returns what failed its goal.
fn compare(
    case: &Case,
    examples: &Path,
    peer: &Path,
    settings: &Settings,
) -> Result<Vec<String>, String> {
    println!();
    let (mut ours, mut axum) = match case.program {
        Program::Example(example) => {
            println!(
                "== {}: {} {example} against axum, GET {}",
                case.name, case.package, case.path
            );
            let mut ours = Command::new(examples.join(example));
            ours.args(["--addr", "127.0.0.1:0"]);
            let mut axum = Command::new(peer);
            axum.args([case.peer_mode, "127.0.0.1:0"]);
            (ours, axum)
        }
        Program::Binary => {
            println!(
                "== {}: {} as `cargo run -p` runs it, against axum, GET {}",
                case.name, case.package, case.path
            );
            let release = examples.parent().unwrap_or(examples);
            let mut ours = Command::new(release.join(case.package));
            ours.args(["--addr", "127.0.0.1:0"]);
            let mut axum = Command::new(peer);
            axum.args([case.peer_mode, "127.0.0.1:0"]);
            (ours, axum)
        }
        Program::Guestbook => {
            println!(
                "== {}: the guestbook ({GUESTBOOK_MESSAGES} messages) against axum + minijinja + rusqlite, GET {}",
                case.name, case.path
            );
            let db = seed_guestbook(examples)?;
            let release = examples.parent().unwrap_or(examples);
            let mut ours = Command::new(release.join(case.package));
            ours.args(["--addr", "127.0.0.1:0", "--db"]).arg(&db);
            let templates = root().join(case.package).join("templates");
            let mut axum = Command::new(peer);
            axum.args([case.peer_mode, "127.0.0.1:0"])
                .arg(&db)
                .arg(templates);
            (ours, axum)
        }
    };
    let ours = Server::start(case.name, &mut ours)?;
    let axum = Server::start("axum", &mut axum)?;
    let servers = [&axum, &ours];
    let url = |server: &Server| format!("{}{}", server.url.trim_end_matches('/'), case.path);

    // Warm both up: connections, caches, the allocator.
    for server in servers {
        wrk(&url(server), 64, 1)?;
    }
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..settings.rounds {
        // Alternate who goes first, so neither always runs on a warmer machine.
        let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let result = wrk(&url(servers[i]), 64, settings.seconds)?;
            println!(
                "round {}: {:<6} {:>10.0} requests/s",
                round + 1,
                servers[i].name,
                result.rate
            );
            rates[i].push(result.rate);
        }
    }
    let axum_rate = median(&mut rates[0]);
    let our_rate = median(&mut rates[1]);
    let ratio = our_rate / axum_rate;

    let mut failures = Vec::new();
    for server in servers {
        let result = wrk(&url(server), 256, settings.seconds)?;
        failures.push((server.name, result.rate, result.failed));
    }

    println!();
    println!(
        "| server | 64 connections (median of {}) | 256 connections | failed at 256 |",
        settings.rounds
    );
    println!("|--------|------------------|-----------------|---------------|");
    for (name, rate, (_, rate_256, failed)) in [
        ("axum", axum_rate, failures[0]),
        (case.name, our_rate, failures[1]),
    ] {
        println!("| {name:<6} | {rate:>10.0} req/s | {rate_256:>10.0} req/s | {failed} |");
    }
    println!();
    println!(
        "{} / axum at 64 connections: {ratio:.2} (goal: at least {GOAL})",
        case.name
    );

    let mut problems = Vec::new();
    if failures[1].2 > 0 {
        problems.push(format!(
            "{}: {} requests failed at 256 connections",
            case.name, failures[1].2
        ));
    }
    if ratio < GOAL {
        let message = format!(
            "{} reached {ratio:.2} of axum's rate, below {GOAL}",
            case.name
        );
        if settings.quick {
            println!("(quick run: {message}; not judged, a short run is too noisy)");
        } else {
            problems.push(message);
        }
    }
    Ok(problems)
}

/// A fresh guestbook database with [`GUESTBOOK_MESSAGES`] messages, made by
/// step 5's `seed` example. Both servers read it.
fn seed_guestbook(examples: &Path) -> Result<std::path::PathBuf, String> {
    let dir = target_dir().join("bench-guestbook");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let db = dir.join("guestbook.db");
    let mut seed = Command::new(examples.join("seed"));
    seed.arg(&db).arg(GUESTBOOK_MESSAGES).stdout(Stdio::null());
    run(&mut seed)?;
    Ok(db)
}

/// One of the steps' own benchmarks, without a network: step 4's route
/// lookup (`benches/lookup.rs`), step 5's page (`benches/render.rs`).
fn cargo_bench(package: &str, bench: &str, settings: &Settings) -> Result<(), String> {
    println!();
    println!("== {package}: cargo bench -p {package} --bench {bench}");
    let mut command = cargo();
    command
        .current_dir(root())
        .args(["bench", "--quiet", "--package", package, "--bench", bench]);
    if settings.quick {
        command.args(["--", "--quick"]);
    }
    run(&mut command)
}

// ANCHOR: starvation
/// How long a new client waits while other clients sit idle or dribble:
/// the failure of a pool where each worker owns a connection (as in the
/// Rust Book), and step 3's answer to it. Both servers have 4 workers.
fn starvation(examples: &Path) -> Result<(), String> {
    const IDLE: usize = 8;
    const SLOW: usize = 8;
    const GIVE_UP: Duration = Duration::from_secs(5);
    println!();
    println!(
        "A new client, while {IDLE} keep-alive connections sit idle and {SLOW} clients \
         send half a head (4 workers):"
    );
    println!();
    println!("| server | the new client's answer |");
    println!("|--------|-------------------------|");
    let designs = [
        ("a worker per connection", "worker_per_connection"),
        ("step03", "hello"),
    ];
    for (name, example) in designs {
        let server = Server::start(
            "server",
            Command::new(examples.join(example)).args(["--addr", "127.0.0.1:0", "--workers", "4"]),
        )?;
        let addr = server
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        // A browser keeping its connection: one request, then silence; and
        // a client that sends half a head.
        let mut held = clients(&addr, IDLE, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
        held.extend(clients(&addr, SLOW, b"GET / HT")?);
        let started = Instant::now();
        let answered = (|| -> std::io::Result<bool> {
            let mut stream = TcpStream::connect(&addr)?;
            stream.set_read_timeout(Some(GIVE_UP))?;
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
            let mut reply = [0u8; 1024];
            Ok(stream.read(&mut reply)? > 0 && reply.starts_with(b"HTTP/1.1 200"))
        })();
        let waited = started.elapsed();
        match answered {
            Ok(true) => println!("| {name} | after {:.1} ms |", waited.as_secs_f64() * 1000.0),
            _ => println!(
                "| {name} | none after {:.0} s (gave up) |",
                waited.as_secs_f64()
            ),
        }
        drop(held);
    }
    Ok(())
}
// ANCHOR_END: starvation

/// `count` clients of `addr`, each of which has sent `bytes`.
fn clients(addr: &str, count: usize, bytes: &[u8]) -> Result<Vec<TcpStream>, String> {
    let mut streams = Vec::new();
    for _ in 0..count {
        let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
        stream.write_all(bytes).map_err(|e| e.to_string())?;
        streams.push(stream);
    }
    Ok(streams)
}

/// A server started for the benchmark, stopped when dropped.
struct Server {
    name: &'static str,
    url: String,
    child: Child,
}

impl Server {
    /// Starts the server and reads its URL from the first line it prints.
    fn start(name: &'static str, command: &mut Command) -> Result<Server, String> {
        // stderr, where the access logs go, is a pipe that is read and
        // thrown away, as a terminal or a log collector would read it.
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        if let Some(mut stderr) = child.stderr.take() {
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        }
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let mut stdout = BufReader::new(stdout);
            let _ = stdout.read_line(&mut line);
            // Keep reading whatever else it prints: with the pipe closed, its
            // next line would fail (the guestbook prints its database next).
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        }
        let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            let _ = child.kill();
            return Err(format!("{name} printed no URL: {line:?}"));
        };
        Ok(Server {
            name,
            url: url.to_string(),
            child,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct WrkResult {
    rate: f64,
    /// Requests that failed: socket errors and non-2xx/3xx answers.
    failed: u64,
}

/// Runs wrk with `connections` keep-alive connections for `seconds`.
fn wrk(url: &str, connections: u32, seconds: u32) -> Result<WrkResult, String> {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--timeout",
            "5s",
            url,
        ])
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    parse_wrk(&text).ok_or_else(|| format!("cannot read wrk's output:\n{text}"))
}

/// Reads the rate and the failures from wrk's report.
fn parse_wrk(text: &str) -> Option<WrkResult> {
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))?
        .trim()
        .parse()
        .ok()?;
    let numbers = |line: &str| -> u64 {
        line.split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u64>().ok())
            .sum()
    };
    let socket_errors = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Socket errors:"))
        .map_or(0, numbers);
    let non_2xx = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .map_or(0, numbers);
    Some(WrkResult {
        rate,
        failed: socket_errors + non_2xx,
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// A line about the machine, for the record.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("machine: {cpus} CPUs ({model}); wrk -t2 on the same machine")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers are read from wrk's report, failures summed.
    #[test]
    fn reads_wrk_output() {
        let text = "Running 2s test @ http://127.0.0.1:1/\n  2 threads and 256 connections\n\
                    Requests/sec:  98043.94\nTransfer/sec:     12.34MB\n\
                    Socket errors: connect 0, read 3, write 0, timeout 2\nNon-2xx or 3xx responses: 4\n";
        let result = parse_wrk(text).unwrap();
        assert_eq!(result.rate, 98043.94);
        assert_eq!(result.failed, 9);
        let clean = parse_wrk("Requests/sec: 10.0\n").unwrap();
        assert_eq!(clean.failed, 0);
    }
}
