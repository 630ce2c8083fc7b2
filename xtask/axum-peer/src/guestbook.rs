//! Step 5's guestbook home page, as an axum application: the shared state
//! holds one minijinja environment and a pool of SQLite connections
//! (deadpool-sqlite); the CSRF cookie is signed by axum-extra's
//! `SignedCookieJar`. It renders step 5's own templates from step 5's own
//! database, so both servers do the same work for `GET /`: read the 20
//! newest messages, make a token and sign its cookie (wrk sends no cookies),
//! render the page, and send the same security header fields (as a
//! `map_response` middleware, where an axum user might take tower-http's
//! `SetResponseHeaderLayer`).

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::map_response;
use axum::response::{Html, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use deadpool_sqlite::{Config, Pool, Runtime};
use minijinja::value::Kwargs;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context, path_loader};
use rand::RngCore;
use serde::Deserialize;

const PER_PAGE: i64 = 20;

#[derive(Clone)]
struct AppState {
    env: Arc<Environment<'static>>,
    pool: Pool,
    key: Key,
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.key.clone()
    }
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

pub fn app(db: &str, templates: &str) -> Router {
    let mut env = Environment::new();
    env.set_loader(path_loader(templates));
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("utc", utc);
    env.add_filter("iso", iso);
    env.add_function("url_for", url_for);
    let pool = Config::new(db)
        .create_pool(Runtime::Tokio1)
        .expect("a pool for the database");
    let state = AppState {
        env: Arc::new(env),
        pool,
        key: Key::generate(),
    };
    Router::new()
        .route("/", get(index))
        .layer(map_response(security_headers))
        .with_state(state)
}

/// The header fields step 4's router adds to every response.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    headers
        .entry("cross-origin-opener-policy")
        .or_insert(HeaderValue::from_static("same-origin"));
    response
}

async fn index(
    State(state): State<AppState>,
    jar: SignedCookieJar,
    Query(query): Query<PageQuery>,
) -> Result<(SignedCookieJar, [(header::HeaderName, &'static str); 1], Html<String>), StatusCode> {
    let page = query.page.unwrap_or(1).max(1);
    let (token, jar) = match jar.get("csrf") {
        Some(cookie) => (cookie.value().to_string(), jar),
        None => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let cookie = Cookie::build(("csrf", token.clone()))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .build();
            (token, jar.add(cookie))
        }
    };
    let connection = state.pool.get().await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let mut messages = connection
        .interact(move |db| {
            let mut query = db.prepare_cached(
                "SELECT id, name, body, created FROM messages ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            )?;
            let rows = query.query_map([PER_PAGE + 1, (page - 1) * PER_PAGE], |row| {
                Ok(context! {
                    id => row.get::<_, i64>(0)?,
                    name => row.get::<_, String>(1)?,
                    body => row.get::<_, String>(2)?,
                    created => row.get::<_, i64>(3)?,
                })
            })?;
            rows.collect::<Result<Vec<Value>, _>>()
        })
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let has_older = messages.len() as i64 > PER_PAGE;
    messages.truncate(PER_PAGE as usize);
    let html = state
        .env
        .get_template("index.html")
        .and_then(|template| {
            let field = format!("<input type=\"hidden\" name=\"csrf\" value=\"{token}\">");
            template.render(context! {
                csrf_token => Value::from_function(move || token.clone()),
                csrf_field => Value::from_function(move || Value::from_safe_string(field.clone())),
                page => page,
                messages => messages,
                has_older => has_older,
                flashes => Vec::<String>::new(),
                form => context! { name => "", message => "" },
                errors => context! { name => (), message => () },
                limits => context! { name => 80, message => 2000 },
            })
        })
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    // The page carries a token: no cache may keep it.
    Ok((jar, [(header::CACHE_CONTROL, "no-store")], Html(html)))
}

/// The guestbook's named routes, as its templates use them.
fn url_for(name: &str, params: Kwargs) -> Result<String, minijinja::Error> {
    let url = match name {
        "index" => match params.get::<Option<i64>>("page")? {
            Some(page) => format!("/?page={page}"),
            None => "/".to_string(),
        },
        "messages" => "/messages".to_string(),
        "static" => format!("/static/{}", params.get::<String>("path")?),
        _ => return Err(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, "no such route")),
    };
    params.assert_all_used()?;
    Ok(url)
}

// The same two date filters as step 5's templates.rs, so that both render
// the same page.
fn utc(seconds: i64) -> String {
    let (y, mo, d, h, mi, _) = civil(seconds);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

fn iso(seconds: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(seconds);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

fn civil(seconds: i64) -> (i64, u32, u32, i64, i64, i64) {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}
