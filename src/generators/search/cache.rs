//! Each article's [`Analysis`] kept between builds, so a rebuild tokenises only the articles
//! whose [`super::analysis::SearchDoc`] changed.
//!
//! On disk (`.<out>.newsgen/search/`): `vocab` (every key with its stem, append-only between
//! compactions) and 64 shards of analyses by doc hash, so a one-article edit rewrites the
//! vocabulary (if a new word came) and one shard. Every file starts with the newsgen build id
//! and a checksum of its contents; a shard records the vocabulary generation it was written
//! against, and a vocabulary is compacted (new generation, every shard rewritten) when most of
//! its keys are no longer used.
//! A file that is foreign, stale or unreadable is ignored: its articles are analysed again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

use super::analysis::{Analyser, Analysis, SearchDoc, Vocabulary};
use super::text::Analyzer;
use crate::error::Diagnostic;

const SHARDS: u128 = 64;
const MAGIC: &[u8; 8] = b"NGSEARCH";

/// The analyses and their vocabulary; one build uses it at a time.
#[derive(Default)]
pub struct AnalysisCache {
    /// Where it is saved; `None`: in memory only.
    dir: Option<PathBuf>,
    /// Whether what is saved in `dir` is read (not with `--no-cache`).
    read_saved: bool,
    /// Read at first use, so a build that keeps the index does not read the cache.
    inner: OnceLock<Mutex<Inner>>,
}

impl std::fmt::Debug for AnalysisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalysisCache")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
pub struct Inner {
    vocab: Vocabulary,
    /// Stemmer the vocabulary's stems come from.
    stemmer: String,
    /// Bumped when the vocabulary is renumbered: shards of another generation are stale.
    generation: u64,
    /// Analyses by doc hash.
    docs: FxHashMap<u128, Analysis>,
    /// Doc hashes the last build used (the others are dropped when saving).
    used: FxHashSet<u128>,
    /// Shards whose contents changed since loading.
    dirty: BTreeSet<u128>,
    vocab_dirty: bool,
    /// Key ids the last build's articles use, by key id (set by the index builder).
    live: Vec<bool>,
    /// An index was built since loading: `used` is meaningful and the cache worth saving.
    built: bool,
}

#[derive(Serialize, Deserialize)]
struct VocabFile {
    generation: u64,
    stemmer: String,
    vocab: Vocabulary,
}

#[derive(Serialize, Deserialize)]
struct ShardFile {
    generation: u64,
    docs: Vec<(u128, Analysis)>,
}

impl AnalysisCache {
    /// A cache saved in `dir`, read at first use when `read_saved`.
    pub fn on_disk(dir: PathBuf, read_saved: bool) -> AnalysisCache {
        AnalysisCache {
            dir: Some(dir),
            read_saved,
            inner: OnceLock::new(),
        }
    }

    /// Locks the cache for one index build.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.read()
            .lock()
            .expect("the search cache lock is poisoned only after a panic, which stops the build")
    }

    fn read(&self) -> &Mutex<Inner> {
        self.inner.get_or_init(|| {
            Mutex::new(match &self.dir {
                Some(dir) if self.read_saved => Inner::load(dir),
                _ => Inner::default(),
            })
        })
    }

    /// Starts reading a cache saved by an earlier build on a thread of its own, so that an
    /// edit's index build finds it read (a quarter of the index's work at 50,000 articles):
    /// the site loads meanwhile, with a core to spare.
    pub fn read_ahead(self: &Arc<Self>) {
        let saved = self.dir.as_ref().is_some_and(|d| d.join("vocab").is_file());
        if self.read_saved && saved {
            let cache = self.clone();
            std::thread::spawn(move || {
                cache.read();
            });
        }
    }

    /// Saves what changed since it was read, leaving out the analyses the build did not use.
    /// Nothing when no index was built or the cache is in memory only.
    pub fn save(&self) -> std::io::Result<()> {
        match (&self.dir, self.inner.get()) {
            (Some(dir), Some(_)) => self.lock().save(dir),
            _ => Ok(()),
        }
    }
}

impl Inner {
    /// Reads the cache saved in `dir`; what cannot be read is left out.
    fn load(dir: &Path) -> Inner {
        let Some(vf) = decode::<VocabFile>(&dir.join("vocab")) else {
            return Inner::default();
        };
        let Some(vocab) = vf.vocab.indexed() else {
            return Inner::default();
        };
        let keys = vocab.keys.len();
        // On this thread alone, never through rayon: a rayon worker can wait for this load
        // (the index generator), and if it had taken part of the load's work before it began
        // to wait, the load would never finish.
        let shards: Vec<Vec<(u128, Analysis)>> = (0..SHARDS)
            .map(|n| {
                decode::<ShardFile>(&dir.join(format!("{n:02}")))
                    .filter(|s| s.generation == vf.generation)
                    .filter(|s| s.docs.iter().all(|(_, a)| a.fits(keys)))
                    .map(|s| s.docs)
                    .unwrap_or_default()
            })
            .collect();
        Inner {
            vocab,
            stemmer: vf.stemmer,
            generation: vf.generation,
            docs: shards.into_iter().flatten().collect(),
            ..Inner::default()
        }
    }

