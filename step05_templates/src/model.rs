//! The model: the guestbook's messages, kept in SQLite.
//!
//! Everything the rest of the program knows about the database is the few
//! methods of [`Messages`]. SQL lives here and only here, always with its
//! values passed as parameters, never pasted into the query text.

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, params};

// ANCHOR: migrations
/// The schema, one step per version. Version N of a database has had the
/// first N steps; at start-up the missing ones run, in order, each in a
/// transaction together with the new version number. A step, once
/// released, never changes: a change is a new step.
pub const MIGRATIONS: &[&str] = &[
    // 1: the messages. `id` grows with each message, so "newest first" is
    // "highest id first", which SQLite reads straight off the table.
    "CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        created INTEGER NOT NULL
    )",
];
// ANCHOR_END: migrations

/// How long a writer waits for another to finish before giving up. With
/// SQLite one write happens at a time; a write takes well under a
/// millisecond, so even a few hundred queued up pass in far less than this.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One message in the guestbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its number, unique, growing.
    pub id: i64,
    /// Who wrote it.
    pub name: String,
    /// What they wrote.
    pub body: String,
    /// When, in seconds since 1970 (UTC).
    pub created: i64,
}

/// One page of messages, newest first.
#[derive(Debug)]
pub struct Page {
    /// The messages on it.
    pub messages: Vec<Message>,
    /// Whether there are older messages, on a next page.
    pub has_older: bool,
}

/// What went wrong with the database.
#[derive(Debug)]
pub enum ModelError {
    /// SQLite said no (the file cannot be opened, the disk is full, ...).
    Sqlite(rusqlite::Error),
    /// The database is newer than this program: it has had more schema
    /// steps than this program knows.
    TooNew {
        /// The database's schema version.
        found: usize,
        /// The newest this program knows.
        known: usize,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Sqlite(error) => write!(f, "database error: {error}"),
            ModelError::TooNew { found, known } => write!(
                f,
                "the database has schema version {found}, but this program knows only up to {known}"
            ),
        }
    }
}

impl std::error::Error for ModelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ModelError::Sqlite(error) => Some(error),
            ModelError::TooNew { .. } => None,
        }
    }
}

impl From<rusqlite::Error> for ModelError {
    fn from(error: rusqlite::Error) -> Self {
        ModelError::Sqlite(error)
    }
}

// ANCHOR: messages
/// The messages, and the connections to their database.
///
/// A connection may be used by one thread at a time, and every worker
/// thread may want one at once. So there are several, kept in a pool: a
/// request takes one, and gives it back when done. They are made as they are
/// needed, so there are never more than the workers that used them at once.
pub struct Messages {
    path: Box<Path>,
    idle: Mutex<Vec<Connection>>,
}
// ANCHOR_END: messages

