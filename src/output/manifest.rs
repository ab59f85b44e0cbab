//! The record of what newsgen wrote into an output folder, kept beside it
//! (`.<name>.newsgen/manifest`). It says which files are newsgen's (so a build never deletes
//! a file it did not write), the hash of each file's bytes (so unchanged files are not
//! rewritten and keep their modification time), and for pages the fingerprint of what they
//! were rendered from (so unchanged pages are not rendered at all).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Bumped whenever the layout of [`Manifest`] changes; a manifest of another format is foreign.
const FORMAT: u32 = 3;
const MAGIC: &[u8; 8] = b"NEWSGEN\0";

/// One file of the output, as the last build left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// xxh3-128 of the file's bytes.
    pub hash: u128,
    pub len: u64,
    /// For pages: the fingerprint of the context they were rendered from.
    pub fingerprint: Option<u128>,
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

/// What one build wrote.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// The newsgen version that wrote the output (fingerprints are trusted only from the same one).
    pub version: String,
    /// Hash of every input shared by all pages (site.toml, flags, templates): fingerprints
    /// are trusted only when it is unchanged.
    pub key: u128,
    /// [`crate::model::Site::meta_digest`] of the build, with the template texts.
    pub meta: u128,
    /// False while a build is moving files in: the hashes may not match the files then, and the
    /// next build compares bytes on disk instead.
    pub complete: bool,
    /// Output-relative path (`politics/index.html`) → record.
    pub files: BTreeMap<String, FileRecord>,
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

    pub fn load(cache_dir: &Path) -> Result<Manifest, ManifestError> {
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

    /// Writes the manifest atomically (temporary file, then rename).
    pub fn save(&self, cache_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(cache_dir)?;
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        let body = postcard::to_stdvec(self).map_err(std::io::Error::other)?;
        bytes.extend_from_slice(&body);
        let path = Self::path(cache_dir);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)
    }
}

fn decode(bytes: &[u8]) -> Option<Manifest> {
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
            complete: true,
            files: BTreeMap::new(),
        };
        m.files.insert(
            "a/index.html".into(),
            FileRecord {
                hash: u128::MAX - 3,
                len: 12,
                fingerprint: Some(5),
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
}
