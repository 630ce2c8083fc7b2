//! Signed values: what the server gives a browser to keep (in a cookie) and
//! must be able to trust when it comes back.
//!
//! A signature is an HMAC-SHA256 of the value under a key only the server
//! knows. Whoever changes the value, or makes one up, cannot make its
//! signature without the key, so the change is found. Signing does not hide
//! the value (anyone can read a signed cookie), and it does not stop a
//! signed value from being copied: a cookie taken from one browser verifies
//! in another.
//!
//! Each *purpose* signs with its own key, derived from the one master key.
//! A value signed as a flash message therefore never verifies as a CSRF
//! token, even though both are strings in cookies of the same site.

use std::fmt::{self, Write as _};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How long a master key is: 64 random bytes, written as 128 hex digits.
pub const KEY_BYTES: usize = 64;

// ANCHOR: keys
/// The master key, from which each purpose's signing key is derived.
pub struct Keys {
    master: [u8; KEY_BYTES],
}

impl Keys {
    /// A new random key, from the operating system's generator. A program
    /// that makes one at every start signs nothing that outlives it.
    pub fn generate() -> Result<Keys, KeyError> {
        let mut master = [0u8; KEY_BYTES];
        getrandom::fill(&mut master).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Keys { master })
    }

    /// The key written as 128 hex digits (surrounding whitespace ignored).
    pub fn from_hex(hex: &str) -> Option<Keys> {
        let bytes = from_hex(hex.trim())?;
        let master = bytes.try_into().ok()?;
        Some(Keys { master })
    }

    /// The key in the environment variable `variable` if it is set, else
    /// the key in `file`, which is made (readable by its owner only) the
    /// first time. Never a constant in the code: a key anyone can read in
    /// the source signs nothing. A variable or file that holds anything but
    /// a key is an error, never a reason to make a new key.
    pub fn load(variable: &str, file: &Path) -> Result<Keys, KeyError> {
        if let Ok(hex) = std::env::var(variable) {
            return Keys::from_hex(&hex).ok_or_else(|| KeyError::Invalid(variable.into()));
        }
        match fs::read_to_string(file) {
            Ok(hex) => {
                Keys::from_hex(&hex).ok_or_else(|| KeyError::Invalid(file.display().to_string()))
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => Keys::create(file),
            Err(error) => Err(KeyError::Io(file.to_path_buf(), error)),
        }
    }

    /// Makes a new key and writes it to `file`, which must not exist.
    fn create(file: &Path) -> Result<Keys, KeyError> {
        let io_error = |error| KeyError::Io(file.to_path_buf(), error);
        let keys = Keys::generate()?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(file).map_err(io_error)?;
        writeln!(out, "{}", to_hex(&keys.master)).map_err(io_error)?;
        Ok(keys)
    }
    // ANCHOR_END: keys

    // ANCHOR: sign
    /// `value`, signed for `purpose`: the signature (64 hex digits), a dot,
    /// and the value as it was.
    pub fn sign(&self, purpose: &str, value: &str) -> String {
        let signature = to_hex(&self.mac(purpose, value).finalize().into_bytes());
        format!("{signature}.{value}")
    }

    /// The value inside `signed`, if it was signed with this key for this
    /// purpose; `None` for anything else, which callers must refuse.
    pub fn verify(&self, purpose: &str, signed: &str) -> Option<String> {
        let (signature, value) = signed.split_once('.')?;
        let signature = from_hex(signature)?;
        // `verify_slice` compares in constant time: how long it takes does
        // not say how many bytes of a forged signature were right.
        self.mac(purpose, value).verify_slice(&signature).ok()?;
        Some(value.to_string())
    }

    /// The HMAC of `value` under the key of `purpose`, which is itself the
    /// HMAC of the purpose's name under the master key.
    fn mac(&self, purpose: &str, value: &str) -> HmacSha256 {
        let key = keyed(&self.master, purpose.as_bytes())
            .finalize()
            .into_bytes();
        keyed(&key, value.as_bytes())
    }
    // ANCHOR_END: sign
}

/// An HMAC-SHA256 under `key` that has read `message`.
fn keyed(key: &[u8], message: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(message);
    mac
}

/// Why there is no key.
#[derive(Debug)]
pub enum KeyError {
    /// The variable or file named holds something other than 128 hex digits.
    Invalid(String),
    /// The key file cannot be read or written.
    Io(PathBuf, io::Error),
    /// The operating system gave no random bytes.
    Random(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Invalid(place) => write!(
                f,
                "the signing key in {place} is not {} hexadecimal digits",
                KEY_BYTES * 2
            ),
            KeyError::Io(path, error) => write!(f, "the key file {}: {error}", path.display()),
            KeyError::Random(error) => write!(f, "no random bytes for a key: {error}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// Bytes as lowercase hex digits.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// Hex digits (either case) as bytes; `None` if they are not.
fn from_hex(hex: &str) -> Option<Vec<u8>> {
    // `from_str_radix` alone would take a sign: "+1" would be a byte.
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
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

    fn keys() -> Keys {
        Keys::from_hex(&"ab".repeat(KEY_BYTES)).unwrap()
    }

    /// Hex goes there and back; anything else is refused.
    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
        assert_eq!(from_hex("0001abff").unwrap(), bytes);
        assert_eq!(from_hex("0001ABFF").unwrap(), bytes);
        for bad in ["abc", "zz", "0g", "+1"] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }

    /// A key is exactly 64 bytes: shorter or longer is refused.
    #[test]
    fn a_key_is_64_bytes() {
        assert!(Keys::from_hex(&"00".repeat(KEY_BYTES)).is_some());
        assert!(Keys::from_hex(&"00".repeat(KEY_BYTES - 1)).is_none());
        assert!(Keys::from_hex(&"00".repeat(KEY_BYTES + 1)).is_none());
    }

    // ANCHOR: purposes
    /// A signed value verifies for its purpose only, and a change to the
    /// value, the signature or the key is found.
    #[test]
    fn a_signature_holds_for_one_purpose_and_one_key() {
        let keys = keys();
        let signed = keys.sign("flash", "thanks");
        assert_eq!(keys.verify("flash", &signed).as_deref(), Some("thanks"));
        assert_eq!(keys.verify("csrf", &signed), None, "another purpose");
        let changed = signed.replace("thanks", "thanks!");
        assert_eq!(keys.verify("flash", &changed), None, "a changed value");
        let other = Keys::from_hex(&"cd".repeat(KEY_BYTES)).unwrap();
        assert_eq!(other.verify("flash", &signed), None, "another key");
        for bad in ["", "thanks", ".thanks", "zz.thanks", &signed[1..]] {
            assert_eq!(keys.verify("flash", bad), None, "{bad:?}");
        }
    }
    // ANCHOR_END: purposes

    /// The key is made once and kept, readable by its owner only; a second
    /// load reads the same key; a damaged key file is an error, not a new
    /// key; the variable, when set, wins.
    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        let unset = "STEP04_TEST_KEY_THAT_IS_NEVER_SET";
        let first = Keys::load(unset, &file).unwrap();
        let second = Keys::load(unset, &file).unwrap();
        assert_eq!(first.master, second.master);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(&file, "not a key").unwrap();
        assert!(matches!(
            Keys::load(unset, &file),
            Err(KeyError::Invalid(_))
        ));
        // PATH is always set, and is never a key.
        assert!(matches!(Keys::load("PATH", &file), Err(KeyError::Invalid(v)) if v == "PATH"));
    }
}
