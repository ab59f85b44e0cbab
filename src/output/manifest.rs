//! The record of what newsgen wrote into an output folder, kept beside it
//! (`.<name>.newsgen/manifest`). It says which files are newsgen's (so a build never deletes
//! a file it did not write), the hash of each file's bytes (so unchanged files are not
//! rewritten and keep their modification time), and for pages the fingerprint of what they
//! were rendered from (so unchanged pages are not rendered at all).
//!
//! While a build moves its files in, a small journal beside it (`manifest.pending`) lists the
//! files being added: the manifest and the journal together own the old and the new files, and
//! their hashes are not trusted until the new manifest replaces both. The journal, not a second
//! copy of the whole manifest, keeps a 100,000-file commit from saving the manifest twice.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Bumped whenever the layout of [`Manifest`] changes; a manifest of another format is foreign.
const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"NEWSGEN\0";

/// One file of the output, as the last build left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// xxh3-128 of the file's bytes.
    pub hash: u128,
    pub len: u64,
    /// For pages: the fingerprint of the context they were rendered from.
    pub fingerprint: Option<u128>,
    /// For pages: the articles whose cards the page's own context values hold.
    pub articles: Option<ArticleSet>,
    /// For article pages: the hash of the Markdown body they show.
    pub body: Option<u128>,
    /// For generated files: the generator that wrote them (`feeds`, `search`...).
    pub generator: Option<String>,
    /// For copied files: the source's (length, modification time in ns) when it was copied.
    pub source_stamp: Option<(u64, i128)>,
    /// For article pages: the links and element ids of the body (for the link check). Shared
    /// with the build's list of recorded links, not copied.
    pub links: Option<Arc<BodyLinks>>,
    /// For pages: the images they asked for while rendering (body images, `resize_image`).
    pub images: Option<PageImages>,
    /// For files made from a source by a known recipe (processed images): the recipe's key.
    /// The same key makes the same bytes, so the file is kept without making it again.
    pub derived: Option<u128>,
}

/// The images a page asked for while it was rendered, and the hash of the answers it got. A
/// page kept by a later build is kept only if asking again gives the same answers; asking
/// again also tells the image pipeline which files the kept page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageImages {
    pub requests: Vec<ImageRequest>,
    pub digest: u128,
}

/// One image a page asked for: the responsive picture of an image of its body, or one size
/// of an image (`resize_image`, with the arguments as the template gave them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ImageRequest {
    /// Output path of the source (`politics/2025/10/30/slug/chart.png`).
    Picture(String),
    Resize {
        path: String,
        width: u32,
        height: Option<u32>,
        format: Option<String>,
    },
}

/// The link targets of an article body (and its lead image) as written, and the ids of its
/// elements: what the link check needs of a page it did not render again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyLinks {
    pub targets: Vec<String>,
    pub ids: Vec<String>,
}

/// Article positions (in the build's article list), sorted, stored as LEB128 varints of
/// their differences: the few articles a page shows cost a few bytes, not eight each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSet(Vec<u8>);

impl ArticleSet {
    /// The set of `ids` (any order, repeats allowed).
    pub fn new(mut ids: Vec<u32>) -> ArticleSet {
        ids.sort_unstable();
        ids.dedup();
        let mut bytes = Vec::with_capacity(ids.len() * 2);
        let mut last = 0;
        for id in ids {
            let mut delta = id - last;
            last = id;
            while delta >= 0x80 {
                bytes.push((delta as u8) | 0x80);
                delta >>= 7;
            }
            bytes.push(delta as u8);
        }
        ArticleSet(bytes)
    }

    /// The positions, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut bytes = self.0.iter();
        let mut last = 0u32;
        std::iter::from_fn(move || {
            let mut delta = 0u32;
            let mut shift = 0;
            loop {
                let b = *bytes.next()?;
                delta |= u32::from(b & 0x7F) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
            last += delta;
            Some(last)
        })
    }
}

/// Output-relative path → record. A hash map (a build looks every page up by path) that also
/// numbers its records: a rebuild marks the files it keeps by number and takes the previous
/// build's map over, instead of copying 100,000 records into a new one.
pub type Files = indexmap::IndexMap<String, FileRecord, rustc_hash::FxBuildHasher>;

/// What one build wrote.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// The newsgen version that wrote the output (fingerprints are trusted only from the same one).
    pub version: String,
    /// Hash of every input shared by all pages (site.toml, flags, templates): fingerprints
    /// are trusted only when it is unchanged.
    pub key: u128,
    /// The structure part of [`crate::model::ModelDigest`] of the build, with the template
    /// texts and the lead images' digest.
    pub meta: u128,
    /// The card hash of each article of the build, by position ([`crate::model::ModelDigest`]).
    pub cards: Vec<u64>,
    /// False while a build is moving files in: the hashes may not match the files then, and the
    /// next build compares bytes on disk instead.
    pub complete: bool,
    /// Output-relative path (`politics/index.html`) → record.
    pub files: Files,
}

/// Why a manifest could not be used.
#[derive(Debug)]
pub enum ManifestError {
    Missing,
    /// Unreadable, truncated, or written by another format: discarded with a warning.
    Foreign(String),
}

impl Manifest {
    /// The manifest's file in a cache folder.
    pub fn path(cache_dir: &Path) -> PathBuf {
        cache_dir.join("manifest")
    }

    /// The journal of a commit in progress ([`Manifest::begin_commit`]).
    fn pending_path(cache_dir: &Path) -> PathBuf {
        cache_dir.join("manifest.pending")
    }

    /// Records, before any file is moved into the output, the files a commit adds: until
    /// [`Manifest::save`] replaces it, the manifest loads as incomplete and owning them too.
    pub fn begin_commit(cache_dir: &Path, adding: &[String]) -> std::io::Result<()> {
        write_framed(&Self::pending_path(cache_dir), &adding)
    }

