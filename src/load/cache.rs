//! Parsed articles kept between builds, so a rebuild parses only the files that changed.
//!
//! An entry is used while its file's stamp ([`Stamp`]: length, modification and change times,
//! device and inode) is what it was when it was parsed, and the site's time zone is the same.
//! On disk the cache lives beside the output's manifest (`.<out>.newsgen/articles/NN`), split into shards by path so
//! that saving after a one-file edit rewrites one shard, not the archive. A shard written by
//! another build of newsgen, damaged (checksum) or unreadable, is ignored (its files are
//! parsed again). Bodies are stored as their hash ([`super::body`]): a build reads a body
//! back from its file only when something shows it. As in
//! git's "racy clean" rule, a file modified within two seconds of the save is not stored: an
//! edit in the same clock tick could otherwise go unseen. A cache loaded from disk hands each
//! entry over to the build instead of copying it (one copy of every body in memory), and a
//! shard saved again takes the entries it handed over from the shard on disk. `serve` keeps
//! one in memory and forgets every path its watcher reports.

use std::borrow::Borrow;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::util::racy::racy_from;

use chrono_tz::Tz;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::frontmatter::ArticleFile;
use crate::error::Diagnostic;

/// One file's parse: its front matter and body with warnings, or its errors.
pub type ParseResult = Result<(ArticleFile, Vec<Diagnostic>), Vec<Diagnostic>>;

const SHARDS: u64 = 64;
const MAGIC: &[u8; 8] = b"NGPARSE\0";
/// What an entry is trusted by: the file's length, modification and change times and
/// identity (an edit whose tool puts the old modification time back still changes the change
/// time).
pub use crate::util::racy::FileStamp as Stamp;

#[derive(Debug, Clone)]
struct Entry {
    stamp: Stamp,
    tz: Tz,
    result: ParseResult,
}

/// A stored entry (parses that succeeded only; broken files are parsed again).
#[derive(Clone, Serialize, Deserialize)]
struct Stored {
    path: PathBuf,
    stamp: Stamp,
    tz: String,
    file: ArticleFile,
    warnings: Vec<Diagnostic>,
}

/// A [`Stored`] to be written, borrowed from the cache or from a shard read back: saving
/// copies no parse (a cold build's cache holds every article of the site).
#[derive(Clone, Serialize)]
struct StoredRef<'a> {
    path: &'a Path,
    stamp: Stamp,
    tz: &'a str,
    file: &'a ArticleFile,
    warnings: &'a [Diagnostic],
}

impl<'a> From<&'a Stored> for StoredRef<'a> {
    fn from(s: &'a Stored) -> Self {
        StoredRef {
            path: &s.path,
            stamp: s.stamp,
            tz: &s.tz,
            file: &s.file,
            warnings: &s.warnings,
        }
    }
}

/// A path as the cache's maps know it: hashed and compared by its bytes. The walk's paths are
/// clean (no `.`, no doubled separators), so equal bytes are equal components, without
/// `Path`'s hashing component by component (two fifths of the lookups' instructions).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key(PathBuf);

impl Key {
    fn bytes(path: &Path) -> &[u8] {
        path.as_os_str().as_encoded_bytes()
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Key::bytes(&self.0).hash(state);
    }
}

/// Lookups by a path's bytes ([`Key::bytes`]), which hash and compare as the key does.
impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        Key::bytes(&self.0)
    }
}

/// Parsed articles by path (relative to the site folder).
#[derive(Debug, Default)]
pub struct ParseCache {
    entries: Mutex<FxHashMap<Key, Entry>>,
    /// The folder this cache was loaded from. Then [`ParseCache::get`] hands its entry over
    /// instead of copying it (one copy of every body in memory, not two), and saving a shard
    /// takes the entries nobody replaced from the shard on disk, which holds them unchanged.
    backing: Option<PathBuf>,
    /// Paths asked for since the cache was loaded ([`seen_key`]): the others are gone from
    /// the site.
    seen: Mutex<FxHashSet<u128>>,
    /// Shards whose entries changed since they were loaded.
    dirty: Mutex<BTreeSet<u64>>,
}

/// A path as the `seen` set holds it: a hash of its bytes, not a copy of the path (every
/// article of the site is looked up once per build).
fn seen_key(path: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(path)
}

fn shard_of(path: &Path) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_encoded_bytes()) % SHARDS
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock()
        .expect("no thread panics while holding the parse cache")
}

