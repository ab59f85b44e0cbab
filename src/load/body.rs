//! An article's Markdown body, known by its hash and read only when something shows it.
//!
//! A parse read from the parse cache keeps the body's hash, not its text (about 140 MB at
//! 50,000 articles that most rebuilds never look at). The text is read back from the article's
//! file when a page, feed or search analysis needs it, and trusted only if the file still has
//! the stamp it was parsed at and its body still hashes the same: a file edited during the
//! build is an error, never a stale body.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use xxhash_rust::xxh3::xxh3_128;

use crate::error::Diagnostic;
use crate::util::racy::FileStamp;

/// The body of one article file; clones share the text once read.
#[derive(Clone)]
pub struct Body(Arc<Inner>);

struct Inner {
    hash: u128,
    text: OnceLock<Arc<str>>,
    /// Where the text is read from when it is not in memory.
    file: Option<Located>,
}

/// The file a body is read back from, and the stamp it was parsed at.
struct Located {
    full: PathBuf,
    /// Relative to the site folder, for messages.
    rel: PathBuf,
    stamp: FileStamp,
}

/// What a body read back from its file says when the file is no longer the one parsed.
const CHANGED: &str = "the file changed while the site was being built: build again";

impl Body {
    /// A body just parsed: its text is in memory.
    pub fn parsed(text: &str) -> Body {
        Body(Arc::new(Inner {
            hash: xxh3_128(text.as_bytes()),
            text: OnceLock::from(Arc::<str>::from(text)),
            file: None,
        }))
    }

    /// This body, readable from `full` (`rel` in messages) while it has `stamp`. A body whose
    /// text is in memory is returned as it is.
    pub fn located(&self, full: PathBuf, rel: &Path, stamp: FileStamp) -> Body {
        if self.0.text.get().is_some() {
            return self.clone();
        }
        Body(Arc::new(Inner {
            hash: self.0.hash,
            text: OnceLock::new(),
            file: Some(Located {
                full,
                rel: rel.to_path_buf(),
                stamp,
            }),
        }))
    }

    /// The hash of the Markdown text (xxh3-128): what pages, the manifest and the search
    /// cache compare bodies by.
    pub fn hash(&self) -> u128 {
        self.0.hash
    }

    /// The Markdown text, read from the file the first time if it is not in memory.
    pub fn text(&self) -> Result<&str, Diagnostic> {
        if let Some(t) = self.0.text.get() {
            return Ok(t);
        }
        let at = self
            .0
            .file
            .as_ref()
            .expect("a body without its text was located by the load");
        let text = read(at, self.0.hash).map_err(|m| Diagnostic::error(&at.rel, None, m))?;
        Ok(self.0.text.get_or_init(|| text))
    }
}

/// The body of the file at `at`, if it is still the one whose body hashed `hash`.
fn read(at: &Located, hash: u128) -> Result<Arc<str>, String> {
    let meta = std::fs::metadata(&at.full).map_err(|e| format!("cannot read: {e}"))?;
    if FileStamp::of(&meta) != at.stamp {
        return Err(CHANGED.to_string());
    }
    let bytes = std::fs::read(&at.full).map_err(|e| format!("cannot read: {e}"))?;
    match super::frontmatter::body_text(&bytes) {
        Some(body) if xxh3_128(body.as_bytes()) == hash => Ok(body.into()),
        _ => Err(CHANGED.to_string()),
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Body({:032x})", self.0.hash)
    }
}

/// Bodies are equal when their texts hash the same.
impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.0.hash == other.0.hash
    }
}

/// Hashes the body's hash, not its text: a value that holds a body (a search doc) is keyed
/// by what the text hashes to, without reading it.
impl std::hash::Hash for Body {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash.hash(h);
    }
}

/// Stored as its hash: the text is read back from the article's file.
impl serde::Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.hash.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Body, D::Error> {
        Ok(Body(Arc::new(Inner {
            hash: u128::deserialize(d)?,
            text: OnceLock::new(),
            file: None,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body as the parse cache gives it back (its hash only), located at `full` with the
    /// stamp the file has now.
    fn from_cache(parsed: &Body, full: &Path) -> Body {
        let stored = postcard::to_stdvec(parsed).unwrap();
        let back: Body = postcard::from_bytes(&stored).unwrap();
        back.located(
            full.to_path_buf(),
            Path::new("content/a.md"),
            FileStamp::read(full).unwrap(),
        )
    }

    #[test]
    fn a_body_read_back_is_the_one_parsed_or_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("a.md");
        let text = "\u{feff}+++\r\ntitle = \"A\"\r\ndate = 2025-01-01\r\n+++\r\nBody *here*.\r\n";
        std::fs::write(&full, text).unwrap();
        let parsed = crate::load::frontmatter::parse_article(
            text.as_bytes(),
            Path::new("content/a.md"),
            chrono_tz::Tz::UTC,
        )
        .unwrap()
        .0
        .body;
        let back = from_cache(&parsed, &full);
        assert_eq!(back.text().unwrap(), parsed.text().unwrap());
        assert_eq!(back.hash(), parsed.hash());

        // Edited after the stamp was taken: the stamp tells.
        let stale = from_cache(&parsed, &full);
        std::fs::write(
            &full,
            "+++\ntitle = \"A\"\ndate = 2025-01-01\n+++\nOther body.\n",
        )
        .unwrap();
        let e = stale.text().unwrap_err();
        assert_eq!(e.path, "content/a.md");
        assert!(e.message.contains("changed while"), "{}", e.message);
        // Under its new stamp, the old hash: the body tells.
        let e = from_cache(&parsed, &full).text().unwrap_err();
        assert!(e.message.contains("changed while"), "{}", e.message);
    }
}
