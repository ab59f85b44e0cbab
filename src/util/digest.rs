//! A deterministic hasher for digests kept between builds.

/// A hasher that appends every `Hash` input to a buffer, hashed once with xxh3-128 at the
/// end: deterministic across runs (unlike std's randomly seeded hashers), so digests can be
/// stored in the build manifest and caches; and one pass over a buffer is cheaper than
/// xxh3's streaming state fed a few bytes at a time (a `str` hashes as two writes).
#[derive(Default)]
pub struct Digest(Vec<u8>);

impl std::hash::Hasher for Digest {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

impl Digest {
    pub fn digest128(&self) -> u128 {
        xxhash_rust::xxh3::xxh3_128(&self.0)
    }

    /// Empties the buffer for the next digest, keeping its memory.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends what `other` was fed, as if it had been fed here.
    pub fn append(&mut self, other: &Digest) {
        self.0.extend_from_slice(&other.0);
    }
}
