//! What the framework does for every application without being asked, and
//! what an application turns on: the security header fields, the origin
//! check, CSRF tokens, flash messages, the application's state, and static
//! files that stay hidden. Each test plays the visitor (or the attacker)
//! through the in-process test client, and checks that a refused request
//! changed nothing.

use std::fs;
use std::sync::Mutex;

use step03_wsgi_gateway::{Body, Environ, StartResponse, application_fn};
use step04_router::testing::{Client, TestResponse};
use step04_router::{CSRF_FIELD, Error, Folder, Keys, Request, Response, Router, Status, get};

// ANCHOR: state
/// The application's state: what the handlers below share.
#[derive(Default)]
struct Notes {
    /// The notes posted so far.
    posted: Mutex<Vec<String>>,
}

/// `GET /`: the notes, and a form with the visitor's token.
fn list(request: &Request<Notes>) -> Result<Response, Error> {
    let notes = request
        .state()
        .posted
        .lock()
        .map_err(|e| Error::internal(e.to_string()))?;
    let token = request.csrf_token()?;
    let flashes = request.flashed_messages().join(" ");
    Ok(Response::html(format!(
        "<p>{flashes}</p><p>{} notes</p><input name=\"{CSRF_FIELD}\" value=\"{token}\">",
        notes.len()
    )))
}

/// `POST /`: keeps a note, and says thank you on the next page.
fn add(request: &Request<Notes>) -> Result<Response, Error> {
    let note = request.form()?.get("note").unwrap_or_default().to_string();
    let mut notes = request
        .state()
        .posted
        .lock()
        .map_err(|e| Error::internal(e.to_string()))?;
    notes.push(note);
    request.flash("Thank you!")?;
    Ok(Response::redirect(Status::SEE_OTHER, "/"))
}
// ANCHOR_END: state

/// The notes application, with CSRF tokens on.
fn notes() -> Router<Notes> {
    let mut router = Router::with_state(Notes::default());
    router
        .csrf_tokens()
        .route("/", get(list).post(add))
        .unwrap();
    router
}

/// How many notes the application holds: what a refused request must not
/// change.
fn count(client: &Client<Router<Notes>>) -> usize {
    client.app().state().posted.lock().unwrap().len()
}

/// The token in the page at `/`, as a browser would post it back.
fn token_of(client: &mut Client<Router<Notes>>) -> String {
    let page = client.get("/").text();
    let at = page.find("value=\"").unwrap() + 7;
    page[at..at + 64].to_string()
}

fn post(client: &mut Client<Router<Notes>>, token: &str, headers: &[(&str, &str)]) -> u16 {
    let body = format!("note=hello&{CSRF_FIELD}={token}");
    let mut fields = vec![("Content-Type", "application/x-www-form-urlencoded")];
    fields.extend_from_slice(headers);
    client.request("POST", "/", &fields, body.as_bytes()).status
}

/// Every response carries the security header fields, whatever made it:
/// a handler, an error page, a redirect, `OPTIONS`, a mounted application.
#[test]
fn security_headers_on_every_response() {
    let mounted = application_fn(|_: &mut Environ, start_response: &mut StartResponse| {
        start_response.start("200 OK", [("Content-Type", "text/plain")]);
        Body::from("mounted")
    });
    let mut router = Router::new();
    router
        .route("/", get(|_| Ok(Response::html("<p>hi</p>"))))
        .unwrap()
        .route("/page/", get(|_| Ok(Response::text("page"))))
        .unwrap()
        .mount("/app", mounted)
        .unwrap();
    let mut client = Client::new(router);
    let answers = [
        client.get("/"),
        client.get("/nothing-here"),
        client.get("/page"),
        client.request("OPTIONS", "/", &[], b""),
        client.request("DELETE", "/", &[], b""),
        client.get("/app/x"),
    ];
    for answer in &answers {
        let csp = answer.header("Content-Security-Policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'self'"),
            "{}: {csp}",
            answer.status
        );
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{}: {csp}",
            answer.status
        );
        assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(answer.header("Referrer-Policy"), Some("same-origin"));
        assert_eq!(answer.header("X-Frame-Options"), Some("DENY"));
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 404, 308, 204, 405, 200]);
}

/// A handler's own policy wins; an application can change or drop a
/// default.
#[test]
fn security_headers_can_be_changed() {
    let mut router = Router::new();
    router
        .default_header("Content-Security-Policy", "default-src 'self'; img-src *")
        .without_default_header("X-Frame-Options")
        .route("/", get(|_| Ok(Response::text("hi"))))
        .unwrap()
        .route(
            "/own",
            get(|_| {
                let own = ("Content-Security-Policy", "default-src 'none'");
                Ok(Response::text("own").with_header(own.0, own.1))
            }),
        )
        .unwrap();
    let mut client = Client::new(router);
    let page = client.get("/");
    let csp = page.header("Content-Security-Policy");
    assert_eq!(csp, Some("default-src 'self'; img-src *"));
    assert_eq!(page.header("X-Frame-Options"), None);
    let own = client.get("/own");
    let policies: Vec<&str> = own
        .headers
        .iter()
        .filter(|(n, _)| n == "Content-Security-Policy")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(policies, ["default-src 'none'"]);
}