    /// Saves what changed into `dir`, leaving out the analyses the last build did not use.
    fn save(&mut self, dir: &Path) -> std::io::Result<()> {
        let inner = self;
        if !inner.built {
            return Ok(());
        }
        let (used, mut dirty) = (&inner.used, std::mem::take(&mut inner.dirty));
        inner.docs.retain(|k, _| {
            let keep = used.contains(k);
            if !keep {
                dirty.insert(k % SHARDS);
            }
            keep
        });
        if inner.compact_if_sparse() {
            dirty.extend(0..SHARDS);
        }
        inner.built = false;
        if dirty.is_empty() && !inner.vocab_dirty {
            return Ok(());
        }
        std::fs::create_dir_all(dir)?;
        // The vocabulary first: shards written against it then find every key they use.
        if inner.vocab_dirty {
            let file = VocabFile {
                generation: inner.generation,
                stemmer: inner.stemmer.clone(),
                vocab: inner.vocab.clone(),
            };
            write(
                &dir.join("vocab"),
                &postcard::to_stdvec(&file).map_err(std::io::Error::other)?,
            )?;
            inner.vocab_dirty = false;
        }
        let mut shards: FxHashMap<u128, Vec<(u128, Analysis)>> = FxHashMap::default();
        for (k, a) in &inner.docs {
            if dirty.contains(&(k % SHARDS)) {
                shards.entry(k % SHARDS).or_default().push((*k, a.clone()));
            }
        }
        let generation = inner.generation;
        dirty
            .into_iter()
            .collect::<Vec<_>>()
            .par_iter()
            .try_for_each(|n| {
                let mut docs = shards.get(n).cloned().unwrap_or_default();
                docs.sort_by_key(|(k, _)| *k);
                let file = ShardFile { generation, docs };
                write(
                    &dir.join(format!("{n:02}")),
                    &postcard::to_stdvec(&file).map_err(std::io::Error::other)?,
                )
            })
    }

    /// How many analyses the cache holds.
    #[cfg(test)]
    pub fn docs_len(&self) -> usize {
        self.docs.len()
    }

    /// The vocabulary the cached analyses use.
    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The analysis of a doc hash that [`Inner::analyse_missing`] made sure of.
    pub fn get(&self, key: u128) -> &Analysis {
        self.docs
            .get(&key)
            .expect("analyse_missing analysed every doc of the build")
    }

    /// Analyses the docs whose hash is not cached (in parallel) and marks every doc used.
    /// A cache made with another stemmer is dropped first. An error when a body cannot be read
    /// back (its file changed during the build).
    pub fn analyse_missing(
        &mut self,
        analyzer: &Analyzer,
        docs: &[SearchDoc<'_>],
        keys: &[u128],
    ) -> Result<(), Diagnostic> {
        if self.stemmer != analyzer.stemmer_name() {
            *self = Inner {
                stemmer: analyzer.stemmer_name().to_string(),
                generation: self.generation + 1,
                dirty: (0..SHARDS).collect(),
                vocab_dirty: true,
                ..Inner::default()
            };
        }
        self.used = keys.iter().copied().collect();
        self.built = true;
        let missing: Vec<usize> = {
            let mut seen = FxHashSet::default();
            (0..docs.len())
                .filter(|&i| !self.docs.contains_key(&keys[i]) && seen.insert(keys[i]))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let keys_before = self.vocab.keys.len();
        let fresh: Result<Vec<(u128, Analysis)>, Diagnostic> = {
            let analyser = Analyser::new(analyzer, &mut self.vocab);
            missing
                .par_iter()
                .map(|&i| Ok((keys[i], analyser.analyse(&docs[i])?)))
                .collect()
        };
        self.vocab_dirty |= self.vocab.keys.len() != keys_before;
        for (k, a) in fresh? {
            self.dirty.insert(k % SHARDS);
            self.docs.insert(k, a);
        }
        Ok(())
    }

    /// Records which key ids the build's articles use (for compaction when saving).
    pub fn set_live(&mut self, live: Vec<bool>) {
        self.live = live;
    }

    /// Renumbers the vocabulary when fewer than half its keys are still used; returns whether
    /// it did (every shard must then be written again).
    fn compact_if_sparse(&mut self) -> bool {
        let live = std::mem::take(&mut self.live);
        if live.len() != self.vocab.keys.len()
            || live.iter().filter(|u| **u).count() * 2 >= live.len()
        {
            return false;
        }
        let (vocab, map) = self.vocab.compacted(&live);
        self.vocab = vocab;
        for a in self.docs.values_mut() {
            *a = a.renumbered(&map);
        }
        self.generation += 1;
        self.vocab_dirty = true;
        true
    }
}

fn decode<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let rest = rest.strip_prefix(env!("NEWSGEN_BUILD_ID").as_bytes())?;
    let (sum, body) = rest.split_at_checked(16)?;
    // A damaged file that still decodes would give a wrong index: check its bytes first.
    (sum == xxh3_128(body).to_le_bytes()).then_some(())?;
    postcard::from_bytes(body).ok()
}

fn write(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(env!("NEWSGEN_BUILD_ID").as_bytes());
    bytes.extend_from_slice(&xxh3_128(body).to_le_bytes());
    bytes.extend_from_slice(body);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
