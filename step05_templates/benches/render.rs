//! How long the guestbook's home page takes to make, without a network:
//! the template alone, and the whole `GET /` in process (the query, the
//! token and its cookie, the template).
//!
//! ```text
//! $ cargo bench -p step05_templates --bench render
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use step03_wsgi_gateway::Environ;
use step04_router::testing::Client;
use step05_templates::guestbook::{PER_PAGE, index_view};
use step05_templates::model::Messages;
use step05_templates::templates::{Templates, page_context};
use step05_templates::{Config, app};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, budget) = if quick {
        (3, Duration::from_millis(100))
    } else {
        (11, Duration::from_millis(500))
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = Config::new(dir.path().join("guestbook.db"));
    let messages = Messages::open(&config.db).expect("the database");
    for i in 0..120 {
        let body =
            format!("A message from the benchmark, number {i}: 你好, <b>markup</b> stays text.");
        messages.add("李四", &body).expect("a message");
    }
    let router = app(&config).expect("the guestbook");
    let templates = Templates::load(&config.templates, false).expect("the templates");
    let shown = messages.page(1, PER_PAGE).expect("a page");
    let mut environ = Environ::synthetic("GET", "/", b"");
    let request = router.request(&mut environ).expect("a request");

    // ANCHOR: render_alone
    let render = || {
        let view = index_view(1, &shown, ("", ""), (None, None));
        let context = page_context(&request, view).expect("a context");
        templates.render("index.html", context).expect("the page")
    };
    // ANCHOR_END: render_alone
    let html = render();
    assert!(html.matches("<article").count() == 20, "20 messages");
    let mut client = Client::new(app(&config).expect("the guestbook"));
    assert_eq!(client.get("/").status, 200);

    let mut alone = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..rounds {
        alone.push(per_call(budget, || black_box(render()).len()));
        // No cookie each time, so a token is made and signed, as for a
        // first visit (and for wrk, which sends no cookies).
        whole.push(per_call(budget, || {
            client.set_cookie("csrf", None);
            black_box(client.get("/")).body.len()
        }));
    }
    println!("The home page, 20 of 120 messages, {} bytes:", html.len());
    println!();
    println!("| what | time |");
    println!("|------|-----:|");
    println!(
        "| rendering `index.html` alone | {:.1} µs |",
        median(&mut alone)
    );
    println!(
        "| the whole `GET /`, in process (database, token, cookie, template) | {:.1} µs |",
        median(&mut whole)
    );
}

/// Calls `f` again and again for about `budget`; the time per call, in µs.
fn per_call(budget: Duration, mut f: impl FnMut() -> usize) -> f64 {
    let started = Instant::now();
    let mut calls = 0u32;
    let mut sink = 0;
    while started.elapsed() < budget {
        sink += f();
        calls += 1;
    }
    black_box(sink);
    started.elapsed().as_secs_f64() * 1e6 / f64::from(calls)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
