//! What one article contributes to the search index, as a function of [`SearchDoc`] alone.
//!
//! [`analyse`] reads a `SearchDoc` and nothing else, so the hash of that value
//! ([`SearchDoc::key`]) names its [`Analysis`] in the cache ([`super::cache`]): an article whose
//! doc hashes the same is not tokenised again. Keys are stored as ids of a [`Vocabulary`]
//! kept with the cache, each key with its stem, so every distinct word is stemmed once.

use std::borrow::Cow;
use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Offset};
use chrono_tz::Tz;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::index::{WEIGHT_BODY, WEIGHT_SUMMARY, WEIGHT_TITLE, push_varint, read_varint};
use super::text::{Analyzer, is_stop_word, keys_and_stop_words};
use crate::error::Diagnostic;
use crate::load::body::Body;
use crate::model::Article;
use crate::render::context::DATE_FORMAT;
use crate::util::digest::Digest;
use crate::util::text::{count_words, plain_text};
use crate::util::time::rfc3339;

/// Characters of article text kept per result for the snippet.
pub const EXCERPT_CHARS: usize = 300;

/// Everything the index reads of one article: its analysis and its result record.
pub struct SearchDoc<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub tags: &'a [String],
    pub authors: &'a [String],
    pub source: Option<&'a str>,
    /// The Markdown body (its plain text is derived when the doc is analysed). It hashes as
    /// its text's hash, so keying a doc reads no body.
    pub body: &'a Body,
    /// The article's path in the output; its link is the site's base path before it.
    pub path: &'a str,
    /// The section's position in `Site::sections`: the search files number sections so.
    pub section: usize,
    /// Formatted only for the result fragments that are made again ([`SearchDoc::iso_date`]).
    pub date: &'a DateTime<Tz>,
}

impl Hash for SearchDoc<'_> {
    /// Every field; the date as its instant and UTC offset, which decide both of its printed
    /// forms (`DateTime`'s own hash leaves the offset out).
    fn hash<H: Hasher>(&self, h: &mut H) {
        (
            self.title,
            self.summary,
            self.tags,
            self.authors,
            self.source,
        )
            .hash(h);
        (self.body, self.path, self.section).hash(h);
        let offset = self.date.offset().fix().local_minus_utc();
        (self.date.timestamp(), offset).hash(h);
    }
}

impl<'a> SearchDoc<'a> {
    pub fn of(a: &'a Article) -> SearchDoc<'a> {
        SearchDoc {
            title: &a.title,
            summary: &a.summary,
            tags: &a.tags,
            authors: &a.authors,
            source: a.source.as_deref(),
            body: &a.body,
            path: &a.path,
            section: usize::from(a.section),
            date: &a.date,
        }
    }

    /// The hash of the whole doc: the cache key of its analysis.
    pub fn key(&self) -> u128 {
        let mut h = Digest::default();
        self.hash(&mut h);
        h.digest128()
    }

    /// The date as the result record gives it to scripts (RFC 3339).
    pub fn iso_date(&self) -> String {
        rfc3339(self.date)
    }

    /// The date as a result shows it.
    pub fn display_date(&self) -> String {
        self.date.format(DATE_FORMAT).to_string()
    }

    /// Whitespace-separated words of headline and body: a cheap, consistent article length.
    fn approx_len(&self, body: &str) -> usize {
        count_words(self.title) + count_words(body)
    }
}

/// One article's contribution: its length, its keys with their weighted counts, its excerpt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analysis {
    /// Length for BM25's normalisation ([`SearchDoc::approx_len`]).
    pub dl: u32,
    /// (key id, weighted count) pairs by ascending key id: varints, ids delta-coded.
    #[serde(with = "serde_bytes")]
    terms: Vec<u8>,
    /// ~300 characters of standfirst and body for the result's snippet.
    pub excerpt: String,
}

