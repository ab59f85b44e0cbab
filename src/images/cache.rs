//! Processed images kept between builds in `SITE/.newsgen/images/`, so a rebuild encodes only
//! what changed. An entry is named by the source's content hash and every setting that shaped
//! it; its bytes end with a checksum, so a damaged entry is made again, never published.

use std::io::Write;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

use super::plan::Spec;

/// Folder of the cache, relative to the site.
pub const CACHE_DIR: &str = ".newsgen/images";

/// Bumped when the encoders or resizing change, so old entries are not reused.
const VERSION: u32 = 1;

/// Marks the end of an entry (after the checksum).
const MAGIC: &[u8; 4] = b"NGI1";

/// The content hash of a source file, as it appears in entry names.
pub fn source_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxh3_128(bytes))
}

/// The entry of one output of one source.
pub fn entry_path(dir: &Path, source_hash: &str, spec: &Spec, quality: u8) -> PathBuf {
    let shape = if spec.crop { "c" } else { "s" };
    dir.join(format!(
        "{source_hash}-{}x{}{shape}-q{quality}-v{VERSION}.{}",
        spec.width,
        spec.height,
        spec.encoding.extension()
    ))
}

/// The entry's image bytes, or `None` when it is missing or damaged.
pub fn read(path: &Path) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(path).ok()?;
    let body_len = bytes.len().checked_sub(12)?;
    let (body, trailer) = bytes.split_at(body_len);
    let sum = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
    if &trailer[8..] != MAGIC || xxh3_64(body) != sum {
        return None;
    }
    bytes.truncate(body_len);
    Some(bytes)
}

/// Stores an entry. Written to a temporary file and renamed, so a build that is stopped
/// half-way, or another build running at once, never leaves a half-written entry.
pub fn write(path: &Path, image: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .expect("cache entries live in the cache folder");
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(image)?;
    tmp.write_all(&xxh3_64(image).to_le_bytes())?;
    tmp.write_all(MAGIC)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::plan::Encoding;

    #[test]
    fn a_damaged_entry_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let spec = Spec::scaled(100, 50, 40, Encoding::Png);
        let path = entry_path(dir.path(), &source_hash(b"src"), &spec, 80);
        write(&path, b"image bytes").unwrap();
        assert_eq!(read(&path).unwrap(), b"image bytes");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[2] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(read(&path).is_none());
        std::fs::write(&path, b"short").unwrap();
        assert!(read(&path).is_none());
    }
}
