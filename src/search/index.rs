//! The chunked search index, built from the model in memory (never from rendered HTML).
//!
//! Layout under `search/` in the output (docs/search.md has the byte formats):
//! - `meta.json`: document count, stemmer, stop words, the first key of every dictionary
//!   chunk, sections, years (as article-id ranges: articles are newest first, so a year is a
//!   contiguous run), the fragment chunk size and a content version for cache busting.
//! - `d/{n}.bin`: dictionary chunks: sorted keys (stems, and surface words whose stem differs,
//!   for prefix search as you type), each with its stem's document frequency and where its
//!   postings are.
//! - `p/{n}.bin`: postings packs: the postings of consecutive stems (one stem per pack when
//!   large), delta-coded article ids with a 3-bit relevance level.
//! - `s/{n}.bin`: the articles of each section (for the section filter), same coding.
//! - `f/{k/1024}/{k}.json`: result fragments, `DOCS_PER_FRAGMENT` articles per file: headline,
//!   link, section, date, source and a short excerpt for the snippet.
//!
//! A query fetches meta.json, one dictionary chunk and one pack per word, and the fragments
//! of the results it shows: its cost depends on the words, not on the archive's size.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::Datelike;
use rayon::prelude::*;
use serde_json::json;

use super::text::{Analyzer, STOP_WORDS, keys};
use crate::error::Diagnostic;
use crate::model::{Article, Site};
use crate::render::context::{DATE_FORMAT, rfc3339};
use crate::render::markdown::plain_text;

/// Index format version, checked by the browser script.
pub const FORMAT: u32 = 1;
/// Articles per result-fragment file: small, so a page of relevance-ordered results spread
/// over the archive fetches little, large enough that 100,000 articles make 6,250 files.
pub const DOCS_PER_FRAGMENT: usize = 16;
/// Target size of a dictionary chunk in bytes.
pub const DICT_CHUNK_BYTES: usize = 12 * 1024;
/// Target size of a postings pack in bytes (a larger postings list gets a pack of its own).
pub const PACK_BYTES: usize = 16 * 1024;
/// Characters of article text kept per result for the snippet.
pub const EXCERPT_CHARS: usize = 300;
/// Fragment files per folder, so no folder grows past ~1,000 entries at any archive size.
pub const FRAGMENT_DIR_FILES: usize = 1024;

/// Articles analysed in parallel between two merges: bounds the memory of raw postings.
const GROUP_DOCS: usize = 4096;
/// Articles per parallel task (a multiple of `DOCS_PER_FRAGMENT`).
const BATCH_DOCS: usize = 128;
/// Bits of relevance level stored with every posting.
const LEVEL_BITS: u32 = 3;
/// Stem cache entries per thread before it is cleared (bounds memory on huge vocabularies).
const STEM_CACHE_MAX: usize = 1 << 20;

/// How much a word counts by where it occurs: a headline word outweighs five body mentions.
pub const WEIGHT_TITLE: u32 = 5;
/// A standfirst written in front matter, and tags.
pub const WEIGHT_SUMMARY: u32 = 2;
/// Body text, bylines and the source.
pub const WEIGHT_BODY: u32 = 1;
/// BM25 parameters: term-frequency saturation and length normalisation.
pub const BM25_K1: f64 = 1.2;
pub const BM25_B: f64 = 0.75;

/// The 3-bit relevance level of a stem in an article: BM25's term-frequency part (saturating
/// in `weighted_tf`, normalised by length `dl` against the average `avgdl`), quantised.
pub fn level(weighted_tf: u32, dl: f64, avgdl: f64) -> u8 {
    let f = f64::from(weighted_tf);
    let norm = 1.0 - BM25_B + BM25_B * dl / avgdl.max(1.0);
    let tfn = f * (BM25_K1 + 1.0) / (f + BM25_K1 * norm);
    let levels = f64::from(1u32 << LEVEL_BITS);
    ((tfn / (BM25_K1 + 1.0) * levels) as u32).min((1 << LEVEL_BITS) - 1) as u8
}