impl Analysis {
    /// The (key id, weighted count) pairs.
    pub fn terms(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut rest = self.terms.as_slice();
        let mut key = 0u64;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let (gap, n) = read_varint(rest);
            let (count, m) = read_varint(&rest[n..]);
            rest = &rest[n + m..];
            key += gap;
            Some((key as u32, count as u32))
        })
    }

    fn from_terms(dl: u32, mut terms: Vec<(u32, u32)>, excerpt: String) -> Analysis {
        terms.sort_unstable();
        let mut bytes = Vec::with_capacity(terms.len() * 3);
        let mut prev = 0u32;
        for (key, count) in terms {
            push_varint(&mut bytes, u64::from(key - prev));
            push_varint(&mut bytes, u64::from(count));
            prev = key;
        }
        Analysis {
            dl,
            terms: bytes,
            excerpt,
        }
    }

    /// Whether every key id is below `keys` (a stored analysis must fit its vocabulary).
    pub fn fits(&self, keys: usize) -> bool {
        self.terms().all(|(k, _)| (k as usize) < keys)
    }

    /// The same analysis with its key ids renumbered by `map` (vocabulary compaction).
    pub fn renumbered(&self, map: &[u32]) -> Analysis {
        let terms = self.terms().map(|(k, c)| (map[k as usize], c)).collect();
        Analysis::from_terms(self.dl, terms, self.excerpt.clone())
    }
}

/// Every key met, each with its stem; ids are positions in `keys` and `stems`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Vocabulary {
    /// Key id → (key, stem id).
    pub keys: Vec<(Arc<str>, u32)>,
    /// Stem id → stem.
    pub stems: Vec<Arc<str>>,
    #[serde(skip)]
    key_ids: FxHashMap<Arc<str>, u32>,
    #[serde(skip)]
    stem_ids: FxHashMap<Arc<str>, u32>,
}

impl Vocabulary {
    /// Rebuilds the look-up maps after deserialising; `None` when the tables are inconsistent.
    pub fn indexed(mut self) -> Option<Vocabulary> {
        self.key_ids = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i as u32))
            .collect();
        self.stem_ids = self
            .stems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let consistent = self.key_ids.len() == self.keys.len()
            && self.stem_ids.len() == self.stems.len()
            && self
                .keys
                .iter()
                .all(|(_, s)| (*s as usize) < self.stems.len());
        consistent.then_some(self)
    }

    /// The id of `key`, interning it (and its stem) when new.
    fn intern(&mut self, key: &str, stem: Cow<'_, str>) -> u32 {
        if let Some(&id) = self.key_ids.get(key) {
            return id;
        }
        let stem_id = match self.stem_ids.get(stem.as_ref()) {
            Some(&id) => id,
            None => {
                let id = self.stems.len() as u32;
                let stem: Arc<str> = Arc::from(stem.as_ref());
                self.stem_ids.insert(stem.clone(), id);
                self.stems.push(stem);
                id
            }
        };
        let id = self.keys.len() as u32;
        let key: Arc<str> = Arc::from(key);
        self.key_ids.insert(key.clone(), id);
        self.keys.push((key, stem_id));
        id
    }

    /// The vocabulary of the keys `used` marks, and the old id → new id map (stale ids map to
    /// `u32::MAX`).
    pub fn compacted(&self, used: &[bool]) -> (Vocabulary, Vec<u32>) {
        let mut fresh = Vocabulary::default();
        let mut map = vec![u32::MAX; self.keys.len()];
        for (old, (key, stem)) in self.keys.iter().enumerate() {
            if used[old] {
                map[old] = fresh.intern(key, Cow::Borrowed(&self.stems[*stem as usize]));
            }
        }
        (fresh, map)
    }
}

/// The key id cached for stop words (they are not indexed).
const STOP: u32 = u32::MAX;

/// Distinguishes analysis runs in one process, so a thread's cache of key ids from an earlier
/// vocabulary is never used.
static RUN: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's copy of key → key id for the current run: the hot loop takes no lock.
    static KEY_CACHE: RefCell<(u64, FxHashMap<String, u32>)> =
        RefCell::new((u64::MAX, FxHashMap::default()));
    /// This thread's weighted counts by key id, all zero between docs.
    static COUNTS: RefCell<Counts> = RefCell::new(Counts::default());
}

/// Weighted counts of one doc's keys, by key id: key ids are dense, so a vector indexed by id
/// (kept by the thread, zeroed again after each doc) counts without hashing every word.
#[derive(Default)]
struct Counts {
    by_id: Vec<u32>,
    /// The ids counted since the last [`Counts::take`].
    seen: Vec<u32>,
}

impl Counts {
    fn add(&mut self, id: u32, weight: u32) {
        let i = id as usize;
        if i >= self.by_id.len() {
            self.by_id.resize(i + 1, 0);
        }
        if self.by_id[i] == 0 {
            self.seen.push(id);
        }
        self.by_id[i] += weight;
    }

