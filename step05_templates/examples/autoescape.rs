//! minijinja escapes by the template's *name*: by default only names ending
//! in `.html`, `.htm` or `.xml` (with `.j2`, `.jinja` or `.jinja2` after
//! them, too) are escaped. This renders the same template under four names
//! with the default, then with the guestbook's rule: escape everything.
//!
//! ```text
//! $ cargo run -p step05_templates --example autoescape
//! ```

use minijinja::{AutoEscape, Environment, context};

fn main() -> Result<(), minijinja::Error> {
    let names = ["page.html", "page.html.j2", "page.j2", "page"];
    // ANCHOR: by_name
    let mut default = Environment::new();
    let mut always = Environment::new();
    always.set_auto_escape_callback(|_name| AutoEscape::Html);
    for env in [&mut default, &mut always] {
        for name in names {
            env.add_template(name, "<p>{{ message }}</p>")?;
        }
    }
    // ANCHOR_END: by_name
    let message = "<script>alert(1)</script>";
    println!("| template | minijinja's default | escape every name |");
    println!("|----------|---------------------|-------------------|");
    for name in names {
        let by_default = default.get_template(name)?.render(context! { message })?;
        let by_us = always.get_template(name)?.render(context! { message })?;
        println!("| `{name}` | `{by_default}` | `{by_us}` |");
    }
    Ok(())
}
