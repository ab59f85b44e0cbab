//! What earlier builds learnt of each source image (its content hash and header), kept in
//! `SITE/.newsgen/image-sources` by file length and modification time, so that a rebuild
//! neither reads nor hashes an image that did not change. As for parsed articles
//! (`load::cache`, git's "racy clean" rule), a file modified within two seconds of the save is
//! not stored: an edit in the same clock tick could otherwise go unseen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use image::metadata::Orientation;
use serde::{Deserialize, Serialize};

use super::cache;
use super::encode::{self, Header};
use super::plan::Encoding;
use crate::util::racy::{nanos, racy_from};

/// The index file, relative to the site.
pub const INDEX_FILE: &str = ".newsgen/image-sources";

const MAGIC: &[u8; 8] = b"NGIMGSRC";

/// A source's identity and header.
#[derive(Debug, Clone)]
pub struct Facts {
    /// [`cache::source_hash`] of its bytes.
    pub hash: String,
    pub header: Header,
}

/// Why a source gives no facts: the file cannot be read, or is no image newsgen can use.
pub enum Unusable {
    Read(std::io::Error),
    Image(String),
}

/// One stored source: its stamp when it was read, and what was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Known {
    len: u64,
    modified_ns: i128,
    hash: String,
    encoding: Encoding,
    width: u32,
    height: u32,
    /// The EXIF orientation value (1-8).
    orientation: u8,
}

impl Known {
    fn facts(&self) -> Facts {
        Facts {
            hash: self.hash.clone(),
            header: Header {
                encoding: self.encoding,
                width: self.width,
                height: self.height,
                orientation: Orientation::from_exif(self.orientation)
                    .expect("only orientations read from a header are stored"),
            },
        }
    }
}

/// The index of one build: what it loaded, and what this build used and learnt.
#[derive(Debug, Default)]
pub struct SourceIndex {
    loaded: HashMap<PathBuf, Known>,
    used: Mutex<HashMap<PathBuf, Known>>,
    /// Sources read this build (the others were known).
    reads: AtomicUsize,
}

impl SourceIndex {
    /// The index of the site at `site_dir`; empty when there is none or it is unreadable or
    /// of another newsgen build (then every source is read again).
    pub fn load(site_dir: &Path) -> SourceIndex {
        let loaded = std::fs::read(site_dir.join(INDEX_FILE))
            .ok()
            .and_then(|bytes| {
                let body = bytes
                    .strip_prefix(MAGIC.as_slice())?
                    .strip_prefix(env!("NEWSGEN_BUILD_ID").as_bytes())?;
                postcard::from_bytes::<Vec<(PathBuf, Known)>>(body).ok()
            })
            .unwrap_or_default();
        SourceIndex {
            loaded: loaded.into_iter().collect(),
            ..SourceIndex::default()
        }
    }

    /// The facts of `file` (relative to `site_dir`): from the index while its length and
    /// modification time are unchanged, else read from the file.
    pub fn facts(&self, site_dir: &Path, file: &Path) -> Result<Facts, Unusable> {
        let path = site_dir.join(file);
        let meta = std::fs::metadata(&path).map_err(Unusable::Read)?;
        let stamp = (meta.len(), meta.modified().map(nanos).ok());
        let used = self
            .used
            .lock()
            .expect("source index lock poisoned by a panic elsewhere")
            .get(file)
            .cloned();
        if let Some(known) = used.as_ref().or_else(|| self.loaded.get(file))
            && stamp == (known.len, Some(known.modified_ns))
        {
            self.remember(file, known.clone());
            return Ok(known.facts());
        }
        let bytes = std::fs::read(&path).map_err(Unusable::Read)?;
        let header = encode::header(&bytes).map_err(Unusable::Image)?;
        let facts = Facts {
            hash: cache::source_hash(&bytes),
            header,
        };
        self.reads.fetch_add(1, Ordering::Relaxed);
        if let (len, Some(modified_ns)) = stamp {
            let known = Known {
                len,
                modified_ns,
                hash: facts.hash.clone(),
                encoding: header.encoding,
                width: header.width,
                height: header.height,
                orientation: header.orientation.to_exif(),
            };
            self.remember(file, known);
        }
        Ok(facts)
    }

    /// How many sources this build read (the others were known by their stamp).
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }

    fn remember(&self, file: &Path, known: Known) {
        self.used
            .lock()
            .expect("source index lock poisoned by a panic elsewhere")
            .insert(file.to_path_buf(), known);
    }

    /// Saves the sources this build used into the site's index, when it learnt something or
    /// stopped using a source; files modified in the last two seconds are left out.
    pub fn save(&self, site_dir: &Path) -> std::io::Result<()> {
        let used = self
            .used
            .lock()
            .expect("source index lock poisoned by a panic elsewhere");
        let same_set =
            used.len() == self.loaded.len() && used.keys().all(|k| self.loaded.contains_key(k));
        if self.reads() == 0 && same_set {
            return Ok(());
        }
        let racy = racy_from(SystemTime::now());
        let mut stored: Vec<(&PathBuf, &Known)> =
            used.iter().filter(|(_, k)| k.modified_ns < racy).collect();
        stored.sort_by(|a, b| a.0.cmp(b.0));
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(env!("NEWSGEN_BUILD_ID").as_bytes());
        bytes.extend_from_slice(&postcard::to_stdvec(&stored).map_err(std::io::Error::other)?);
        let path = site_dir.join(INDEX_FILE);
        let dir = path.parent().expect("the index lives in .newsgen/");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::new_rgb8(w, h)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    /// Sets a file's modification time to `secs` after 2023-11-14 (long ago, never racy).
    fn set_mtime(path: &Path, secs: u64) {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }

    #[test]
    fn known_sources_are_not_read_again_and_changed_or_recent_ones_are() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        let (old, recent) = (Path::new("old.png"), Path::new("recent.png"));
        std::fs::write(site.join(old), png(30, 20)).unwrap();
        std::fs::write(site.join(recent), png(10, 10)).unwrap();
        set_mtime(&site.join(old), 60);
        let first = SourceIndex::load(site);
        assert_eq!(first.facts(site, old).ok().unwrap().header.width, 30);
        assert_eq!(first.facts(site, recent).ok().unwrap().header.width, 10);
        first.save(site).unwrap();

        // The old file is known by its stamp: bytes that are no image any more are not read
        // while the stamp stays (which is why recent files are not stored).
        let second = SourceIndex::load(site);
        assert!(second.loaded.contains_key(old) && !second.loaded.contains_key(recent));
        let mut garbage = vec![b'x'; png(30, 20).len()];
        garbage[0] = b'y';
        std::fs::write(site.join(old), &garbage).unwrap();
        set_mtime(&site.join(old), 60);
        let f = second.facts(site, old).ok().unwrap();
        assert_eq!((f.header.width, f.header.height), (30, 20));
        // A new stamp: read again.
        set_mtime(&site.join(old), 50);
        assert!(matches!(second.facts(site, old), Err(Unusable::Image(_))));
    }
}