/// The weight a level stands for (the middle of its bucket); the browser uses the same formula.
pub fn level_weight(level: u8) -> f64 {
    (f64::from(level) + 0.5) / f64::from(1u32 << LEVEL_BITS) * (BM25_K1 + 1.0)
}

/// BM25 inverse document frequency: rare words count more.
pub fn idf(df: u32, docs: u32) -> f64 {
    let (df, n) = (f64::from(df), f64::from(docs));
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// What the index builder made, for reports and the benchmark.
#[derive(Debug, Clone, Default)]
pub struct IndexStats {
    pub docs: usize,
    pub stems: usize,
    pub keys: usize,
    pub postings: u64,
    pub files: usize,
    pub bytes: u64,
}

/// Where a file goes (`search/...`) and its bytes; `Output::write` fits.
pub type Sink<'a> = dyn Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync + 'a;

/// Unsigned LEB128, the integer coding of every binary index file.
pub fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A delta-coded postings list being appended to in article order.
#[derive(Default)]
struct Postings {
    df: u32,
    /// Previous article id + 1 (0 before the first).
    next: u32,
    bytes: Vec<u8>,
}

impl Postings {
    fn push(&mut self, doc: u32, level: u8) {
        let gap = u64::from(doc - self.next);
        push_varint(&mut self.bytes, (gap << LEVEL_BITS) | u64::from(level));
        self.next = doc + 1;
        self.df += 1;
    }
}

/// What one parallel task found in its articles.
struct Batch {
    /// Stem → (article id << LEVEL_BITS | level), in article order.
    postings: HashMap<String, Vec<u32>>,
    /// Surface words whose stem differs: word → stem.
    surfaces: HashMap<String, String>,
    errors: Vec<Diagnostic>,
}

thread_local! {
    static STEM_CACHE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Counts file bytes and a content version while writing through the sink.
struct Writer<'a> {
    sink: &'a Sink<'a>,
    files: AtomicUsize,
    bytes: AtomicU64,
    version: AtomicU64,
}

impl Writer<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.sink(path, bytes)?;
        let mut h = DefaultHasher::new();
        path.hash(&mut h);
        bytes.hash(&mut h);
        // A sum is independent of the order parallel tasks finish in.
        self.version.fetch_add(h.finish(), Ordering::Relaxed);
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn sink(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        (self.sink)(path, bytes)
    }
}

/// UTF-16 order, the order of JavaScript's string comparison, so the browser's binary search
/// agrees with the order the chunks were written in.
fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Whitespace-separated words of headline and body: a cheap, consistent article length.
fn approx_len(a: &Article) -> usize {
    a.title.split_whitespace().count() + a.body.split_whitespace().count()
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

/// The path of fragment file `k`.
pub fn fragment_path(k: usize) -> String {
    format!("search/f/{}/{k}.json", k / FRAGMENT_DIR_FILES)
}

struct Builder<'a> {
    site: &'a Site,
    analyzer: Analyzer,
    avgdl: f64,
    writer: Writer<'a>,
}

