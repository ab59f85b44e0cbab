//! Helpers for the crate's unit tests only.

/// A small deterministic pseudo-random generator (xorshift64) for the randomised no-panic
/// tests: the same seed gives the same inputs on every machine, with no dependency.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