impl Messages {
    // ANCHOR: open
    /// Opens the database at `path` (creating it if it is missing) and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> Result<Messages, ModelError> {
        let messages = Messages {
            path: path.into(),
            idle: Mutex::new(Vec::new()),
        };
        let mut connection = messages.connect()?;
        migrate(&mut connection, MIGRATIONS)?;
        messages.give_back(connection);
        Ok(messages)
    }

    /// A new connection, set up for many threads writing at once.
    fn connect(&self) -> Result<Connection, ModelError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        // Write-ahead logging: readers never wait for the writer, nor the
        // writer for readers. Writers still take turns; the busy timeout
        // makes a writer wait its turn instead of failing at once with
        // "database is locked". (`examples/writers.rs` measures both.)
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        // In WAL mode, NORMAL is safe against corruption; a power cut may
        // lose the last moments' messages, never the database.
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(connection)
    }
    // ANCHOR_END: open

    /// Runs `f` with a connection from the pool, then gives it back.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, ModelError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.connect()?,
        };
        let result = f(&connection);
        self.give_back(connection);
        Ok(result?)
    }

    fn give_back(&self, connection: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(connection);
    }

    // ANCHOR: queries
    /// Stores a message written now; returns its number.
    pub fn add(&self, name: &str, body: &str) -> Result<i64, ModelError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.with(|db| {
            db.prepare_cached("INSERT INTO messages (name, body, created) VALUES (?1, ?2, ?3)")?
                .execute(params![name, body, now])?;
            Ok(db.last_insert_rowid())
        })
    }

    /// Page `number` (from 1) of the messages, `per_page` to a page, newest
    /// first.
    pub fn page(&self, number: u32, per_page: u32) -> Result<Page, ModelError> {
        let offset = i64::from(number.saturating_sub(1)) * i64::from(per_page);
        // One more than a page: if it is there, there is an older page.
        let limit = i64::from(per_page) + 1;
        let mut messages = self.with(|db| {
            let mut query = db.prepare_cached(
                "SELECT id, name, body, created FROM messages ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            )?;
            let rows = query.query_map(params![limit, offset], |row| {
                Ok(Message {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    body: row.get(2)?,
                    created: row.get(3)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<Message>>>()
        })?;
        let has_older = messages.len() > per_page as usize;
        messages.truncate(per_page as usize);
        Ok(Page {
            messages,
            has_older,
        })
    }

    /// How many messages there are.
    pub fn count(&self) -> Result<u64, ModelError> {
        self.with(|db| db.query_row("SELECT COUNT(*) FROM messages", [], |row| row.get(0)))
    }
    // ANCHOR_END: queries
}

// ANCHOR: migrate
/// Brings a database's schema up to date with `steps`, recording the
/// version in SQLite's `user_version` field.
pub fn migrate(connection: &mut Connection, steps: &[&str]) -> Result<usize, ModelError> {
    let found: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > steps.len() {
        return Err(ModelError::TooNew {
            found,
            known: steps.len(),
        });
    }
    for (done, step) in steps.iter().enumerate().skip(found) {
        // The step and its version number together, or neither.
        let transaction = connection.transaction()?;
        transaction.execute_batch(step)?;
        transaction.pragma_update(None, "user_version", done + 1)?;
        transaction.commit()?;
    }
    Ok(steps.len())
}
// ANCHOR_END: migrate

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh database gets the whole schema; a second start changes
    /// nothing; a new step runs once; a database newer than the program is
    /// refused.
    #[test]
    fn the_schema_is_migrated_step_by_step() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Connection::open(dir.path().join("db")).unwrap();
        assert_eq!(migrate(&mut db, MIGRATIONS).unwrap(), 1);
        assert_eq!(migrate(&mut db, MIGRATIONS).unwrap(), 1);
        let more = [
            MIGRATIONS[0],
            "ALTER TABLE messages ADD COLUMN edited INTEGER",
        ];
        assert_eq!(migrate(&mut db, &more).unwrap(), 2);
        db.execute(
            "INSERT INTO messages (name, body, created, edited) VALUES ('a', 'b', 1, 2)",
            [],
        )
        .unwrap();
        let too_new = migrate(&mut db, MIGRATIONS).unwrap_err();
        assert!(
            matches!(too_new, ModelError::TooNew { found: 2, known: 1 }),
            "{too_new}"
        );
    }

    /// A step that fails leaves the version where it was.
    #[test]
    fn a_failed_step_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Connection::open(dir.path().join("db")).unwrap();
        let broken = [MIGRATIONS[0], "CREATE TABLE x (a); THIS IS NOT SQL"];
        assert!(migrate(&mut db, &broken).is_err());
        let version: usize = db
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
        let x: Result<i64, _> = db.query_row("SELECT COUNT(*) FROM x", [], |r| r.get(0));
        assert!(x.is_err(), "the half-done step was rolled back");
    }

    /// Pages hold the newest messages first, and say whether older ones
    /// follow.
    #[test]
    fn pages_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let messages = Messages::open(&dir.path().join("db")).unwrap();
        for i in 1..=5 {
            messages.add("me", &format!("message {i}")).unwrap();
        }
        let first = messages.page(1, 2).unwrap();
        let bodies: Vec<&str> = first.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["message 5", "message 4"]);
        assert!(first.has_older);
        let last = messages.page(3, 2).unwrap();
        assert_eq!(last.messages.len(), 1);
        assert!(!last.has_older);
        assert!(messages.page(4, 2).unwrap().messages.is_empty());
        assert_eq!(messages.count().unwrap(), 5);
    }
}
