//! SQL injection, shown and stopped: a search built by pasting the search
//! term into the SQL text, and the same search with the term passed as a
//! parameter.
//!
//! ```text
//! $ cargo run -p step05_templates --example injection
//! ```

use rusqlite::{Connection, params};

fn main() -> rusqlite::Result<()> {
    let db = Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, name TEXT, body TEXT, hidden INTEGER);
         INSERT INTO messages (name, body, hidden) VALUES
           ('Ann', 'Hello!', 0), ('Bob', 'Nice site', 0), ('admin', 'the wifi password is hunter2', 1);",
    )?;
    // What a visitor typed into the search box.
    let term = "zzz' OR hidden = 1 OR body LIKE '";

    // ANCHOR: pasted
    // The term pasted into the SQL: its quote ends the string, and the rest
    // of it is read as SQL.
    let sql = format!("SELECT name, body FROM messages WHERE hidden = 0 AND body LIKE '%{term}%'");
    let pasted = search(&db, &sql, [])?;
    // ANCHOR_END: pasted
    println!("the SQL:     {sql}");
    println!("pasted in:   {pasted:?}");

    // ANCHOR: parameter
    // The term as a parameter: SQLite gets the SQL and the value apart, and
    // a value is only ever a value, quotes and all.
    let sql = "SELECT name, body FROM messages WHERE hidden = 0 AND body LIKE '%' || ?1 || '%'";
    let as_parameter = search(&db, sql, params![term])?;
    // ANCHOR_END: parameter
    println!("a parameter: {as_parameter:?}");
    Ok(())
}

fn search(
    db: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut query = db.prepare(sql)?;
    let rows = query.query_map(params, |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}