impl Builder<'_> {
    fn stem(&self, key: &str) -> String {
        if self.analyzer.stemmer_name() == "none" {
            return key.to_string();
        }
        STEM_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if let Some(s) = c.get(key) {
                return s.clone();
            }
            if c.len() >= STEM_CACHE_MAX {
                c.clear();
            }
            let s = self.analyzer.stem(key).into_owned();
            c.insert(key.to_string(), s.clone());
            s
        })
    }

    /// Analyses articles `first..first + articles.len()` and writes their fragment files.
    fn batch(&self, first: usize, articles: &[Article]) -> Batch {
        let mut batch = Batch {
            postings: HashMap::new(),
            surfaces: HashMap::new(),
            errors: Vec::new(),
        };
        let mut records = Vec::with_capacity(DOCS_PER_FRAGMENT);
        let mut tf: HashMap<String, u32> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            let doc = first + i;
            let body = plain_text(&a.body);
            // A derived summary is the body's first paragraph: don't count it twice.
            let own_summary = !body.trim_start().starts_with(a.summary.trim());
            tf.clear();
            let mut add = |text: &str, weight: u32| {
                keys(text, |k| {
                    let s = self.stem(k);
                    if s != k && !batch.surfaces.contains_key(k) {
                        batch.surfaces.insert(k.to_string(), s.clone());
                    }
                    *tf.entry(s).or_insert(0) += weight;
                });
            };
            add(&a.title, WEIGHT_TITLE);
            if own_summary {
                add(&a.summary, WEIGHT_SUMMARY);
            }
            for t in &a.tags {
                add(t, WEIGHT_SUMMARY);
            }
            for t in a.authors.iter().chain(a.source.iter()) {
                add(t, WEIGHT_BODY);
            }
            add(&body, WEIGHT_BODY);
            let dl = approx_len(a) as f64;
            for (stem, f) in tf.drain() {
                let l = level(f, dl, self.avgdl);
                batch
                    .postings
                    .entry(stem)
                    .or_default()
                    .push(((doc as u32) << LEVEL_BITS) | u32::from(l));
            }

            let text = if own_summary {
                format!("{} {}", a.summary, body)
            } else {
                body
            };
            records.push(json!([
                a.title,
                self.site.link(&a.path),
                a.section,
                rfc3339(&a.date),
                a.date.format(DATE_FORMAT).to_string(),
                a.source,
                excerpt(&text, EXCERPT_CHARS),
            ]));
            if records.len() == DOCS_PER_FRAGMENT || i + 1 == articles.len() {
                let k = (doc + 1 - records.len()) / DOCS_PER_FRAGMENT;
                let bytes = serde_json::Value::Array(std::mem::take(&mut records)).to_string();
                if let Err(d) = self.writer.put(&fragment_path(k), bytes.as_bytes()) {
                    batch.errors.push(d);
                }
            }
        }
        batch
    }
}

/// One dictionary row: a key, whether it is a stem (else a surface word of the stem whose
/// postings it points at), the stem's document frequency and the postings' place.
struct Entry<'a> {
    key: &'a str,
    is_stem: bool,
    loc: Loc,
}

#[derive(Clone, Copy)]
struct Loc {
    df: u32,
    pack: u32,
    offset: u32,
    len: u32,
}

