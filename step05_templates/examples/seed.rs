//! Fills a guestbook database with messages, for the benchmark (`cargo
//! xtask bench step05`) and for trying pagination by hand.
//!
//! ```text
//! $ cargo run -p step05_templates --example seed -- step05_templates/guestbook.db 120
//! stored 120 messages in step05_templates/guestbook.db (120 in all)
//! ```

use std::error::Error;
use std::path::PathBuf;

use step05_templates::model::Messages;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: seed DATABASE COUNT";
    let path = PathBuf::from(args.next().ok_or(usage)?);
    let count: usize = args.next().ok_or(usage)?.parse()?;
    let messages = Messages::open(&path)?;
    let names = ["Ann", "李四", "Bob", "Zoë", "Anonymous"];
    let lines = [
        "Hello from the benchmark!",
        "你好！这是一条留言。",
        "A longer message, the kind people write when they like a site: thank you \
         for writing this, it helped me understand how a web framework works.",
        "<b>markup</b> & \"quotes\" stay text",
    ];
    for i in 0..count {
        let body = format!("{} (#{i})", lines[i % lines.len()]);
        messages.add(names[i % names.len()], &body)?;
    }
    println!(
        "stored {count} messages in {} ({} in all)",
        path.display(),
        messages.count()?
    );
    Ok(())
}
