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

use rustc_hash::FxHashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use chrono::Datelike;
use rayon::prelude::*;
use serde_json::json;
use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_64_with_seed};

use super::analysis::{Analysis, SearchDoc, Vocabulary};
use super::cache::AnalysisCache;
use super::text::{Analyzer, STOP_WORDS};
use crate::error::Diagnostic;
use crate::model::Site;
use crate::output::Generated;

/// Index format version, checked by the browser script.
pub const FORMAT: u32 = 1;
/// Articles per result-fragment file: small, so a page of relevance-ordered results spread
/// over the archive fetches little, large enough that 100,000 articles make 6,250 files.
pub const DOCS_PER_FRAGMENT: usize = 16;
/// Target size of a dictionary chunk in bytes.
pub const DICT_CHUNK_BYTES: usize = 12 * 1024;
/// Target size of a postings pack in bytes (a larger postings list gets a pack of its own).
pub const PACK_BYTES: usize = 16 * 1024;
/// Fragment files per folder, so no folder grows past ~1,000 entries at any archive size.
pub const FRAGMENT_DIR_FILES: usize = 1024;

/// Articles analysed in parallel between two merges: bounds the memory of raw postings.
const GROUP_DOCS: usize = 2048;
/// Articles per parallel task (a multiple of `DOCS_PER_FRAGMENT`).
const BATCH_DOCS: usize = 512;
/// Bits of relevance level stored with every posting.
const LEVEL_BITS: u32 = 3;

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
    /// Bytes of the files made (a fragment kept by its recipe is not made again).
    pub bytes: u64,
}

/// Where the index's files go (`search/...`). A closure taking the path and the bytes is a
/// sink that makes every file; the build's output keeps a file made by the same recipe.
pub trait Sink: Sync {
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic>;

    /// Writes the file `make` makes by the recipe `key` (the same key makes the same bytes),
    /// or keeps it as an earlier build made it by the same recipe.
    fn put_derived(
        &self,
        rel: &str,
        _key: u128,
        make: &mut dyn FnMut() -> Vec<u8>,
    ) -> Result<(), Diagnostic> {
        self.put(rel, &make())
    }
}

impl<F: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync> Sink for F {
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self(rel, bytes)
    }
}

impl Sink for Generated<'_> {
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.write(rel, bytes)
    }

    fn put_derived(
        &self,
        rel: &str,
        key: u128,
        make: &mut dyn FnMut() -> Vec<u8>,
    ) -> Result<(), Diagnostic> {
        self.write_derived(rel, key, make)
    }
}

/// Unsigned LEB128, the integer coding of every binary index file.
pub fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads one varint: (value, bytes read).
pub fn read_varint(bytes: &[u8]) -> (u64, usize) {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    (v, bytes.len())
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
    /// Appends a later run of postings whose first gap was counted from article 0.
    fn append(&mut self, run: &Postings) {
        let (first, len) = read_varint(&run.bytes);
        let doc = (first >> LEVEL_BITS) as u32;
        let gap = u64::from(doc - self.next);
        push_varint(
            &mut self.bytes,
            (gap << LEVEL_BITS) | (first & ((1 << LEVEL_BITS) - 1)),
        );
        self.bytes.extend_from_slice(&run.bytes[len..]);
        self.df += run.df;
        self.next = run.next;
    }

    fn push(&mut self, doc: u32, level: u8) {
        let gap = u64::from(doc - self.next);
        push_varint(&mut self.bytes, (gap << LEVEL_BITS) | u64::from(level));
        self.next = doc + 1;
        self.df += 1;
    }
}

/// What one parallel task found in its articles.
struct Batch {
    /// Stem ids met in this batch; postings[i] belongs to stems[i], coded as in the index but
    /// with the first gap counted from article 0 (fixed up when appended to the whole list).
    stems: Vec<u32>,
    postings: Vec<Postings>,
    errors: Vec<Diagnostic>,
}

/// Counts file bytes and a content version while writing through the sink.
struct Writer<'a> {
    sink: &'a dyn Sink,
    files: AtomicUsize,
    bytes: AtomicU64,
    version: AtomicU64,
}