impl ParseCache {
    /// Drops the entries of these paths (relative to the site folder).
    pub fn forget<'p>(&self, paths: impl IntoIterator<Item = &'p Path>) {
        let mut entries = lock(&self.entries);
        let mut dirty = lock(&self.dirty);
        for p in paths {
            if entries.remove(Key::bytes(p)).is_some() {
                dirty.insert(shard_of(p));
            }
        }
    }

    /// The parse of `path` if its stamp and time zone are as cached.
    pub fn get(&self, path: &Path, stamp: Stamp, tz: Tz) -> Option<ParseResult> {
        lock(&self.seen).insert(seen_key(Key::bytes(path)));
        let mut entries = lock(&self.entries);
        let e = entries.get(Key::bytes(path))?;
        if e.stamp != stamp || e.tz != tz {
            return None;
        }
        if self.backing.is_some() {
            return entries.remove(Key::bytes(path)).map(|e| e.result);
        }
        Some(e.result.clone())
    }

    pub fn put(&self, path: &Path, stamp: Stamp, tz: Tz, result: &ParseResult) {
        lock(&self.seen).insert(seen_key(Key::bytes(path)));
        lock(&self.dirty).insert(shard_of(path));
        lock(&self.entries).insert(
            Key(path.to_path_buf()),
            Entry {
                stamp,
                tz,
                result: result.clone(),
            },
        );
    }

    /// Reads the cache saved in `dir`; what cannot be read is left out.
    pub fn load(dir: &Path) -> ParseCache {
        let shards: Vec<Vec<Stored>> = (0..SHARDS)
            .into_par_iter()
            .map(|n| read_shard(&dir.join(format!("{n:02}"))).unwrap_or_default())
            .collect();
        let count = shards.iter().map(Vec::len).sum();
        let mut entries = FxHashMap::with_capacity_and_hasher(count, Default::default());
        for stored in shards.into_iter().flatten() {
            let Ok(tz) = stored.tz.parse::<Tz>() else {
                continue;
            };
            entries.insert(
                Key(stored.path),
                Entry {
                    stamp: stored.stamp,
                    tz,
                    result: Ok((stored.file, stored.warnings)),
                },
            );
        }
        ParseCache {
            entries: Mutex::new(entries),
            backing: Some(dir.to_path_buf()),
            // Every path of the site is seen: a set grown by doubling rehashes them all.
            seen: Mutex::new(FxHashSet::with_capacity_and_hasher(
                count,
                Default::default(),
            )),
            ..ParseCache::default()
        }
    }

    /// Frees every entry once the cache is saved and will not be read again (a build that
    /// saved it before rendering). Do not save it after this: it no longer knows which files
    /// it saw.
    pub fn release(&self) {
        *lock(&self.entries) = FxHashMap::default();
        *lock(&self.seen) = FxHashSet::default();
    }

    /// Saves the shards that changed into `dir`, leaving out files no longer in the site.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        self.stage(dir)?.commit()
    }

    /// Writes the shards that changed beside their place in `dir`, to be renamed in by
    /// [`Staged::commit`] (a build commits them once it succeeded).
    pub fn stage(&self, dir: &Path) -> std::io::Result<Staged> {
        let seen = lock(&self.seen);
        let mut entries = lock(&self.entries);
        let mut dirty = lock(&self.dirty);
        entries.retain(|key, _| {
            let keep = seen.contains(&seen_key(Key::bytes(&key.0)));
            if !keep {
                dirty.insert(shard_of(&key.0));
            }
            keep
        });
        let mut staged = Staged::default();
        if dirty.is_empty() {
            return Ok(staged);
        }
        staged.created = dir
            .ancestors()
            .take_while(|d| !d.exists())
            .last()
            .map(Path::to_path_buf);
        staged.dir = dir.to_path_buf();
        std::fs::create_dir_all(dir)?;
        let racy_from = racy_from(SystemTime::now());
        let mut shards: FxHashMap<u64, Vec<StoredRef>> = FxHashMap::default();
        for (Key(path), e) in entries.iter() {
            let shard = shard_of(path);
            if dirty.contains(&shard)
                && e.stamp.modified_ns < racy_from
                && let Ok((file, warnings)) = &e.result
            {
                shards.entry(shard).or_default().push(StoredRef {
                    path,
                    stamp: e.stamp,
                    tz: e.tz.name(),
                    file,
                    warnings,
                });
            }
        }
        let dirty_list: Vec<u64> = dirty.iter().copied().collect();
        staged.shards = dirty_list
            .iter()
            .map(|n| dir.join(format!("{n:02}")))
            .collect();
        dirty_list.par_iter().try_for_each(|n| {
            let path = dir.join(format!("{n:02}"));
            // Entries handed over by `get` are unchanged on disk: keep them from there.
            let handed_over: Vec<Stored> = match self.backing {
                Some(_) => read_shard(&path)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| {
                        let key = Key::bytes(&s.path);
                        seen.contains(&seen_key(key)) && !entries.contains_key(key)
                    })
                    .collect(),
                None => Vec::new(),
            };
            let mut items: Vec<StoredRef> = shards.get(n).cloned().unwrap_or_default();
            items.extend(handed_over.iter().map(StoredRef::from));
            items.sort_by(|a, b| a.path.cmp(b.path));
            write_shard(&path, &items)
        })?;
        dirty.clear();
        Ok(staged)
    }
}

