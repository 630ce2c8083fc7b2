//! The storage behind an environ's variables: a speed trick, kept apart
//! from the lesson.
//!
//! To the application an environ is a map from names to strings, and the
//! plain way to hold one is `BTreeMap<String, String>` (a `HashMap` would
//! do as well, but the `/environ` page lists the variables in order). That
//! costs an allocation per name, though, for two dozen names on every
//! request, and most of the names are the same fixed words every time
//! (`REQUEST_METHOD`, `PATH_INFO`, ...). So the names here are
//! `Cow<'static, str>`, which borrows a fixed name for free, and the pairs
//! sit in one vector kept sorted, found by binary search: one allocation
//! for the whole set instead of one per entry.
//!
//! `cargo bench -p step03_wsgi_gateway --bench environ` measures the
//! difference on a typical browser request; the figures are in the step 3
//! chapter.

use std::borrow::Cow;

/// The variables of an environ: pairs kept sorted by name. Looking a name
/// up is a binary search, and listing them gives them in order. For the two
/// dozen variables of a request this is as simple as a map, and faster.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    pairs: Vec<(Key, String)>,
}

impl Vars {
    /// No variables yet, with room for `n`.
    pub fn with_capacity(n: usize) -> Vars {
        Vars {
            pairs: Vec::with_capacity(n),
        }
    }

    /// The value of a variable.
    pub fn get(&self, key: &str) -> Option<&str> {
        let at = self
            .pairs
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()?;
        Some(&self.pairs[at].1)
    }

    /// Sets a variable, returning the value it replaces.
    pub fn insert(&mut self, key: impl Into<Key>, value: impl Into<String>) -> Option<String> {
        let key = key.into();
        match self
            .pairs
            .binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref()))
        {
            Ok(at) => Some(std::mem::replace(&mut self.pairs[at].1, value.into())),
            Err(at) => {
                self.pairs.insert(at, (key, value.into()));
                None
            }
        }
    }

    /// Sets a variable, or if it is set, appends `separator` and `value` to it.
    pub fn append(&mut self, key: impl Into<Key>, value: &str, separator: &str) {
        let key = key.into();
        match self
            .pairs
            .binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref()))
        {
            Ok(at) => {
                self.pairs[at].1.push_str(separator);
                self.pairs[at].1.push_str(value);
            }
            Err(at) => self.pairs.insert(at, (key, value.to_string())),
        }
    }

    /// Removes a variable, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let at = self
            .pairs
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()?;
        Some(self.pairs.remove(at).1)
    }

    /// Every variable, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }
}

/// The name of an environ variable. Most names are fixed (`REQUEST_METHOD`)
/// and cost no allocation; `HTTP_*` names are built per request.
pub type Key = Cow<'static, str>;
