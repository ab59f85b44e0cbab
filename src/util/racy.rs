//! Git's "racy clean" rule, for every cache that trusts a file by its stamp ([`FileStamp`],
//! or length and modification time): a file modified shortly before its stamp was taken may be modified
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

/// What a file's metadata says of its identity and last change. Any write changes the change
/// time, so an edit is seen even when a tool sets the modification time back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStamp {
    pub len: u64,
    pub modified_ns: i128,
    pub changed_ns: i128,
    pub device: u64,
    pub inode: u64,
}

impl FileStamp {
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        let (changed_ns, device, inode) = {
            use std::os::unix::fs::MetadataExt;
            let ctime = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
            (ctime, meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (changed_ns, device, inode) = (0, 0, 0);
        FileStamp {
            len: meta.len(),
            modified_ns: meta.modified().map(nanos).unwrap_or(i128::MAX),
            changed_ns,
            device,
            inode,
        }
    }

    pub fn hash_into(&self, h: &mut xxhash_rust::xxh3::Xxh3) {
        let FileStamp {
            len,
            modified_ns,
            changed_ns,
            device,
            inode,
        } = self;
        h.update(&len.to_le_bytes());
        h.update(&modified_ns.to_le_bytes());
        h.update(&changed_ns.to_le_bytes());
        h.update(&device.to_le_bytes());
        h.update(&inode.to_le_bytes());
    }

    pub fn read(path: &std::path::Path) -> Option<FileStamp> {
        std::fs::metadata(path).ok().map(|m| FileStamp::of(&m))
    }
}