impl Writer<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.sink.put(path, bytes)?;
        self.count(path, xxh3_64(bytes), bytes.len());
        Ok(())
    }

    /// Writes (or keeps) the file made by the recipe `content`, which names its bytes: the
    /// version counts the recipe, so a kept file needs no bytes. The sink's key adds the
    /// newsgen build to it (another build may write other bytes by the same recipe); the
    /// version does not, so a new newsgen with the same index sends no reader a new one.
    fn put_derived(
        &self,
        path: &str,
        content: u128,
        make: &mut dyn FnMut() -> Vec<u8>,
    ) -> Result<(), Diagnostic> {
        let mut key = Xxh3::new();
        key.update(env!("NEWSGEN_BUILD_ID").as_bytes());
        key.update(&content.to_le_bytes());
        let mut made = 0;
        self.sink.put_derived(path, key.digest128(), &mut || {
            let bytes = make();
            made = bytes.len();
            bytes
        })?;
        self.count(path, content as u64 ^ (content >> 64) as u64, made);
        Ok(())
    }

    fn count(&self, path: &str, content: u64, len: usize) {
        // A sum is independent of the order parallel tasks finish in.
        let h = xxh3_64_with_seed(path.as_bytes(), content);
        self.version.fetch_add(h, Ordering::Relaxed);
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
    }
}

/// UTF-16 order, the order of JavaScript's string comparison, so the browser's binary search
/// agrees with the order the chunks were written in.
fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The path of fragment file `k`.
pub fn fragment_path(k: usize) -> String {
    format!("search/f/{}/{k}.json", k / FRAGMENT_DIR_FILES)
}

/// A task's per-article counters.
#[derive(Default)]
struct Local {
    /// Stem id → slot in the batch.
    slots: FxHashMap<u32, u32>,
    /// Weighted count of each slot in the current article, and the slots that are non-zero.
    counts: Vec<u32>,
    touched: Vec<u32>,
}

/// One article of a fragment file: headline, link, section, ISO date, display date, source
/// (or null) and excerpt, a JSON array.
type FragmentRecord<'d> = (
    &'d str,
    &'d str,
    usize,
    &'d str,
    &'d str,
    Option<&'d str>,
    &'d str,
);

/// The JSON of one result fragment: an array of [`FragmentRecord`]s.
fn fragment_bytes(docs: &[Doc<'_>], site: &Site) -> Vec<u8> {
    let texts: Vec<[String; 3]> = docs
        .iter()
        .map(|(doc, _, _)| [site.link(doc.path), doc.iso_date(), doc.display_date()])
        .collect();
    let records: Vec<FragmentRecord<'_>> = docs
        .iter()
        .zip(&texts)
        .map(|((doc, analysis, _), [link, iso, display])| {
            let excerpt = analysis.excerpt.as_str();
            (
                doc.title,
                link.as_str(),
                doc.section,
                iso.as_str(),
                display.as_str(),
                doc.source,
                excerpt,
            )
        })
        .collect();
    serde_json::to_vec(&records).expect("a list of strings, numbers and nulls always serialises")
}

/// One article as the postings builder sees it: what it shows, what it contributes and its
/// key ([`SearchDoc::key`]).
type Doc<'d> = (&'d SearchDoc<'d>, &'d Analysis, u128);

struct Builder<'a> {
    vocab: &'a Vocabulary,
    /// What every result fragment's recipe starts from: the index format and the site's
    /// base path (before every link).
    fragment_salt: u128,
    /// Links in the result records are the site's ([`Site::link`]).
    site: &'a Site,
    avgdl: f64,
    writer: Writer<'a>,
    /// Key ids met in some article (surface words of the dictionary), by key id.
    live: Vec<AtomicBool>,
}

