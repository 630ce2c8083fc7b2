//! What step 2's end-to-end tests share. Each test file uses some of it.
#![allow(dead_code)]

use std::fs;

use tempfile::TempDir;
use testkit::Running;

/// The step 2 binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_step02_http_reply");

/// A temporary folder holding `files` (path, content), served by the real
/// binary with `--dir`. The folder lasts as long as the returned `TempDir`.
pub fn serve_folder(files: &[(&str, &[u8])]) -> (TempDir, Running) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    let root = dir.path().to_str().unwrap();
    let server = Running::start(BIN, &["--addr", "127.0.0.1:0", "--dir", root]);
    (dir, server)
}
