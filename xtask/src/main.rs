//! Project chores. Run `cargo xtask help`.
fn main() {}