/// Shards written beside their place by [`ParseCache::stage`]. Dropped without
/// [`Staged::commit`] (the build failed), they are deleted with the folders made for them:
/// the cache stays as the last successful build left it.
#[derive(Default)]
#[must_use = "staged shards are deleted unless committed"]
pub struct Staged {
    dir: PathBuf,
    /// Each shard's final path; the staged file is its `.tmp` sibling.
    shards: Vec<PathBuf>,
    /// The outermost folder the save created, if any.
    created: Option<PathBuf>,
}

impl Staged {
    /// Renames the staged shards into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        let shards = std::mem::take(&mut self.shards);
        self.created = None;
        shards
            .iter()
            .try_for_each(|path| std::fs::rename(path.with_extension("tmp"), path))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for path in &self.shards {
            let _ = std::fs::remove_file(path.with_extension("tmp"));
        }
        if let Some(top) = &self.created {
            for d in self.dir.ancestors() {
                // Only empty folders go; stop at the first the save did not make.
                let _ = std::fs::remove_dir(d);
                if d == top {
                    break;
                }
            }
        }
    }
}

/// A shard's entries, if it is whole (its checksum) and of this newsgen build: a damaged
/// body hash would otherwise fail the build when the body is read back.
fn read_shard(path: &Path) -> Option<Vec<Stored>> {
    let bytes = std::fs::read(path).ok()?;
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let id = env!("NEWSGEN_BUILD_ID").as_bytes();
    let (sum, body) = rest.strip_prefix(id)?.split_first_chunk::<16>()?;
    if u128::from_le_bytes(*sum) != xxhash_rust::xxh3::xxh3_128(body) {
        return None;
    }
    postcard::from_bytes(body).ok()
}

fn write_shard(path: &Path, stored: &[StoredRef]) -> std::io::Result<()> {
    let body = postcard::to_stdvec(stored).map_err(std::io::Error::other)?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(env!("NEWSGEN_BUILD_ID").as_bytes());
    bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    std::fs::write(path.with_extension("tmp"), bytes)
}

/// `DateTime<Tz>` as (seconds, nanoseconds, zone name).
pub mod instant {
    use chrono::{DateTime, TimeZone};
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &DateTime<Tz>, s: S) -> Result<S::Ok, S::Error> {
        (
            d.timestamp(),
            d.timestamp_subsec_nanos(),
            d.timezone().name(),
        )
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Tz>, D::Error> {
        let (secs, nanos, zone): (i64, u32, String) = Deserialize::deserialize(d)?;
        let tz: Tz = zone.parse().map_err(D::Error::custom)?;
        tz.timestamp_opt(secs, nanos)
            .single()
            .ok_or_else(|| D::Error::custom("time out of range"))
    }
}

/// `Option<DateTime<Tz>>`, as [`instant`].
pub mod optional_instant {
    use chrono::DateTime;
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "super::instant")] DateTime<Tz>);

    pub fn serialize<S: Serializer>(d: &Option<DateTime<Tz>>, s: S) -> Result<S::Ok, S::Error> {
        d.map(Wrap).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Tz>>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

/// A TOML table as its TOML text (binary formats cannot carry TOML values' self-describing
/// form).
pub mod toml_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &toml::Table, s: S) -> Result<S::Ok, S::Error> {
        t.to_string().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<toml::Table, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::racy::nanos;

    /// A stamp of a file that only these fields tell apart.
    fn stamp(len: u64, modified_ns: i128) -> Stamp {
        Stamp {
            len,
            modified_ns,
            changed_ns: 0,
            device: 0,
            inode: 0,
        }
    }

    #[test]
    fn saved_parses_come_back_and_stale_or_foreign_shards_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            "+++\ntitle = \"A\"\ndate = 2025-01-01T10:00:00\n[extra]\nk = 1.5\n+++\nBody\r\n";
        let parsed = crate::load::frontmatter::parse_article(
            text.as_bytes(),
            Path::new("content/w/a.md"),
            Tz::Pacific__Auckland,
        );
        assert!(parsed.is_ok());
        let old = stamp(10, 1_000);
        let cache = ParseCache::default();
        let path = Path::new("content/w/a.md");
        cache.put(path, old, Tz::Pacific__Auckland, &parsed);
        cache.put(Path::new("content/w/gone.md"), old, Tz::UTC, &parsed);
        cache.save(dir.path()).unwrap();