    /// The (key id, count) pairs counted, leaving every count zero.
    fn take(&mut self) -> Vec<(u32, u32)> {
        self.seen
            .drain(..)
            .map(|id| (id, std::mem::take(&mut self.by_id[id as usize])))
            .collect()
    }
}

/// Analyses docs that are not cached, interning their keys into a shared vocabulary.
pub struct Analyser<'v> {
    analyzer: &'v Analyzer,
    vocab: RwLock<&'v mut Vocabulary>,
    run: u64,
}

impl<'v> Analyser<'v> {
    pub fn new(analyzer: &'v Analyzer, vocab: &'v mut Vocabulary) -> Self {
        Analyser {
            analyzer,
            vocab: RwLock::new(vocab),
            run: RUN.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The id of `key`: from this thread's cache, else the vocabulary, else the stemmer.
    fn key_id(&self, key: &str, cache: &mut FxHashMap<String, u32>) -> u32 {
        if let Some(&id) = cache.get(key) {
            return id;
        }
        const POISON: &str =
            "the vocabulary lock is poisoned only after a panic, which stops the build";
        let known = self.vocab.read().expect(POISON).key_ids.get(key).copied();
        let id = known.unwrap_or_else(|| {
            if is_stop_word(key) {
                return STOP;
            }
            let stem = self.analyzer.stem(key);
            self.vocab.write().expect(POISON).intern(key, stem)
        });
        cache.insert(key.to_string(), id);
        id
    }

    /// Tokenises one doc: the weighted count of each key, its length and its excerpt. An error
    /// when its body cannot be read back (the file changed during the build).
    pub fn analyse(&self, doc: &SearchDoc<'_>) -> Result<Analysis, Diagnostic> {
        let markdown = doc.body.text()?;
        let mut cache = KEY_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.0 != self.run {
                *c = (self.run, FxHashMap::default());
            }
            std::mem::take(&mut c.1)
        });
        let body = plain_text(markdown);
        // A derived summary is the body's first paragraph: don't count it twice.
        let own_summary = !body.trim_start().starts_with(doc.summary.trim());
        let mut counts = COUNTS.with(|c| std::mem::take(&mut *c.borrow_mut()));
        let mut add = |text: &str, weight: u32| {
            keys_and_stop_words(text, |k| {
                let id = self.key_id(k, &mut cache);
                if id != STOP {
                    counts.add(id, weight);
                }
            });
        };
        add(doc.title, WEIGHT_TITLE);
        if own_summary {
            add(doc.summary, WEIGHT_SUMMARY);
        }
        for t in doc.tags {
            add(t, WEIGHT_SUMMARY);
        }
        for t in doc.authors.iter().map(String::as_str).chain(doc.source) {
            add(t, WEIGHT_BODY);
        }
        add(&body, WEIGHT_BODY);
        KEY_CACHE.with(|c| c.borrow_mut().1 = cache);
        let terms = counts.take();
        COUNTS.with(|c| *c.borrow_mut() = counts);
        let text = if own_summary {
            format!("{} {}", doc.summary, body)
        } else {
            body
        };
        Ok(Analysis::from_terms(
            doc.approx_len(markdown) as u32,
            terms,
            excerpt(&text, EXCERPT_CHARS),
        ))
    }
}

/// Collapses whitespace and cuts at a word boundary near `max` characters.
fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if count + n + 1 > max && count > 0 {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        out.push_str(word);
        count += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("one  two\nthree", 100), "one two three");
        assert_eq!(excerpt("alpha beta gamma", 11), "alpha beta…");
        assert_eq!(excerpt("", 10), "");
    }

    #[test]
    fn terms_round_trip_and_renumber() {
        let a = Analysis::from_terms(7, vec![(300, 5), (2, 1), (40_000, 2)], "x".into());
        assert_eq!(
            a.terms().collect::<Vec<_>>(),
            [(2, 1), (300, 5), (40_000, 2)]
        );
        assert!(a.fits(40_001) && !a.fits(40_000));
        let mut map = vec![u32::MAX; 40_001];
        (map[2], map[300], map[40_000]) = (9, 0, 4);
        let r = a.renumbered(&map);
        assert_eq!(r.terms().collect::<Vec<_>>(), [(0, 5), (4, 2), (9, 1)]);
    }
}
