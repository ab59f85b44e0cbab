//! Git's "racy clean" rule, for every cache that trusts a file by its stamp (length and
//! modification time): a file modified shortly before its stamp was taken may be modified
//! again within the same clock tick, leaving the stamp unchanged, so such a file is not
//! trusted by stamp. Two seconds covers the coarsest file systems in use (FAT's 2 s).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How close to the moment a stamp is taken a modification makes the file untrusted.
pub const RACY: Duration = Duration::from_secs(2);

/// A time as nanoseconds since the Unix epoch (negative before it).
pub fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// The modification time (ns) from which a file is racy for stamps taken at `taken`: only a
/// file modified before it may be trusted by its stamp.
pub fn racy_from(taken: SystemTime) -> i128 {
    nanos(taken - RACY)
}