impl Builder<'_> {
    /// The batch slot of a stem id.
    fn slot(local: &mut Local, batch: &mut Batch, id: u32) -> usize {
        let next = batch.stems.len() as u32;
        let slot = *local.slots.entry(id).or_insert(next);
        if slot == next {
            batch.stems.push(id);
            batch.postings.push(Postings::default());
            local.counts.push(0);
        }
        slot as usize
    }

    /// Writes result fragment `k`, unless an earlier build wrote it from the same docs: its
    /// recipe is the salt and the keys of its docs, which hash every field a record shows.
    fn write_fragment(&self, k: usize, docs: &[Doc<'_>]) -> Result<(), Diagnostic> {
        let mut recipe = Xxh3::new();
        recipe.update(&self.fragment_salt.to_le_bytes());
        for (_, _, key) in docs {
            recipe.update(&key.to_le_bytes());
        }
        self.writer
            .put_derived(&fragment_path(k), recipe.digest128(), &mut || {
                fragment_bytes(docs, self.site)
            })
    }

    /// Codes the postings of articles `first..first + docs.len()` and writes their fragment
    /// files.
    fn batch(&self, first: usize, docs: &[Doc<'_>]) -> Batch {
        let mut batch = Batch {
            stems: Vec::new(),
            postings: Vec::new(),
            errors: Vec::new(),
        };
        let mut local = Local::default();
        // Serialised straight from the docs (the JSON of a `json!` array of them, without
        // copying every string into a `Value` first).
        let mut fragment: Vec<Doc<'_>> = Vec::with_capacity(DOCS_PER_FRAGMENT);
        for (i, &(doc, analysis, key)) in docs.iter().enumerate() {
            let doc_id = first + i;
            for (key, count) in analysis.terms() {
                self.live[key as usize].store(true, Ordering::Relaxed);
                let stem = self.vocab.keys[key as usize].1;
                let slot = Self::slot(&mut local, &mut batch, stem);
                let c = &mut local.counts[slot];
                if *c == 0 {
                    local.touched.push(slot as u32);
                }
                *c += count;
            }
            let dl = f64::from(analysis.dl);
            for id in local.touched.drain(..) {
                let f = std::mem::take(&mut local.counts[id as usize]);
                let l = level(f, dl, self.avgdl);
                batch.postings[id as usize].push(doc_id as u32, l);
            }
            fragment.push((doc, analysis, key));
            if fragment.len() == DOCS_PER_FRAGMENT || i + 1 == docs.len() {
                let k = (doc_id + 1 - fragment.len()) / DOCS_PER_FRAGMENT;
                if let Err(d) = self.write_fragment(k, &fragment) {
                    batch.errors.push(d);
                }
                fragment.clear();
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

/// Builds the whole index of `site` and writes it through `sink`, analysing every article.
pub fn build_index(site: &Site, sink: &dyn Sink) -> Result<IndexStats, Vec<Diagnostic>> {
    build_index_cached(site, &AnalysisCache::default(), sink)
}

/// [`build_index`], analysing only the articles whose [`SearchDoc`] is not in `cache` (and
/// adding them to it): the output is the same as with an empty cache.
pub fn build_index_cached(
    site: &Site,
    cache: &AnalysisCache,
    sink: &dyn Sink,
) -> Result<IndexStats, Vec<Diagnostic>> {
    let articles = &site.articles.raw;
    let n = articles.len();
    let analyzer = Analyzer::for_language(&site.config.language);
    let docs: Vec<SearchDoc<'_>> = articles.par_iter().map(SearchDoc::of).collect();
    let keys: Vec<u128> = docs.par_iter().map(SearchDoc::key).collect();
    let mut cached = cache.lock();
    cached
        .analyse_missing(&analyzer, &docs, &keys)
        .map_err(|e| vec![e])?;
    let analyses: Vec<&Analysis> = keys.iter().map(|&k| cached.get(k)).collect();
    let avgdl = if n == 0 {
        1.0
    } else {
        analyses.iter().map(|a| u64::from(a.dl)).sum::<u64>() as f64 / n as f64
    };
    let vocab = cached.vocab();
    let mut salt = Xxh3::new();
    salt.update(&FORMAT.to_le_bytes());
    salt.update(site.config.base_url.path.as_bytes());
    let builder = Builder {
        vocab,
        fragment_salt: salt.digest128(),
        site,
        avgdl,
        writer: Writer {
            sink,
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            version: AtomicU64::new(0),
        },
        live: (0..vocab.keys.len())
            .map(|_| AtomicBool::new(false))
            .collect(),
    };
    let all_docs: Vec<Doc<'_>> = docs
        .iter()
        .zip(analyses.iter().copied())
        .zip(keys.iter().copied())
        .map(|((doc, analysis), key)| (doc, analysis, key))
        .collect();
    let (all, postings) = builder.postings(&all_docs)?;
    let live: Vec<bool> = builder
        .live
        .into_iter()
        .map(AtomicBool::into_inner)
        .collect();
    let w = &builder.writer;
    let (stems, locs) = write_packs(w, vocab, all).map_err(|d| vec![d])?;
    let (firsts, keys) = write_dictionary(w, vocab, &live, &stems, &locs).map_err(|d| vec![d])?;
    let sections = write_sections(w, site).map_err(|d| vec![d])?;
    let version = w.version.load(Ordering::Relaxed);
    let meta = json!({
        "format": FORMAT,
        "version": format!("{version:016x}"),
        "docs": n,
        "stemmer": analyzer.stemmer_name(),
        "stop": STOP_WORDS,
        "fragment_docs": DOCS_PER_FRAGMENT,
        "fragment_dir_files": FRAGMENT_DIR_FILES,
        "level_bits": LEVEL_BITS,
        "k1": BM25_K1,
        "dict": firsts,
        "sections": sections,
        "years": year_ranges(site).iter().map(|(y, from, to)| json!([y, from, to])).collect::<Vec<_>>(),
    });
    w.put("search/meta.json", meta.to_string().as_bytes())
        .map_err(|d| vec![d])?;
    let stats = IndexStats {
        docs: n,
        stems: stems.len(),
        keys,
        postings,
        files: w.files.load(Ordering::Relaxed),
        bytes: w.bytes.load(Ordering::Relaxed),
    };
    drop(locs);
    drop(stems);
    cached.set_live(live);
    Ok(stats)
}

impl Builder<'_> {
    /// Every stem's postings over all articles (indexed by stem id) and their total count.
    /// Each group of articles is merged (in article order) while the next one is coded.
    fn postings(&self, all_docs: &[Doc<'_>]) -> Result<(Vec<Postings>, u64), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut all: Vec<Postings> = Vec::new();
        let mut postings = 0u64;
        let mut merge = |batches: Vec<Batch>| {
            for batch in batches {
                errors.extend(batch.errors);
                for (id, list) in batch.stems.into_iter().zip(batch.postings) {
                    postings += u64::from(list.df);
                    let id = id as usize;
                    if id >= all.len() {
                        all.resize_with(id + 1, Postings::default);
                    }
                    all[id].append(&list);
                }
            }
        };
        let mut pending: Option<Vec<Batch>> = None;
        for (g, group) in all_docs.chunks(GROUP_DOCS).enumerate() {
            let first = g * GROUP_DOCS;
            let previous = pending.take();
            let (batches, ()) = rayon::join(
                || {
                    group
                        .par_chunks(BATCH_DOCS)
                        .enumerate()
                        .map(|(b, chunk)| self.batch(first + b * BATCH_DOCS, chunk))
                        .collect::<Vec<Batch>>()
                },
                || {
                    if let Some(p) = previous {
                        merge(p);
                    }
                },
            );
            pending = Some(batches);
        }
        if let Some(p) = pending {
            merge(p);
        }
        if errors.is_empty() {
            Ok((all, postings))
        } else {
            Err(errors)
        }
    }
}

/// A used stem and its postings over all articles.
type StemPostings = (Arc<str>, Postings);

/// Where each used stem's postings list is.
type Locations = FxHashMap<Arc<str>, Loc>;

/// Writes the postings packs, in key order so the stems of one prefix sit together; returns
/// the used stems with their postings and where each stem's list is.
fn write_packs(
    w: &Writer<'_>,
    vocab: &Vocabulary,
    mut all: Vec<Postings>,
) -> Result<(Vec<StemPostings>, Locations), Diagnostic> {
    all.resize_with(vocab.stems.len(), Postings::default);
    let mut stems: Vec<StemPostings> = vocab
        .stems
        .iter()
        .cloned()
        .zip(all)
        .filter(|(_, p)| p.df > 0)
        .collect();
    stems.sort_by(|a, b| utf16_cmp(&a.0, &b.0));
    let mut locs = Locations::default();
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
            flush(&mut pack, &mut pack_id)?;
        }
        let loc = Loc {
            df: p.df,
            pack: pack_id,
            offset: pack.len() as u32,
            len: p.bytes.len() as u32,
        };
        pack.extend_from_slice(&p.bytes);
        locs.insert(stem.clone(), loc);
    }
    flush(&mut pack, &mut pack_id)?;
    Ok((stems, locs))
}

/// Writes the dictionary chunks: every stem, plus surface words whose stem differs. Returns
/// the first key of each chunk and the number of keys.
fn write_dictionary<'v>(
    w: &Writer<'_>,
    vocab: &'v Vocabulary,
    live: &[bool],
    stems: &'v [StemPostings],
    locs: &Locations,
) -> Result<(Vec<&'v str>, usize), Diagnostic> {
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(stems.len() + vocab.keys.len());
    for (stem, _) in stems {
        entries.push(Entry {
            key: stem,
            is_stem: true,
            loc: locs[stem],
        });
    }
    for ((word, id), _) in vocab.keys.iter().zip(live).filter(|(_, live)| **live) {
        let stem = &vocab.stems[*id as usize];
        if word == stem {
            continue;
        }
        if let Some(loc) = locs.get(stem) {
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
        push_entry(&mut chunk, e, prev);
        prev = e.key;
        if chunk.len() >= DICT_CHUNK_BYTES {
            write_chunk(&mut chunk, firsts.len() - 1)?;
        }
    }
    if !chunk.is_empty() {
        write_chunk(&mut chunk, firsts.len() - 1)?;
    }
    Ok((firsts, entries.len()))
}

/// One dictionary entry, its key front-coded against the previous key of its chunk.
fn push_entry(chunk: &mut Vec<u8>, e: &Entry<'_>, prev: &str) {
    let shared = e
        .key
        .chars()
        .zip(prev.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect::<String>();
    let suffix = &e.key[shared.len()..];
    push_varint(chunk, shared.encode_utf16().count() as u64);
    push_varint(chunk, suffix.len() as u64);
    chunk.extend_from_slice(suffix.as_bytes());
    push_varint(chunk, (u64::from(e.loc.df) << 1) | u64::from(e.is_stem));
    push_varint(chunk, u64::from(e.loc.pack));
    push_varint(chunk, u64::from(e.loc.offset));
    push_varint(chunk, u64::from(e.loc.len));
}

/// Each section's article list (for the filter); returns what meta.json says of them.
fn write_sections(w: &Writer<'_>, site: &Site) -> Result<Vec<serde_json::Value>, Diagnostic> {
    let mut sections = Vec::new();
    for (i, s) in site.sections.iter().enumerate() {
        let mut p = Postings::default();
        for &id in &s.articles {
            p.push(usize::from(id) as u32, 0);
        }
        w.put(&format!("search/s/{i}.bin"), &p.bytes)?;
        sections.push(json!({ "slug": s.slug, "title": s.title, "count": s.articles.len() }));
    }
    Ok(sections)
}

/// Each year's range of article ids `(year, from, to)`: articles are sorted newest first.
fn year_ranges(site: &Site) -> Vec<(i32, usize, usize)> {
    let mut years: Vec<(i32, usize, usize)> = Vec::new();
    for (id, a) in site.articles.iter().enumerate() {
        let y = a.date.year();
        match years.last_mut() {
            Some(last) if last.0 == y => last.2 = id + 1,
            _ => years.push((y, id, id + 1)),
        }
    }
    years
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
        assert!(
            idf(10_000, 10_000) > 0.0,
            "even a word in every article scores"
        );
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
        // A run coded from article 0 appends as if pushed one by one.
        let mut run = Postings::default();
        run.push(300, 2);
        run.push(301, 5);
        let mut whole = Postings::default();
        for (d, l) in [(0, 3), (1, 7), (20, 1), (300, 2), (301, 5)] {
            whole.push(d, l);
        }
        p.append(&run);
        assert_eq!(p.bytes, whole.bytes);
        assert_eq!((p.df, p.next), (whole.df, whole.next));
    }

    #[test]
    fn keys_sort_like_javascript_strings() {
        let mut v = vec!["\u{ff5e}", "\u{1f600}", "b", "a"];
        v.sort_by(|a, b| utf16_cmp(a, b));
        // U+1F600 is a surrogate pair (0xD83D...), below U+FF5E in UTF-16 order.
        assert_eq!(v, vec!["a", "b", "\u{1f600}", "\u{ff5e}"]);
    }
}