/// Builds the whole index of `site` and writes it through `sink`.
pub fn build_index(site: &Site, sink: &Sink<'_>) -> Result<IndexStats, Vec<Diagnostic>> {
    let articles = &site.articles;
    let n = articles.len();
    let avgdl = if n == 0 {
        1.0
    } else {
        articles.par_iter().map(approx_len).sum::<usize>() as f64 / n as f64
    };
    let builder = Builder {
        site,
        analyzer: Analyzer::for_language(&site.config.language),
        avgdl,
        writer: Writer {
            sink,
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            version: AtomicU64::new(0),
        },
    };
    let w = &builder.writer;
    let mut errors = Vec::new();
    let mut stems: HashMap<String, Postings> = HashMap::new();
    let mut surfaces: HashMap<String, String> = HashMap::new();
    let mut postings = 0u64;
    for (g, group) in articles.chunks(GROUP_DOCS).enumerate() {
        let first = g * GROUP_DOCS;
        let batches: Vec<Batch> = group
            .par_chunks(BATCH_DOCS)
            .enumerate()
            .map(|(b, chunk)| builder.batch(first + b * BATCH_DOCS, chunk))
            .collect();
        for batch in batches {
            errors.extend(batch.errors);
            for (stem, list) in batch.postings {
                let p = stems.entry(stem).or_default();
                postings += list.len() as u64;
                for v in list {
                    p.push(v >> LEVEL_BITS, (v & ((1 << LEVEL_BITS) - 1)) as u8);
                }
            }
            for (word, stem) in batch.surfaces {
                surfaces.entry(word).or_insert(stem);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Postings packs, in key order so the stems of one prefix sit together.
    let mut stems: Vec<(String, Postings)> = stems.into_iter().collect();
    stems.sort_by(|a, b| utf16_cmp(&a.0, &b.0));
    let mut locs: HashMap<&str, Loc> = HashMap::with_capacity(stems.len());
    let mut pack = Vec::new();
    let mut pack_id = 0u32;
    let flush = |pack: &mut Vec<u8>, id: &mut u32| -> Result<(), Diagnostic> {
        if !pack.is_empty() {
            w.put(&format!("search/p/{id}.bin"), pack)?;
            pack.clear();
            *id += 1;
        }
        Ok(())
    };
    for (stem, p) in &stems {
        if !pack.is_empty() && pack.len() + p.bytes.len() > PACK_BYTES {
            flush(&mut pack, &mut pack_id).map_err(|d| vec![d])?;
        }
        let loc = Loc {
            df: p.df,
            pack: pack_id,
            offset: pack.len() as u32,
            len: p.bytes.len() as u32,
        };
        pack.extend_from_slice(&p.bytes);
        locs.insert(stem, loc);
    }
    flush(&mut pack, &mut pack_id).map_err(|d| vec![d])?;

    // The dictionary: every stem, plus surface words whose stem differs.
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(stems.len() + surfaces.len());
    for (stem, _) in &stems {
        entries.push(Entry {
            key: stem,
            is_stem: true,
            loc: locs[stem.as_str()],
        });
    }
    for (word, stem) in &surfaces {
        if let Some(loc) = locs.get(stem.as_str()) {
            entries.push(Entry {
                key: word,
                is_stem: false,
                loc: *loc,
            });
        }
    }
    entries.sort_by(|a, b| utf16_cmp(a.key, b.key).then(b.is_stem.cmp(&a.is_stem)));
    let mut firsts: Vec<&str> = Vec::new();
    let mut chunk = Vec::new();
    let mut prev: &str = "";
    let write_chunk = |chunk: &mut Vec<u8>, id: usize| -> Result<(), Diagnostic> {
        w.put(&format!("search/d/{id}.bin"), chunk)?;
        chunk.clear();
        Ok(())
    };
    for e in &entries {
        if chunk.is_empty() {
            firsts.push(e.key);
            prev = "";
        }
        let shared = e
            .key
            .chars()
            .zip(prev.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect::<String>();
        let suffix = &e.key[shared.len()..];
        push_varint(&mut chunk, shared.encode_utf16().count() as u64);
        push_varint(&mut chunk, suffix.len() as u64);
        chunk.extend_from_slice(suffix.as_bytes());
        push_varint(
            &mut chunk,
            (u64::from(e.loc.df) << 1) | u64::from(e.is_stem),
        );
        push_varint(&mut chunk, u64::from(e.loc.pack));
        push_varint(&mut chunk, u64::from(e.loc.offset));
        push_varint(&mut chunk, u64::from(e.loc.len));
        prev = e.key;
        if chunk.len() >= DICT_CHUNK_BYTES {
            write_chunk(&mut chunk, firsts.len() - 1).map_err(|d| vec![d])?;
        }
    }
    if !chunk.is_empty() {
        write_chunk(&mut chunk, firsts.len() - 1).map_err(|d| vec![d])?;
    }

    // Sections (for the filter) and years (article-id ranges).
    let mut sections = Vec::new();
    for (i, s) in site.sections.iter().enumerate() {
        let mut p = Postings::default();
        for &id in &s.articles {
            p.push(id as u32, 0);
        }
        w.put(&format!("search/s/{i}.bin"), &p.bytes)
            .map_err(|d| vec![d])?;
        sections.push(json!({ "slug": s.slug, "title": s.title, "count": s.articles.len() }));
    }
    let mut years: Vec<(i32, usize, usize)> = Vec::new();
    for (id, a) in articles.iter().enumerate() {
        let y = a.date.year();
        match years.last_mut() {
            Some(last) if last.0 == y => last.2 = id + 1,
            _ => years.push((y, id, id + 1)),
        }
    }

    let version = w.version.load(Ordering::Relaxed);
    let meta = json!({
        "format": FORMAT,
        "version": format!("{version:016x}"),
        "docs": n,
        "stemmer": builder.analyzer.stemmer_name(),
        "stop": STOP_WORDS,
        "fragment_docs": DOCS_PER_FRAGMENT,
        "fragment_dir_files": FRAGMENT_DIR_FILES,
        "level_bits": LEVEL_BITS,
        "k1": BM25_K1,
        "dict": firsts,
        "sections": sections,
        "years": years.iter().map(|(y, from, to)| json!([y, from, to])).collect::<Vec<_>>(),
    });
    w.put("search/meta.json", meta.to_string().as_bytes())
        .map_err(|d| vec![d])?;

    Ok(IndexStats {
        docs: n,
        stems: stems.len(),
        keys: entries.len(),
        postings,
        files: w.files.load(Ordering::Relaxed),
        bytes: w.bytes.load(Ordering::Relaxed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(weighted_tf: u32, dl: f64, df: u32) -> f64 {
        idf(df, 10_000) * level_weight(level(weighted_tf, dl, 300.0))
    }

    #[test]
    fn a_headline_word_outranks_a_passing_mention() {
        assert!(score(WEIGHT_TITLE, 300.0, 50) > score(WEIGHT_BODY, 300.0, 50));
        assert!(score(WEIGHT_TITLE + 2, 300.0, 50) > score(3 * WEIGHT_BODY, 300.0, 50));
    }

    #[test]
    fn more_mentions_rank_higher_but_saturate() {
        let levels: Vec<u8> = (1..=40).map(|f| level(f, 300.0, 300.0)).collect();
        assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{levels:?}");
        assert!(levels[0] < levels[4]);
        assert_eq!(levels[39], 7, "saturates at the top level");
        assert!(level(1, 300.0, 300.0) >= 1, "a single mention still counts");
    }

    #[test]
    fn long_articles_need_more_mentions() {
        assert!(level(2, 100.0, 300.0) > level(2, 3000.0, 300.0));
    }

    #[test]
    fn rare_words_count_more() {
        assert!(idf(3, 10_000) > idf(300, 10_000));
        assert!(idf(300, 10_000) > idf(9_000, 10_000));
        assert!(idf(10_000, 10_000) > 0.0, "even a word in every article scores");
        assert!(score(WEIGHT_BODY, 300.0, 5) > score(WEIGHT_TITLE, 300.0, 8_000));
    }

    #[test]
    fn varints_round_trip_and_are_compact() {
        let mut b = Vec::new();
        for v in [0u64, 127, 128, 300, 1 << 35] {
            push_varint(&mut b, v);
        }
        assert_eq!(b.len(), 1 + 1 + 2 + 2 + 6);
        assert_eq!(&b[..4], &[0, 127, 0x80, 1]);
    }

    #[test]
    fn postings_are_gap_coded_with_levels() {
        let mut p = Postings::default();
        p.push(0, 3);
        p.push(1, 7);
        p.push(20, 1);
        // gaps 0, 0, 18 shifted past the 3 level bits; (18 << 3) | 1 = 145 takes two bytes
        assert_eq!(p.bytes, vec![3, 7, 0x80 | (145 & 0x7f), 145 >> 7]);
        assert_eq!(p.df, 3);
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("one  two\nthree", 100), "one two three");
        assert_eq!(excerpt("alpha beta gamma", 11), "alpha beta…");
        assert_eq!(excerpt("", 10), "");
    }

    #[test]
    fn keys_sort_like_javascript_strings() {
        let mut v = vec!["\u{ff5e}", "\u{1f600}", "b", "a"];
        v.sort_by(|a, b| utf16_cmp(a, b));
        // U+1F600 is a surrogate pair (0xD83D...), below U+FF5E in UTF-16 order.
        assert_eq!(v, vec!["a", "b", "\u{1f600}", "\u{ff5e}"]);
    }
}