// ANCHOR: origin_test
/// A request that changes something, from another site, is 403 even with
/// a good cookie and token, and stores nothing; the same origin, and a
/// client that sends no origin at all (curl), pass.
#[test]
fn another_origin_is_refused_even_with_a_good_token() {
    let mut visitor = Client::new(notes());
    let token = token_of(&mut visitor);
    for foreign in [
        ("Origin", "http://evil.example"),
        ("Origin", "http://sub.localhost"),
        ("Origin", "null"),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
    ] {
        assert_eq!(post(&mut visitor, &token, &[foreign]), 403, "{foreign:?}");
        assert_eq!(count(&visitor), 0, "{foreign:?} stored a note");
    }
    assert_eq!(
        post(&mut visitor, &token, &[("Origin", "http://localhost")]),
        303
    );
    let same = [
        ("Sec-Fetch-Site", "same-origin"),
        ("Origin", "http://localhost"),
    ];
    assert_eq!(post(&mut visitor, &token, &same), 303);
    assert_eq!(post(&mut visitor, &token, &[]), 303);
    assert_eq!(count(&visitor), 3);
}
// ANCHOR_END: origin_test

/// The origin check holds without tokens too, and for a mounted
/// application; an origin the application trusts passes.
#[test]
fn the_origin_check_needs_no_tokens() {
    let mounted = application_fn(|_: &mut Environ, start_response: &mut StartResponse| {
        start_response.start("200 OK", [("Content-Type", "text/plain")]);
        Body::from("changed")
    });
    let mut router = Router::new();
    router
        .trust_origin("https://admin.example")
        .route("/", step04_router::post(|_| Ok(Response::text("changed"))))
        .unwrap()
        .mount("/app", mounted)
        .unwrap();
    let mut client = Client::new(router);
    for target in ["/", "/app/x"] {
        let evil = [("Origin", "https://evil.example")];
        assert_eq!(
            client.request("POST", target, &evil, b"").status,
            403,
            "{target}"
        );
        let admin = [("Origin", "https://admin.example")];
        assert_eq!(
            client.request("POST", target, &admin, b"").status,
            200,
            "{target}"
        );
        // Reading is never refused.
        assert_ne!(
            client.request("GET", target, &evil, b"").status,
            403,
            "{target}"
        );
    }
}

