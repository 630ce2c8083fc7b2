//! The values of a route's parameters: a list that keeps its first few in
//! place and only asks the heap for room when a route has more.
//!
//! This is a speed trick, and it is here because it was measured: over the
//! GitHub routes, most of which have parameters, a `Vec` made every lookup
//! ask the allocator for memory and give it back. With four values in
//! place, no route of that table allocates at all, and a lookup takes about
//! an eighth less time (the step 4 chapter has the figures). In every other
//! way it behaves like a `Vec`.

/// A parameter's value, as sent: still percent-encoded (`a%2Fb`). The
/// tree has checked that it decodes; [`crate::Request`] decodes it.
pub type Param<'p> = &'p str;

/// How many values fit in place. GitHub's routes have at most four.
const IN_PLACE: usize = 4;

// ANCHOR: params
/// The parameter values of one match, in the pattern's order.
#[derive(Debug, Clone)]
pub struct Params<'p> {
    in_place: [Param<'p>; IN_PLACE],
    len: usize,
    /// The values after the first [`IN_PLACE`], if a route has more.
    more: Vec<Param<'p>>,
}

impl<'p> Params<'p> {
    /// No values: nothing allocated.
    pub fn new() -> Params<'p> {
        Params {
            in_place: Default::default(),
            len: 0,
            more: Vec::new(),
        }
    }

    /// Adds a value at the end.
    pub fn push(&mut self, param: Param<'p>) {
        match self.in_place.get_mut(self.len) {
            Some(slot) => *slot = param,
            None => self.more.push(param),
        }
        self.len += 1;
    }

    /// Removes the last value (when a search backs out of a dead end).
    pub fn pop(&mut self) {
        if self.len > IN_PLACE {
            self.more.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
    // ANCHOR_END: params

    /// The value at `index`.
    pub fn get(&self, index: usize) -> Option<&Param<'p>> {
        if index >= self.len {
            return None;
        }
        self.in_place
            .get(index)
            .or_else(|| self.more.get(index - IN_PLACE))
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Param<'p>> {
        let in_place = &self.in_place[..self.len.min(IN_PLACE)];
        in_place.iter().chain(&self.more)
    }
}

impl Default for Params<'_> {
    fn default() -> Self {
        Params::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(value: &'static str) -> Param<'static> {
        value
    }

    /// Pushing past the places in place spills over, and popping comes back.
    #[test]
    fn behaves_like_a_vec() {
        let mut params = Params::new();
        let mut model: Vec<Param> = Vec::new();
        let values = ["a", "b", "c", "d", "e", "f"];
        for value in values {
            params.push(param(value));
            model.push(param(value));
            assert_eq!(params.iter().cloned().collect::<Vec<_>>(), model);
        }
        assert_eq!(params.get(5), Some(&param("f")));
        assert_eq!(params.get(6), None);
        for _ in values {
            params.pop();
            model.pop();
            assert_eq!(params.iter().cloned().collect::<Vec<_>>(), model);
            assert_eq!(params.len(), model.len());
        }
        params.pop();
        assert!(params.is_empty());
    }
}
