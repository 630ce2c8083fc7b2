//! Many threads writing to one SQLite file at once, set up four ways: which
//! of them lose writes to "database is locked", and how fast each is. The
//! step 5 chapter shows the table this prints; the model (`model.rs`) uses
//! the last but one.
//!
//! ```text
//! $ cargo run --release -p step05_templates --example writers
//! ```

use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

/// Threads writing at once: twice the guestbook's default workers on a
/// 2-CPU machine (4), so that writers always queue.
const THREADS: usize = 8;
/// Messages each thread writes.
const WRITES: usize = 500;

// ANCHOR: setups
/// How the connections are set up.
#[derive(Clone, Copy)]
enum Setup {
    /// SQLite's defaults: a rollback journal, and no waiting for a lock.
    Defaults,
    /// Write-ahead logging, still no waiting.
    Wal,
    /// Write-ahead logging, and a writer waits up to 5 s for its turn.
    WalAndBusyTimeout,
    /// One connection for everybody, behind a mutex: one writer by design.
    OneConnection,
}
// ANCHOR_END: setups

fn main() -> rusqlite::Result<()> {
    let dir = std::env::temp_dir().join(format!("writers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    println!("{THREADS} threads, {WRITES} messages each, at once:\n");
    println!("| setup | stored | lost to \"database is locked\" | messages per second |");
    println!("|-------|-------:|------:|------:|");
    let setups = [
        ("SQLite's defaults", Setup::Defaults),
        ("WAL", Setup::Wal),
        ("WAL + busy timeout (the model's)", Setup::WalAndBusyTimeout),
        ("one connection behind a mutex", Setup::OneConnection),
    ];
    for (i, (name, setup)) in setups.into_iter().enumerate() {
        let path = dir.join(format!("{i}.db"));
        let (stored, lost, elapsed) = run(&path, setup)?;
        let rate = stored as f64 / elapsed.as_secs_f64();
        println!("| {name} | {stored} | {lost} | {rate:.0} |");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn connect(path: &Path, setup: Setup) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    if !matches!(setup, Setup::Defaults) {
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
    }
    let wait = match setup {
        Setup::WalAndBusyTimeout | Setup::OneConnection => Duration::from_secs(5),
        Setup::Defaults | Setup::Wal => Duration::ZERO,
    };
    db.busy_timeout(wait)?;
    Ok(db)
}

// ANCHOR: run
/// Every thread writes its messages, each one its own transaction, as the
/// guestbook does; returns how many were stored, how many failed, and how
/// long it all took.
fn run(path: &Path, setup: Setup) -> rusqlite::Result<(usize, usize, Duration)> {
    let db = connect(path, setup)?;
    db.execute_batch(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, name TEXT, body TEXT, created INTEGER)",
    )?;
    let shared = Arc::new(Mutex::new(db));
    let start_together = Arc::new(Barrier::new(THREADS));
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (path, shared, start_together) = (
                path.to_path_buf(),
                Arc::clone(&shared),
                Arc::clone(&start_together),
            );
            thread::spawn(move || -> rusqlite::Result<(usize, usize)> {
                let own = match setup {
                    Setup::OneConnection => None,
                    _ => Some(connect(&path, setup)?),
                };
                start_together.wait();
                let (mut stored, mut lost) = (0, 0);
                for n in 0..WRITES {
                    let insert = |db: &Connection| {
                        db.execute(
                            "INSERT INTO messages (name, body, created) VALUES (?1, ?2, ?3)",
                            params![format!("thread {t}"), format!("message {n}"), 0],
                        )
                    };
                    let result = match &own {
                        Some(db) => insert(db),
                        None => insert(&shared.lock().unwrap_or_else(|e| e.into_inner())),
                    };
                    match result {
                        Ok(_) => stored += 1,
                        Err(error) if error.to_string().contains("locked") => lost += 1,
                        Err(error) => return Err(error),
                    }
                }
                Ok((stored, lost))
            })
        })
        .collect();
    let (mut stored, mut lost) = (0, 0);
    for thread in threads {
        let (s, l) = thread.join().unwrap_or(Ok((0, 0)))?;
        stored += s;
        lost += l;
    }
    Ok((stored, lost, started.elapsed()))
}
// ANCHOR_END: run
