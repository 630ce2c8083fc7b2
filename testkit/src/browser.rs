//! Loading a page in headless Chromium, the way a person's browser would.
//!
//! Chromium is not part of a fresh Rust toolchain, so the tests that use it
//! are `#[ignore]`d and run with `cargo xtask browser`, which checks that
//! Chromium is installed first. `.ci/run` installs it with `apt-get`.

use std::env;
use std::io::{self, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::PATIENCE;

/// Where Chromium is: `$CHROMIUM` if set, else the first of the usual names
/// found on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Loads `url` in headless Chromium and returns the page's DOM as HTML, after
/// scripts ran. `extra_args` go to Chromium as they are (for example
/// `--user-agent=...`).
pub fn dump_dom(url: &str, extra_args: &[&str]) -> io::Result<String> {
    let chromium = chromium().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "Chromium not found: apt-get install chromium",
        )
    })?;
    // A fresh profile each time, so no cache or cookie leaks between tests.
    let profile = tempfile::tempdir()?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox", // CI runs as root, where the sandbox cannot start
            "--disable-gpu",
            "--no-first-run",
            // No network exists beyond this machine: without these, Chromium
            // keeps trying to reach Google's services.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--timeout=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra_args)
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());

    // Chromium's own --timeout stops a slow page; this stops a stuck Chromium.
    let deadline = Instant::now() + 2 * PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "chromium did not finish",
            ));
        }
        thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap_or_default();
    if !status.success() {
        let stderr = stderr.join().unwrap_or_default();
        return Err(io::Error::other(format!(
            "chromium failed ({status}): {}",
            String::from_utf8_lossy(&stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}