    /// The manifest saved in `cache_dir`; incomplete and owning the journal's files too when a
    /// commit was interrupted.
    pub fn load(cache_dir: &Path) -> Result<Manifest, ManifestError> {
        let mut manifest = Self::load_saved(cache_dir)?;
        match std::fs::read(Self::pending_path(cache_dir)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ManifestError::Foreign(format!("cannot read: {e}"))),
            Ok(bytes) => {
                let adding: Vec<String> = decode(&bytes).ok_or_else(|| {
                    ManifestError::Foreign("unreadable journal of an interrupted build".into())
                })?;
                manifest.complete = false;
                for rel in adding {
                    manifest.files.entry(rel).or_default();
                }
            }
        }
        Ok(manifest)
    }

    fn load_saved(cache_dir: &Path) -> Result<Manifest, ManifestError> {
        let path = Self::path(cache_dir);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ManifestError::Missing);
            }
            Err(e) => return Err(ManifestError::Foreign(format!("cannot read: {e}"))),
        };
        decode(&bytes).ok_or_else(|| {
            ManifestError::Foreign("not a manifest of this newsgen version".to_string())
        })
    }

    /// Writes the manifest atomically (temporary file, then rename) and ends the journal of a
    /// commit in progress.
    pub fn save(&self, cache_dir: &Path) -> std::io::Result<()> {
        write_framed(&Self::path(cache_dir), self)?;
        match std::fs::remove_file(Self::pending_path(cache_dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Writes `value` with the magic and format header, atomically (temporary file, then rename).
fn write_framed(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Serialised straight after the header: a 12 MB manifest is not copied a second time.
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    let bytes = postcard::to_extend(value, bytes).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, path)
}

/// Reads what [`write_framed`] wrote; `None` for anything else.
fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (format, body) = rest.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*format) != FORMAT {
        return None;
    }
    postcard::from_bytes(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest {
            version: "x".into(),
            key: 7,
            meta: 8,
            cards: vec![3, u64::MAX],
            complete: true,
            files: Files::default(),
        };
        m.files.insert(
            "a/index.html".into(),
            FileRecord {
                hash: u128::MAX - 3,
                len: 12,
                fingerprint: Some(5),
                articles: Some(ArticleSet::new(vec![300, 2, 40_000, 2])),
                body: Some(6),
                generator: None,
                source_stamp: Some((1, -2)),
                links: Some(Arc::new(BodyLinks {
                    targets: vec!["b/".into()],
                    ids: vec!["x".into()],
                })),
                images: Some(PageImages {
                    requests: vec![
                        ImageRequest::Picture("a/chart.png".into()),
                        ImageRequest::Resize {
                            path: "img/x.jpg".into(),
                            width: 300,
                            height: Some(200),
                            format: Some("webp".into()),
                        },
                    ],
                    digest: 9,
                }),
                derived: Some(10),
            },
        );
        m.save(dir.path()).unwrap();
        let back = Manifest::load(dir.path()).unwrap();
        assert_eq!(back.files, m.files);
        assert_eq!(back.key, 7);
        assert_eq!(back.cards, m.cards);

        // Truncated, garbage, or another format: foreign, never a panic.
        let path = Manifest::path(dir.path());
        let bytes = std::fs::read(&path).unwrap();
        for bad in [
            &bytes[..bytes.len() / 2],
            b"garbage".as_slice(),
            b"NEWSGEN\0\x09\0\0\0rest".as_slice(),
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(matches!(
                Manifest::load(dir.path()),
                Err(ManifestError::Foreign(_))
            ));
        }
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            Manifest::load(dir.path()),
            Err(ManifestError::Missing)
        ));
    }

    #[test]
    fn an_article_set_gives_back_its_ids_sorted_once() {
        let ids = vec![70_000, 5, 127, 128, 5, 0, u32::MAX];
        let set = ArticleSet::new(ids);
        let back: Vec<u32> = set.iter().collect();
        assert_eq!(back, [0, 5, 127, 128, 70_000, u32::MAX]);
        assert_eq!(ArticleSet::new(Vec::new()).iter().count(), 0);
        // Small gaps take one byte each.
        assert_eq!(ArticleSet::new((10..20).collect()).0.len(), 10);
    }

    #[test]
    fn an_unfinished_commit_leaves_an_incomplete_manifest_owning_old_and_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest {
            version: "x".into(),
            complete: true,
            ..Manifest::default()
        };
        let old = FileRecord {
            hash: 1,
            len: 2,
            ..FileRecord::default()
        };
        m.files.insert("old.html".into(), old.clone());
        m.save(dir.path()).unwrap();
        Manifest::begin_commit(dir.path(), &["new.html".into(), "old.html".into()]).unwrap();

        let interrupted = Manifest::load(dir.path()).unwrap();
        assert!(!interrupted.complete);
        assert_eq!(interrupted.files.len(), 2);
        assert_eq!(interrupted.files["old.html"], old);
        assert!(interrupted.files.contains_key("new.html"));

        // A damaged journal is foreign, never trusted.
        std::fs::write(Manifest::pending_path(dir.path()), b"NEWSGEN\0junk").unwrap();
        assert!(matches!(
            Manifest::load(dir.path()),
            Err(ManifestError::Foreign(_))
        ));

        // Saving the new manifest ends the journal.
        m.save(dir.path()).unwrap();
        assert!(!Manifest::pending_path(dir.path()).exists());
        let done = Manifest::load(dir.path()).unwrap();
        assert!(done.complete);
        assert_eq!(done.files.len(), 1);
    }
}
