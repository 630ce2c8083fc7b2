//! Signed cookies, and the tokens that stop cross-site request forgery.
//!
//! The attack: a page on another site holds a form whose action is our
//! `/messages`, and submits it. The visitor's browser sends it, with the
//! visitor's cookies, and to us it looks like the visitor posted it. The
//! defence: every form we send carries a secret token, and a post counts
//! only if the token it carries is the one in the visitor's cookie. The
//! other site can make the browser send a form, but cannot read our page or
//! our cookie, so it cannot know the token.
//!
//! The cookie is *signed* with a key only this server knows: a cookie that
//! someone else set (from a neighbouring subdomain, say) fails the check.
//! It is `HttpOnly` (no script reads it) and `SameSite=Lax` (browsers do
//! not send it with a cross-site POST at all): two more locks on one door.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use cookie::{Cookie, CookieJar, Key, SameSite};
use step02_http_reply::Status;
use step04_router::{Error, Request};

/// The environment variable that may hold the signing key: 128 hex digits
/// (64 bytes). Without it, a key is made once and kept beside the database.
pub const KEY_VARIABLE: &str = "GUESTBOOK_SECRET_KEY";

/// The cookie that holds a visitor's token, and the form field that must
/// repeat it.
pub const CSRF_COOKIE: &str = "csrf";
/// The form field that carries the token.
pub const CSRF_FIELD: &str = "csrf";

// ANCHOR: keys
/// The key that signs cookies.
pub struct Keys {
    key: Key,
}

impl Keys {
    /// The key from [`KEY_VARIABLE`] if it is set, else from the file
    /// `key_file`, which is made (readable by its owner only) the first
    /// time. Never a constant in the code: a key everybody can read in the
    /// source signs nothing.
    pub fn load(key_file: &Path) -> Result<Keys, KeyError> {
        if let Ok(hex) = std::env::var(KEY_VARIABLE) {
            let bytes = from_hex(hex.trim()).ok_or(KeyError::Invalid(KEY_VARIABLE.into()))?;
            return Keys::from_bytes(&bytes).ok_or(KeyError::Invalid(KEY_VARIABLE.into()));
        }
        match fs::read_to_string(key_file) {
            Ok(hex) => {
                let invalid = || KeyError::Invalid(key_file.display().to_string());
                let bytes = from_hex(hex.trim()).ok_or_else(invalid)?;
                Keys::from_bytes(&bytes).ok_or_else(invalid)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => Keys::create(key_file),
            Err(error) => Err(KeyError::Io(key_file.to_path_buf(), error)),
        }
    }

    /// A key from 64 bytes or more.
    pub fn from_bytes(bytes: &[u8]) -> Option<Keys> {
        Key::try_from(bytes).ok().map(|key| Keys { key })
    }

    /// Makes a new key and writes it to `key_file`, which must not exist.
    fn create(key_file: &Path) -> Result<Keys, KeyError> {
        let io_error = |error| KeyError::Io(key_file.to_path_buf(), error);
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).map_err(|e| io_error(io::Error::other(e)))?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(key_file).map_err(io_error)?;
        writeln!(file, "{}", to_hex(&bytes)).map_err(io_error)?;
        Keys::from_bytes(&bytes).ok_or_else(|| KeyError::Invalid(key_file.display().to_string()))
    }

    /// `cookie`, with its value signed.
    pub fn sign(&self, cookie: Cookie<'static>) -> Cookie<'static> {
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.key).add(cookie.clone());
        jar.get(cookie.name()).cloned().unwrap_or(cookie)
    }

    /// A cookie for this site, signed: sent back by the browser only to the
    /// application's own paths, never read by a script (`HttpOnly`), never
    /// sent with another site's form (`SameSite=Lax`).
    pub fn signed_cookie(
        &self,
        name: &'static str,
        value: String,
        request: &Request<'_>,
    ) -> Result<Cookie<'static>, Error> {
        let cookie = Cookie::build((name, value))
            .path(request.url_for("index", &[])?)
            .http_only(true)
            .same_site(SameSite::Lax)
            .build();
        Ok(self.sign(cookie))
    }

    /// The value of the signed cookie `name` the request carries, if it
    /// carries one and its signature is ours.
    pub fn verified(&self, request: &Request<'_>, name: &str) -> Option<String> {
        let mut jar = CookieJar::new();
        jar.add_original(Cookie::new(name.to_string(), request.cookie(name)?));
        let verified = jar.signed(&self.key).get(name)?;
        Some(verified.value().to_string())
    }
}
// ANCHOR_END: keys

// ANCHOR: token
/// The visitor's token: the one in their cookie, if it is good, or a new
/// one, with the cookie that gives it to them.
pub fn token(
    keys: &Keys,
    request: &Request<'_>,
) -> Result<(String, Option<Cookie<'static>>), Error> {
    if let Some(token) = keys.verified(request, CSRF_COOKIE) {
        return Ok((token, None));
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(e.to_string()))?;
    let token = to_hex(&bytes);
    let cookie = keys.signed_cookie(CSRF_COOKIE, token.clone(), request)?;
    Ok((token, Some(cookie)))
}

/// Whether the form `sent` is one we gave this visitor: its token is the
/// one in their signed cookie. If not, `403 Forbidden`.
pub fn check(keys: &Keys, request: &Request<'_>, sent: Option<&str>) -> Result<String, Error> {
    let forbidden = || {
        Error::new(
            Status::FORBIDDEN,
            "This form did not come from this site, or it is too old. Go back, reload the page, and send it again.",
        )
    };
    let expected = keys.verified(request, CSRF_COOKIE).ok_or_else(forbidden)?;
    let sent = sent.ok_or_else(forbidden)?;
    // Compare every byte, whatever the first difference: how long the
    // comparison takes must not tell how much of a guess was right.
    let same = sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.bytes())
            .fold(0, |diff, (a, b)| diff | (a ^ b))
            == 0;
    if same { Ok(expected) } else { Err(forbidden()) }
}
// ANCHOR_END: token

/// Why there is no key.
#[derive(Debug)]
pub enum KeyError {
    /// The key in this variable or file is not 128 hex digits or more.
    Invalid(String),
    /// The key file cannot be read or written.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Invalid(place) => {
                write!(
                    f,
                    "the signing key in {place} is not 128 hexadecimal digits"
                )
            }
            KeyError::Io(path, error) => write!(f, "the key file {}: {error}", path.display()),
        }
    }
}

impl std::error::Error for KeyError {}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hex goes there and back; anything else is refused.
    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
        assert_eq!(from_hex("0001abff").unwrap(), bytes);
        assert_eq!(from_hex("0001ABFF").unwrap(), bytes);
        for bad in ["abc", "zz", "0g"] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }

    /// The key is made once and kept; a second load reads the same key; a
    /// damaged key file is an error, not a new key.
    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        let first = Keys::load(&file).unwrap();
        let second = Keys::load(&file).unwrap();
        assert_eq!(first.key.master(), second.key.master());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(&file, "not a key").unwrap();
        assert!(matches!(Keys::load(&file), Err(KeyError::Invalid(_))));
    }
}
