//! Pages in headless Chromium, as a person's browser shows them.
//!
//! Two ways in. [`dump_dom`] runs Chromium once to load a page and print
//! its DOM: enough to see a page. [`Browser`] drives Chromium through its
//! DevTools protocol (the `headless_chrome` crate) to use a page the way a
//! person does: type into its fields, press its buttons, follow where they
//! lead, and audit the result for accessibility with axe-core.
//!
//! Chromium is not part of a fresh Rust toolchain, so the tests that use it
//! are `#[ignore]`d and run with `cargo xtask browser`, which checks that
//! Chromium is installed first (and installs axe-core with npm). `.ci/run`
//! installs Chromium with `apt-get`.

use std::env;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::{LaunchOptions, Tab};

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

/// Flags for a Chromium that stays on this machine: no network exists beyond
/// it, and without these Chromium keeps trying to reach Google's services.
const QUIET: [&str; 6] = [
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

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
        .args(["--headless", "--no-sandbox"]) // CI runs as root: no sandbox there
        .args(QUIET)
        .arg("--timeout=20000")
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

/// A headless Chromium driven through the DevTools protocol. Closed when
/// dropped.
pub struct Browser {
    browser: headless_chrome::Browser,
}

/// A page open in the [`Browser`].
pub struct Page {
    tab: Arc<Tab>,
}

/// One rule of the accessibility audit that a page breaks.
#[derive(Debug)]
pub struct Violation {
    /// axe-core's name for the rule, such as `label` or `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for.
    pub help: String,
    /// The elements that break it, as HTML.
    pub nodes: Vec<String>,
}

impl Browser {
    /// Starts headless Chromium (see [`chromium`] for which one).
    pub fn launch() -> Result<Browser, String> {
        let path = chromium().ok_or("Chromium not found: apt-get install chromium")?;
        let options = LaunchOptions::default_builder()
            .path(Some(path))
            .headless(true)
            .sandbox(false) // CI runs as root, where the sandbox cannot start
            .args(QUIET.iter().map(OsStr::new).collect())
            .idle_browser_timeout(2 * PATIENCE)
            .build()
            .map_err(|e| format!("Chromium's options: {e}"))?;
        let browser = headless_chrome::Browser::new(options)
            .map_err(|e| format!("cannot start Chromium: {e}"))?;
        Ok(Browser { browser })
    }

    /// Opens `url` in a new tab and waits for it to load.
    pub fn open(&self, url: &str) -> Result<Page, String> {
        let tab = self
            .browser
            .new_tab()
            .map_err(|e| format!("new tab: {e}"))?;
        tab.set_default_timeout(PATIENCE);
        tab.navigate_to(url)
            .and_then(|tab| tab.wait_until_navigated())
            .map_err(|e| format!("open {url}: {e}"))?;
        Ok(Page { tab })
    }
}

impl Page {
    /// Clicks into the field `selector` (a CSS selector) and types `text`,
    /// key by key, as a person would.
    pub fn fill(&self, selector: &str, text: &str) -> Result<(), String> {
        let field = self
            .tab
            .wait_for_element(selector)
            .map_err(|e| format!("no field {selector}: {e}"))?;
        field
            .click()
            .map_err(|e| format!("click {selector}: {e}"))?;
        self.tab
            .type_str(text)
            .map_err(|e| format!("type into {selector}: {e}"))?;
        Ok(())
    }

    /// Clicks the button or link `selector`, and waits until the page it
    /// leads to has loaded.
    pub fn press(&self, selector: &str) -> Result<(), String> {
        // Mark this document, to know when another has replaced it.
        self.eval("window.__testkit_left_behind = true")?;
        self.tab
            .wait_for_element(selector)
            .and_then(|button| button.click().map(|_| ()))
            .map_err(|e| format!("press {selector}: {e}"))?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            // Fails while the next document is on its way: not there yet.
            let arrived = self
                .eval("window.__testkit_left_behind !== true && document.readyState === 'complete'")
                .is_ok_and(|value| value == serde_json::Value::Bool(true));
            if arrived {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("pressing {selector} led nowhere in {PATIENCE:?}"));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The page's DOM, as HTML.
    pub fn html(&self) -> Result<String, String> {
        self.tab
            .get_content()
            .map_err(|e| format!("the page's HTML: {e}"))
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        self.tab.get_url()
    }

    /// Evaluates a JavaScript expression in the page, waiting for it if it
    /// is a promise, and returns its value.
    pub fn eval(&self, expression: &str) -> Result<serde_json::Value, String> {
        let result = self
            .tab
            .evaluate(expression, true)
            .map_err(|e| format!("evaluate {expression:.60}: {e}"))?;
        Ok(result.value.unwrap_or(serde_json::Value::Null))
    }

    /// Shows the page as a phone would: `width` CSS pixels wide, for touch.
    pub fn emulate_phone(&self, width: u32) -> Result<(), String> {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height: 800,
                device_scale_factor: 2.0,
                mobile: true,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .map_err(|e| format!("emulate a phone: {e}"))?;
        Ok(())
    }

    /// Runs the axe-core accessibility audit on the page, for the rules of
    /// WCAG 2.1 levels A and AA and axe's best practices, and returns what
    /// the page breaks. Needs axe-core installed: `npm ci --prefix
    /// testkit/axe` (`cargo xtask browser` does it).
    pub fn audit(&self) -> Result<Vec<Violation>, String> {
        let script = axe_core()?;
        self.tab
            .evaluate(&script, false)
            .map_err(|e| format!("load axe-core: {e}"))?;
        let report = self.eval(
            "axe.run(document, {runOnly: {type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})\
             .then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, \
             help: v.help, nodes: v.nodes.map(n => n.html)}))))",
        )?;
        let report = report.as_str().ok_or("axe-core returned no report")?;
        let violations: Vec<serde_json::Value> =
            serde_json::from_str(report).map_err(|e| format!("axe-core's report: {e}"))?;
        let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or("").to_string();
        Ok(violations
            .iter()
            .map(|v| Violation {
                id: text(v, "id"),
                impact: text(v, "impact"),
                help: text(v, "help"),
                nodes: v["nodes"]
                    .as_array()
                    .map(|nodes| {
                        nodes
                            .iter()
                            .filter_map(|n| n.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect())
    }
}

/// axe-core's script, from `testkit/axe/node_modules`.
fn axe_core() -> Result<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; install axe-core with: npm ci --prefix testkit/axe",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit finds what a page breaks: a page with no language, no
    /// title and a field with no label. (The audit of a good page finding
    /// nothing means something only if this one finds something.)
    #[test]
    #[ignore = "needs Chromium: cargo xtask browser"]
    fn the_audit_finds_problems() {
        let browser = Browser::launch().unwrap();
        let page = browser
            .open("data:text/html,<html><body><input name=x><p style='color:%23ccc'>faint</p></body></html>")
            .unwrap();
        let found: Vec<String> = page.audit().unwrap().into_iter().map(|v| v.id).collect();
        for rule in ["html-has-lang", "document-title", "label", "color-contrast"] {
            assert!(found.iter().any(|id| id == rule), "{rule} not in {found:?}");
        }
    }
}