// ANCHOR: token_test
/// With tokens on, a post counts only with the token of the visitor's own
/// cookie: none, a made-up one, or another visitor's (in either
/// direction) is 403 and stores nothing.
#[test]
fn a_token_works_only_for_its_own_visitor() {
    let mut alice = Client::new(notes());
    let mut bob = alice.visitor();
    let alices = token_of(&mut alice);
    let bobs = token_of(&mut bob);
    assert_ne!(alices, bobs, "each visitor has a token of their own");
    assert_eq!(
        post(&mut bob, &alices, &[]),
        403,
        "Alice's token, Bob's cookie"
    );
    assert_eq!(post(&mut bob, &"0".repeat(64), &[]), 403, "a made-up token");
    assert_eq!(post(&mut bob, "", &[]), 403, "an empty token");
    let no_field = [("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(bob.request("POST", "/", &no_field, b"note=x").status, 403);
    let mut mallory = alice.visitor(); // holds no cookie at all
    assert_eq!(post(&mut mallory, &alices, &[]), 403, "no cookie");
    assert_eq!(count(&alice), 0);
    assert_eq!(post(&mut bob, &bobs, &[]), 303);
    assert_eq!(post(&mut alice, &alices, &[]), 303);
    // A script sends the token in a header field instead.
    let header = [("X-CSRF-Token", bobs.as_str())];
    assert_eq!(
        bob.request("POST", "/", &header, b"").status,
        415,
        "past the check"
    );
    assert_eq!(count(&alice), 2);
}
// ANCHOR_END: token_test

/// A signature made for one purpose never verifies for another: the flash
/// cookie's value, offered as the CSRF cookie with its own content as the
/// token, is 403.
#[test]
fn a_flash_cookie_is_not_a_csrf_cookie() {
    let mut visitor = Client::new(notes());
    let token = token_of(&mut visitor);
    assert_eq!(post(&mut visitor, &token, &[]), 303);
    let flash = visitor.cookie("flash").expect("a flash cookie").to_string();
    let decoded = percent_encoding::percent_decode_str(&flash)
        .decode_utf8()
        .unwrap();
    let (_, inside) = decoded.split_once('.').unwrap();
    visitor.set_cookie("csrf", Some(&flash));
    let inside = percent_encoding::utf8_percent_encode(inside, percent_encoding::NON_ALPHANUMERIC);
    assert_eq!(post(&mut visitor, &inside.to_string(), &[]), 403);
    assert_eq!(count(&visitor), 1);
}

/// The cookies the framework sets: `HttpOnly`, `SameSite=Lax`, the
/// application's path; over HTTPS also `Secure`, the path `/` and the
/// `__Host-` prefix, which is what makes browsers refuse the same name
/// from a sibling subdomain.
#[test]
fn cookie_flags() {
    let mut visitor = Client::new(notes());
    let token = token_of(&mut visitor);
    let answer = visitor.request(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("note=x&csrf={token}").as_bytes(),
    );
    let mut plain = Client::new(notes());
    let first = plain.get("/");
    for (set_cookie, name) in [
        (first.header("Set-Cookie"), "csrf="),
        (answer.header("Set-Cookie"), "flash="),
    ] {
        let set_cookie = set_cookie.unwrap_or_default();
        assert!(set_cookie.starts_with(name), "{set_cookie}");
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
        }
        assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    }
    let mut secure = Client::new(notes());
    secure.set_environ("wsgi.url_scheme", "https");
    let page = secure.get("/");
    let set_cookie = page.header("Set-Cookie").unwrap_or_default();
    assert!(set_cookie.starts_with("__Host-csrf="), "{set_cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
    }
    // And the __Host- cookie is the one that counts over HTTPS.
    let token = token_of(&mut secure);
    assert_eq!(post(&mut secure, &token, &[]), 303);
    secure.set_cookie(
        "csrf",
        secure.cookie("__Host-csrf").map(str::to_string).as_deref(),
    );
    secure.set_cookie("__Host-csrf", None);
    assert_eq!(
        post(&mut secure, &token, &[]),
        403,
        "a plain csrf cookie over HTTPS"
    );
}

/// A page with a token is not to be stored by caches; one without is free.
#[test]
fn pages_with_a_token_are_not_stored() {
    let mut router = Router::with_state(Notes::default());
    router
        .csrf_tokens()
        .route("/", get(list))
        .unwrap()
        .route("/plain", get(|_| Ok(Response::text("no token"))))
        .unwrap();
    let mut client = Client::new(router);
    assert_eq!(client.get("/").header("Cache-Control"), Some("no-store"));
    assert_eq!(client.get("/plain").header("Cache-Control"), None);
}

// ANCHOR: flash_test
/// A flash message shows on the next page, once; one whose cookie was
/// changed shows nothing.
#[test]
fn flash_messages_show_once() {
    let mut visitor = Client::new(notes());
    let token = token_of(&mut visitor);
    assert_eq!(post(&mut visitor, &token, &[]), 303);
    assert!(visitor.get("/").text().contains("<p>Thank you!</p>"));
    assert!(visitor.get("/").text().contains("<p></p>"), "shown once");
    assert_eq!(visitor.cookie("flash"), None, "its cookie is removed");

    assert_eq!(post(&mut visitor, &token, &[]), 303);
    let flash = visitor.cookie("flash").unwrap().replace("Thank", "Spank");
    visitor.set_cookie("flash", Some(&flash));
    assert!(
        visitor.get("/").text().contains("<p></p>"),
        "a forged flash"
    );
}
// ANCHOR_END: flash_test

/// A router whose key the application gave signs with that key: another
/// router with the same key accepts its cookies (another process, after a
/// restart), and one with another key does not.
#[test]
fn a_key_outlives_the_process() {
    let hex = "5e".repeat(64);
    let with_key = |hex: &str| {
        let mut router = notes();
        router.keys(Keys::from_hex(hex).unwrap());
        router
    };
    let mut first = Client::new(with_key(&hex));
    let token = token_of(&mut first);
    let cookie = first.cookie("csrf").unwrap().to_string();
    let mut restarted = Client::new(with_key(&hex));
    restarted.set_cookie("csrf", Some(&cookie));
    assert_eq!(post(&mut restarted, &token, &[]), 303);
    let mut other = Client::new(with_key(&"7a".repeat(64)));
    other.set_cookie("csrf", Some(&cookie));
    assert_eq!(post(&mut other, &token, &[]), 403);
}

/// Static files: a file is served; a hidden file (even through an
/// encoded dot) and a folder are 404, as if they were not there.
#[test]
fn static_files_hide_dotfiles_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("style.css"), "body {}").unwrap();
    fs::write(dir.path().join(".env"), "SECRET=1").unwrap();
    fs::create_dir_all(dir.path().join(".git")).unwrap();
    fs::write(dir.path().join(".git").join("config"), "secret").unwrap();
    fs::create_dir(dir.path().join("images")).unwrap();
    fs::write(dir.path().join("images").join("a.svg"), "<svg/>").unwrap();
    let mut router = Router::new();
    router
        .static_files("/static", Folder::new(dir.path()).unwrap())
        .unwrap();
    let mut client = Client::new(router);
    assert_eq!(client.get("/static/style.css").status, 200);
    assert_eq!(client.get("/static/images/a.svg").status, 200);
    for hidden in [
        "/static/.env",
        "/static/%2eenv",
        "/static/.git/config",
        "/static/images/",
        "/static/images",
        "/static/",
    ] {
        let answer: TestResponse = client.get(hidden);
        assert_eq!(answer.status, 404, "{hidden}");
        assert!(!answer.text().contains("SECRET") && !answer.text().contains("a.svg"));
    }
}