        let back = ParseCache::load(dir.path());
        let got = back.get(path, old, Tz::Pacific__Auckland).expect("cached");
        assert_eq!(got, parsed);
        // Another stamp or zone: not used.
        let newer = stamp(10, 2_000);
        assert!(back.get(path, newer, Tz::Pacific__Auckland).is_none());
        assert!(back.get(path, old, Tz::UTC).is_none());
        // `gone.md` was not asked for: the next save drops it.
        back.put(path, newer, Tz::Pacific__Auckland, &parsed);
        back.save(dir.path()).unwrap();
        let again = ParseCache::load(dir.path());
        assert!(
            again
                .get(Path::new("content/w/gone.md"), old, Tz::UTC)
                .is_none()
        );
        assert!(again.get(path, newer, Tz::Pacific__Auckland).is_some());

        // Garbage shards are ignored, never trusted.
        for n in 0..SHARDS {
            std::fs::write(dir.path().join(format!("{n:02}")), b"NGPARSE\0garbage").unwrap();
        }
        assert!(
            ParseCache::load(dir.path())
                .get(path, newer, Tz::Pacific__Auckland)
                .is_none()
        );
    }

    #[test]
    fn entries_handed_over_stay_saved_when_their_shard_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let a = Path::new("content/w/a.md");
        let parsed = crate::load::frontmatter::parse_article(
            b"+++\ntitle = \"A\"\ndate = 2025-01-01\n+++\nBody\n",
            a,
            Tz::UTC,
        );
        let b = (0..)
            .map(|i| PathBuf::from(format!("content/w/b{i}.md")))
            .find(|p| shard_of(p) == shard_of(a))
            .expect("some name falls in a's shard");
        let old = stamp(10, 1_000);
        let cache = ParseCache::default();
        cache.put(a, old, Tz::UTC, &parsed);
        cache.save(dir.path()).unwrap();
        let back = ParseCache::load(dir.path());
        // Handed over (not copied): a second ask finds nothing in memory...
        assert_eq!(back.get(a, old, Tz::UTC), Some(parsed.clone()));
        assert_eq!(back.get(a, old, Tz::UTC), None);
        // ...and a new file in the same shard rewrites the shard with `a` still in it.
        back.put(&b, old, Tz::UTC, &parsed);
        back.save(dir.path()).unwrap();
        let again = ParseCache::load(dir.path());
        assert_eq!(again.get(a, old, Tz::UTC), Some(parsed.clone()));
        assert_eq!(again.get(&b, old, Tz::UTC), Some(parsed));
    }

    #[test]
    fn staged_shards_count_only_once_committed() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("out.newsgen/articles");
        let a = Path::new("content/w/a.md");
        let parsed = crate::load::frontmatter::parse_article(
            b"+++\ntitle = \"A\"\ndate = 2025-01-01\n+++\nBody\n",
            a,
            Tz::UTC,
        );
        let old = stamp(10, 1_000);
        let cache = ParseCache::default();
        cache.put(a, old, Tz::UTC, &parsed);
        // Dropped uncommitted (a failed build): no shard, and no folder made for it.
        drop(cache.stage(&cache_dir).unwrap());
        assert!(!dir.path().join("out.newsgen").exists());

        let cache = ParseCache::default();
        cache.put(a, old, Tz::UTC, &parsed);
        let staged = cache.stage(&cache_dir).unwrap();
        assert!(ParseCache::load(&cache_dir).get(a, old, Tz::UTC).is_none());
        staged.commit().unwrap();
        assert_eq!(
            ParseCache::load(&cache_dir).get(a, old, Tz::UTC),
            Some(parsed)
        );
    }

    #[test]
    fn a_file_modified_just_before_the_save_is_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let parsed = crate::load::frontmatter::parse_article(
            b"+++\ntitle = \"A\"\ndate = 2025-01-01\n+++\n",
            Path::new("content/w/a.md"),
            Tz::UTC,
        );
        let now = stamp(1, nanos(SystemTime::now()));
        let cache = ParseCache::default();
        cache.put(Path::new("content/w/a.md"), now, Tz::UTC, &parsed);
        cache.save(dir.path()).unwrap();
        assert!(
            ParseCache::load(dir.path())
                .get(Path::new("content/w/a.md"), now, Tz::UTC)
                .is_none()
        );
    }
}
